import type { IDisposable, ITerminalAddon } from '@xterm/xterm';
import { describe, expect, it } from 'vitest';
import { requestedRenderer, startRenderer, type WebglRendererAddon } from './terminal-renderer.js';

/** Stands in for WebglAddon: it can fail to activate and can lose its context. */
class FakeWebglAddon implements WebglRendererAddon {
  activated = false;
  disposed = false;
  private lossListeners: (() => void)[] = [];

  constructor(private readonly activation: 'works' | 'throws' = 'works') {}

  activate() {
    if (this.activation === 'throws') throw new Error('WebGL2 not supported null');
    this.activated = true;
  }
  dispose() {
    this.disposed = true;
  }
  onContextLoss = (listener: () => void): IDisposable => {
    this.lossListeners.push(listener);
    return { dispose: () => undefined };
  };
  loseContext() {
    for (const listener of this.lossListeners) listener();
  }
}

/** xterm.js's loadAddon activates the addon at once on an opened terminal. */
const openedTerminal = {
  loadAddon(addon: ITerminalAddon) {
    addon.activate(undefined as never);
  },
};

describe('requestedRenderer', () => {
  it('asks for WebGL unless the page says ?renderer=dom', () => {
    expect(requestedRenderer('')).toBe('webgl');
    expect(requestedRenderer('?renderer=webgl')).toBe('webgl');
    expect(requestedRenderer('?renderer=dom')).toBe('dom');
    expect(requestedRenderer('?x=1&renderer=dom')).toBe('dom');
    expect(requestedRenderer('?renderer=canvas')).toBe('webgl');
  });
});

describe('startRenderer', () => {
  it('draws with WebGL when asked and the browser has WebGL2', () => {
    const addon = new FakeWebglAddon();
    const renderer = startRenderer(openedTerminal, {
      requested: 'webgl',
      webgl2: true,
      createWebglAddon: () => addon,
    });
    expect(renderer.active).toBe('webgl');
    expect(addon.activated).toBe(true);
  });

  it('keeps the DOM renderer when ?renderer=dom asked for it', () => {
    const renderer = startRenderer(openedTerminal, {
      requested: 'dom',
      webgl2: true,
      createWebglAddon: () => expect.unreachable('no addon is made'),
    });
    expect(renderer.active).toBe('dom');
  });

  it('keeps the DOM renderer in a browser without WebGL2', () => {
    const renderer = startRenderer(openedTerminal, {
      requested: 'webgl',
      webgl2: false,
      createWebglAddon: () => expect.unreachable('no addon is made'),
    });
    expect(renderer.active).toBe('dom');
  });

  it('falls back to the DOM renderer, the addon disposed, when it cannot make a context', () => {
    const addon = new FakeWebglAddon('throws');
    const renderer = startRenderer(openedTerminal, {
      requested: 'webgl',
      webgl2: true,
      createWebglAddon: () => addon,
    });
    expect(renderer.active).toBe('dom');
    expect(addon.disposed).toBe(true);
  });

  it('falls back to the DOM renderer when the addon cannot even be made', () => {
    const renderer = startRenderer(openedTerminal, {
      requested: 'webgl',
      webgl2: true,
      createWebglAddon: () => {
        throw new Error('Webgl2 is only supported on Safari 16 and above');
      },
    });
    expect(renderer.active).toBe('dom');
  });

  it('disposes the addon when its context is lost, so xterm.js draws with the DOM again', () => {
    const addon = new FakeWebglAddon();
    const renderer = startRenderer(openedTerminal, {
      requested: 'webgl',
      webgl2: true,
      createWebglAddon: () => addon,
    });
    addon.loseContext();
    expect(renderer.active).toBe('dom');
    expect(addon.disposed).toBe(true);
  });
});
