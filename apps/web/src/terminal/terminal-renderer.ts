import type { IEvent, ITerminalAddon } from '@xterm/xterm';

/** Which renderer draws the terminal: @xterm/addon-webgl's, or xterm.js's own DOM renderer. */
export type RendererName = 'webgl' | 'dom';

/** What the page asks for: one renderer, or `auto`, which picks by the browser's WebGL. */
export type RequestedRenderer = RendererName | 'auto';

/**
 * What the page's `?renderer=` asks for: `dom` or `webgl` forces that renderer (so the bench
 * can measure both); anything else, or nothing, is `auto`.
 */
export function requestedRenderer(search: string): RequestedRenderer {
  const asked = new URLSearchParams(search).get('renderer');
  return asked === 'dom' || asked === 'webgl' ? asked : 'auto';
}

/**
 * The WebGL2 a browser offers: none, drawn by a GPU, or drawn by the CPU (SwiftShader, llvmpipe:
 * a machine without a usable GPU, a VM, a blocklisted driver).
 */
export type Webgl2Support = 'none' | 'hardware' | 'software';

/** Renderer names of WebGL implementations that run on the CPU, as browsers report them. */
const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** Tells Webgl2Support from the renderer string a WebGL2 context reports (undefined: none). */
export function webgl2SupportFrom(glRenderer: string | undefined): Webgl2Support {
  if (glRenderer === undefined) return 'none';
  return SOFTWARE_GL.test(glRenderer) ? 'software' : 'hardware';
}

/** The part of @xterm/addon-webgl's `WebglAddon` this module relies on. */
export interface WebglRendererAddon extends ITerminalAddon {
  readonly onContextLoss: IEvent<void>;
}

export interface RendererOptions {
  requested: RequestedRenderer;
  /** The browser's WebGL2; the addon needs one. */
  webgl2: Webgl2Support;
  createWebglAddon(): WebglRendererAddon;
}

/** The renderer drawing the terminal now; `active` turns to `dom` when WebGL is given up. */
export interface TerminalRenderer {
  readonly active: RendererName;
}

/**
 * Whether WebGL draws: when asked for and the browser has WebGL2 at all, or, with `auto`, when a
 * GPU draws it. WebGL on the CPU costs more than the DOM renderer: in headless Chromium with
 * SwiftShader on 2 cores, `seq 1 1000000` took 2.1-2.6 s to render with WebGL against
 * 1.25-1.36 s with the DOM, and output after Ctrl-C stopped later (docs/architecture.md, "Rendering").
 */
export function drawsWithWebgl(requested: RequestedRenderer, webgl2: Webgl2Support): boolean {
  if (requested === 'auto') return webgl2 === 'hardware';
  return requested === 'webgl' && webgl2 !== 'none';
}

/**
 * Puts the WebGL renderer on an opened terminal when drawsWithWebgl says so, else leaves the DOM
 * one. Disposing the addon is what hands drawing back to xterm.js's DOM renderer, so every failure
 * ends in a dispose: a terminal must never be left with a canvas that draws nothing.
 */
export function startRenderer(
  term: { loadAddon(addon: ITerminalAddon): void },
  options: RendererOptions,
): TerminalRenderer {
  let active: RendererName = 'dom';
  if (drawsWithWebgl(options.requested, options.webgl2)) {
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
