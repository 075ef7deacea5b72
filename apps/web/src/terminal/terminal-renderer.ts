import type { IEvent, ITerminalAddon } from '@xterm/xterm';

/** Which renderer draws the terminal: @xterm/addon-webgl's, or xterm.js's own DOM renderer. */
export type RendererName = 'webgl' | 'dom';

/**
 * What the page's `?renderer=` asks for: `dom` keeps the DOM renderer (so the bench can measure
 * both); anything else, or nothing, means WebGL where the browser can.
 */
export function requestedRenderer(search: string): RendererName {
  return new URLSearchParams(search).get('renderer') === 'dom' ? 'dom' : 'webgl';
}

/** The part of @xterm/addon-webgl's `WebglAddon` this module relies on. */
export interface WebglRendererAddon extends ITerminalAddon {
  readonly onContextLoss: IEvent<void>;
}

export interface RendererOptions {
  requested: RendererName;
  /** Whether the browser has WebGL2 at all; the addon needs it. */
  webgl2: boolean;
  createWebglAddon(): WebglRendererAddon;
}

/** The renderer drawing the terminal now; `active` turns to `dom` when WebGL is given up. */
export interface TerminalRenderer {
  readonly active: RendererName;
}

/**
 * Puts the WebGL renderer on an opened terminal when asked for and possible, else leaves the DOM
 * one. Disposing the addon is what hands drawing back to xterm.js's DOM renderer, so every failure
 * ends in a dispose: a terminal must never be left with a canvas that draws nothing.
 */
export function startRenderer(
  term: { loadAddon(addon: ITerminalAddon): void },
  options: RendererOptions,
): TerminalRenderer {
  let active: RendererName = 'dom';
  if (options.requested === 'webgl' && options.webgl2) {
    let addon: WebglRendererAddon | undefined;
    try {
      addon = options.createWebglAddon();
      // Fired only once the addon's own wait for the browser to restore the context has run out.
      addon.onContextLoss(() => {
        active = 'dom';
        addon?.dispose();
      });
      term.loadAddon(addon);
      active = 'webgl';
    } catch {
      // WebGL2 exists but no context could be made (a GPU blocklist, too many contexts).
      addon?.dispose();
    }
  }
  return {
    get active() {
      return active;
    },
  };
}
