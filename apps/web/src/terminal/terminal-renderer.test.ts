import type { IDisposable, ITerminalAddon } from '@xterm/xterm';
import { describe, expect, it } from 'vitest';
import {
  drawsWithWebgl,
  requestedRenderer,
  startRenderer,
  type WebglRendererAddon,
  webgl2SupportFrom,
} from './terminal-renderer.js';

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
  it('forces a renderer the page names, and is auto otherwise', () => {
    expect(requestedRenderer('')).toBe('auto');
    expect(requestedRenderer('?renderer=webgl')).toBe('webgl');
    expect(requestedRenderer('?renderer=dom')).toBe('dom');
    expect(requestedRenderer('?x=1&renderer=dom')).toBe('dom');
    expect(requestedRenderer('?renderer=canvas')).toBe('auto');
  });
});

describe('webgl2SupportFrom', () => {
  it('tells a software rasterizer from a GPU by the renderer string browsers report', () => {
    expect(webgl2SupportFrom(undefined)).toBe('none');
    expect(
      webgl2SupportFrom(
        'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      ),
    ).toBe('software');
    expect(webgl2SupportFrom('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe('software');
    expect(
      webgl2SupportFrom('ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)'),
    ).toBe('software');
    expect(webgl2SupportFrom('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe(
      'hardware',
    );
    expect(webgl2SupportFrom('Apple M2')).toBe('hardware');
    expect(webgl2SupportFrom('Mesa Intel(R) UHD Graphics 620 (KBL GT2)')).toBe('hardware');
  });
});

describe('drawsWithWebgl', () => {
  it('auto draws with WebGL only where a GPU draws it; a forced WebGL takes software too', () => {
    expect(drawsWithWebgl('auto', 'hardware')).toBe(true);
    expect(drawsWithWebgl('auto', 'software')).toBe(false);
    expect(drawsWithWebgl('auto', 'none')).toBe(false);
    expect(drawsWithWebgl('webgl', 'software')).toBe(true);
    expect(drawsWithWebgl('webgl', 'none')).toBe(false);
    expect(drawsWithWebgl('dom', 'hardware')).toBe(false);
  });
});

describe('startRenderer', () => {
  it('draws with WebGL when asked and the browser has WebGL2', () => {
    const addon = new FakeWebglAddon();
    const renderer = startRenderer(openedTerminal, {
      requested: 'webgl',
      webgl2: 'hardware',
      createWebglAddon: () => addon,
    });
    expect(renderer.active).toBe('webgl');
    expect(addon.activated).toBe(true);
  });

  it('keeps the DOM renderer when ?renderer=dom asked for it', () => {
    const renderer = startRenderer(openedTerminal, {
      requested: 'dom',
      webgl2: 'hardware',
      createWebglAddon: () => expect.unreachable('no addon is made'),
    });
    expect(renderer.active).toBe('dom');
  });

  it('keeps the DOM renderer by default where WebGL2 is drawn in software', () => {
    const renderer = startRenderer(openedTerminal, {
      requested: 'auto',
      webgl2: 'software',
      createWebglAddon: () => expect.unreachable('no addon is made'),
    });
    expect(renderer.active).toBe('dom');
  });

  it('keeps the DOM renderer in a browser without WebGL2', () => {
    const renderer = startRenderer(openedTerminal, {
      requested: 'webgl',
      webgl2: 'none',
      createWebglAddon: () => expect.unreachable('no addon is made'),
    });
    expect(renderer.active).toBe('dom');
  });

  it('falls back to the DOM renderer, the addon disposed, when it cannot make a context', () => {
    const addon = new FakeWebglAddon('throws');
    const renderer = startRenderer(openedTerminal, {
      requested: 'webgl',
      webgl2: 'hardware',
      createWebglAddon: () => addon,
    });
    expect(renderer.active).toBe('dom');
    expect(addon.disposed).toBe(true);
  });

  it('falls back to the DOM renderer when the addon cannot even be made', () => {
    const renderer = startRenderer(openedTerminal, {
      requested: 'webgl',
      webgl2: 'hardware',
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
      webgl2: 'hardware',
      createWebglAddon: () => addon,
    });
    addon.loseContext();
    expect(renderer.active).toBe('dom');
    expect(addon.disposed).toBe(true);
  });
});
