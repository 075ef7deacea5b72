import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { type IDisposable, Terminal } from '@xterm/xterm';
import { debounce } from './resize-reporter.js';
import { createSearchBar, type SearchBar, type SearchBarElements } from './search-bar.js';
import {
  type RendererName,
  type RequestedRenderer,
  startRenderer,
  type TerminalRenderer,
  type Webgl2Support,
  webgl2SupportFrom,
} from './terminal-renderer.js';
import { terminalShortcut } from './terminal-shortcuts.js';
import { clampTerminalSize, type TerminalSize } from './terminal-size.js';

/** Fitting waits this long after the last size change of the page area. */
const FIT_DEBOUNCE_MS = 50;

const THEME = {
  background: '#0b0f14',
  foreground: '#d6dde6',
  cursor: '#3fb950',
  cursorAccent: '#0b0f14',
  selectionBackground: '#264f78',
} as const;

/** The page's one terminal: xterm.js with its addons, fitted to its container. */
export interface TerminalView {
  readonly term: Terminal;
  /** The renderer drawing now; `dom` until the terminal is first shown. */
  readonly renderer: RendererName;
  /** Opens the terminal in its container on first use, fits it, and returns the size it got. */
  show(): TerminalSize;
  /** Clears screen, scrollback and modes a previous shell left behind. */
  reset(): void;
  /** `parsed` runs once xterm.js has parsed `data`; callbacks run in write order. */
  write(data: string | Uint8Array, parsed?: () => void): void;
  focus(): void;
  /** Called with every size the terminal takes after fitting (xterm.js fires only on change). */
  onResize(listener: (size: TerminalSize) => void): IDisposable;
}

/** `renderer` is the one asked for; WebGL is only used where it works (terminal-renderer.ts). */
export function createTerminalView(
  container: HTMLElement,
  searchElements: SearchBarElements,
  renderer: RequestedRenderer,
): TerminalView {
  const term = new Terminal({
    // The unicode11 addon's `term.unicode` is proposed API in xterm.js 6.
    allowProposedApi: true,
    cursorBlink: true,
    fontFamily: 'ui-monospace, "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
    fontSize: 14,
    scrollback: 5000,
    theme: THEME,
  });
  const fitAddon = new FitAddon();
  const searchAddon = new SearchAddon();
  term.loadAddon(fitAddon);
  term.loadAddon(searchAddon);
  term.loadAddon(new WebLinksAddon());
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = '11';

  const searchBar: SearchBar = createSearchBar(searchElements, searchAddon, () => term.focus());
  term.attachCustomKeyEventHandler((event) => {
    switch (terminalShortcut(event)) {
      case 'copy':
        if (!term.hasSelection()) return true;
        event.preventDefault();
        // Clipboard access can be refused (no secure context); the selection stays for a menu copy.
        navigator.clipboard?.writeText(term.getSelection()).catch(() => undefined);
        return false;
      case 'paste':
        // Not handled here: the browser's own paste lands in xterm.js's textarea, bracketed paste and all.
        return false;
      case 'find':
        event.preventDefault();
        searchBar.open();
        return false;
      case undefined:
        return true;
    }
  });

  // Set when the terminal is opened in its container.
  let drawing: TerminalRenderer | undefined;
  const fit = () => {
    if (drawing && container.clientWidth > 0 && container.clientHeight > 0) fitAddon.fit();
  };
  new ResizeObserver(debounce(fit, FIT_DEBOUNCE_MS, window)).observe(container);

  return {
    term,
    get renderer() {
      return drawing?.active ?? 'dom';
    },
    show() {
      if (!drawing) {
        term.open(container);
        // After open: the addon needs the terminal's element, and a failure must not stop the open.
        drawing = startRenderer(term, {
          requested: renderer,
          webgl2: browserWebgl2(),
          createWebglAddon: () => new WebglAddon(),
        });
      }
      fit();
      // Unmeasurable (zero-sized) containers keep xterm.js's own 80x24.
      return clampTerminalSize({ cols: term.cols, rows: term.rows });
    },
    reset() {
      searchBar.close();
      term.reset();
    },
    write(data, parsed) {
      term.write(data, parsed);
    },
    focus() {
      term.focus();
    },
    onResize(listener) {
      return term.onResize(({ cols, rows }) => listener({ cols, rows }));
    },
  };
}

/**
 * The browser's WebGL2, from the renderer string of a throwaway context, which is released at
 * once: browsers cap the live contexts a page may hold.
 */
function browserWebgl2(): Webgl2Support {
  if (typeof WebGL2RenderingContext === 'undefined') return 'none';
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return 'none';
  try {
    // Firefox gives the real name through RENDERER; Chromium and Safari through the extension.
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return webgl2SupportFrom(String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)));
  } finally {
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}
