import { describe, expect, it } from 'vitest';
import { debounce, ResizeReporter, type Timers } from './resize-reporter.js';
import type { TerminalSize } from './terminal-size.js';

function reporter() {
  const sent: TerminalSize[] = [];
  return { sent, reporter: new ResizeReporter((size) => sent.push(size)) };
}

describe('ResizeReporter', () => {
  it('sends nothing before the shell runs, then the size that changed meanwhile', () => {
    const { sent, reporter: r } = reporter();
    r.opening({ cols: 80, rows: 24 });
    r.observe({ cols: 100, rows: 30 });
    expect(sent).toEqual([]);
    r.attach();
    expect(sent).toEqual([{ cols: 100, rows: 30 }]);
  });

  it('sends nothing on attach when the size is the one sent in open', () => {
    const { sent, reporter: r } = reporter();
    r.opening({ cols: 80, rows: 24 });
    r.observe({ cols: 80, rows: 24 });
    r.attach();
    expect(sent).toEqual([]);
  });

  it('sends only sizes that differ from the last one sent', () => {
    const { sent, reporter: r } = reporter();
    r.opening({ cols: 80, rows: 24 });
    r.attach();
    r.observe({ cols: 80, rows: 24 });
    r.observe({ cols: 90, rows: 24 });
    r.observe({ cols: 90, rows: 24 });
    r.observe({ cols: 80, rows: 24 });
    expect(sent).toEqual([
      { cols: 90, rows: 24 },
      { cols: 80, rows: 24 },
    ]);
  });

  it('keeps sizes within the protocol limits', () => {
    const { sent, reporter: r } = reporter();
    r.opening({ cols: 80, rows: 24 });
    r.attach();
    r.observe({ cols: 5000, rows: 0 });
    expect(sent).toEqual([{ cols: 1000, rows: 1 }]);
  });

  it('sends the current size on a reattach even if it was sent before', () => {
    const { sent, reporter: r } = reporter();
    r.opening({ cols: 80, rows: 24 });
    r.attach();
    r.detach();
    r.observe({ cols: 90, rows: 30 });
    r.observe({ cols: 80, rows: 24 });
    expect(sent).toEqual([]);
    r.reattach();
    expect(sent).toEqual([{ cols: 80, rows: 24 }]);
  });

  it('stops sending after the session detaches', () => {
    const { sent, reporter: r } = reporter();
    r.opening({ cols: 80, rows: 24 });
    r.attach();
    r.detach();
    r.observe({ cols: 81, rows: 24 });
    expect(sent).toEqual([]);
  });
});

describe('debounce', () => {
  function fakeTimers() {
    let now = 0;
    let nextId = 0;
    const due = new Map<number, { at: number; run: () => void }>();
    const timers: Timers = {
      setTimeout(run, ms) {
        due.set(++nextId, { at: now + ms, run });
        return nextId;
      },
      clearTimeout(handle) {
        due.delete(handle as number);
      },
    };
    const advance = (ms: number) => {
      now += ms;
      for (const [id, timer] of [...due]) {
        if (timer.at <= now) {
          due.delete(id);
          timer.run();
        }
      }
    };
    return { timers, advance };
  }

  it('runs once, after the last call of a burst', () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const fit = debounce(() => runs++, 50, timers);
    fit();
    advance(30);
    fit();
    advance(30);
    fit();
    advance(49);
    expect(runs).toBe(0);
    advance(1);
    expect(runs).toBe(1);
    advance(500);
    expect(runs).toBe(1);
  });
});
