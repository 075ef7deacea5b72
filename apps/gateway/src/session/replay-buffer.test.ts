import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from './replay-buffer.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');
const joined = (chunks: Buffer[]) => Buffer.concat(chunks).toString('latin1');

describe('ReplayBuffer', () => {
  it('numbers output by byte position and replays from any held position exactly', () => {
    const buffer = new ReplayBuffer(100);
    buffer.append(bytes('abc'));
    buffer.append(bytes('defgh'));
    buffer.append(Buffer.alloc(0));
    expect([buffer.start, buffer.end]).toEqual([0, 8]);
    expect(joined(buffer.readFrom(0).chunks)).toBe('abcdefgh');
    expect(joined(buffer.readFrom(2).chunks)).toBe('cdefgh');
    expect(joined(buffer.readFrom(3).chunks)).toBe('defgh');
    expect(buffer.readFrom(8)).toEqual({ position: 8, lost: 0, chunks: [] });
  });

  it('refuses a position beyond the output', () => {
    const buffer = new ReplayBuffer(10);
    buffer.append(bytes('abc'));
    expect(() => buffer.readFrom(4)).toThrow(RangeError);
  });

  it('drops the oldest bytes beyond capacity, splitting a chunk where needed', () => {
    const buffer = new ReplayBuffer(5);
    buffer.append(bytes('abcd'));
    buffer.append(bytes('efgh'));
    buffer.trim(buffer.end);
    expect([buffer.start, buffer.end]).toEqual([3, 8]);
    expect(joined(buffer.readFrom(3).chunks)).toBe('defgh');
  });

  it('never drops bytes at or after the protected position (lossless)', () => {
    const buffer = new ReplayBuffer(4);
    buffer.append(bytes('abcdefgh'));
    buffer.trim(2);
    expect([buffer.start, buffer.end]).toEqual([2, 8]);
    expect(joined(buffer.readFrom(2).chunks)).toBe('cdefgh');
  });

  it('reports how many bytes were lost when asked for a dropped position', () => {
    const buffer = new ReplayBuffer(3);
    buffer.append(bytes('abcdef'));
    buffer.trim(buffer.end);
    const read = buffer.readFrom(1);
    expect(read.position).toBe(3);
    expect(read.lost).toBe(2);
    expect(joined(read.chunks)).toBe('def');
  });

  it('keeps exact byte counts across many chunks', () => {
    const buffer = new ReplayBuffer(1000);
    let expected = '';
    for (let i = 0; i < 500; i++) {
      const chunk = `${i},`;
      buffer.append(bytes(chunk));
      expected += chunk;
      buffer.trim(buffer.end);
    }
    expect(buffer.end).toBe(expected.length);
    expect(buffer.end - buffer.start).toBe(1000);
    expect(joined(buffer.readFrom(buffer.start).chunks)).toBe(expected.slice(-1000));
  });
});

describe('ReplayBuffer holding small chunks', () => {
  it('copies them out of the buffers they arrived in, into a few blocks of its own', () => {
    const buffer = new ReplayBuffer(1 << 20);
    const slab = Buffer.alloc(8192, 0x61);
    for (let i = 0; i < 100; i++) buffer.append(slab.subarray(i, i + 10));
    const { chunks } = buffer.readFrom(0);
    expect(joined(chunks)).toBe('a'.repeat(1000));
    expect(chunks.length).toBeLessThanOrEqual(2);
    for (const chunk of chunks) expect(chunk.buffer).not.toBe(slab.buffer);
  });

  it('replays exactly what a model of plain concatenation holds, whatever mix of sizes and trims', () => {
    let state = 7;
    const next = (limit: number) => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return (state >>> 8) % limit;
    };
    for (let round = 0; round < 50; round++) {
      const capacity = 1 + next(5000);
      const buffer = new ReplayBuffer(capacity);
      let model = Buffer.alloc(0);
      let modelStart = 0;
      for (let step = 0; step < 60; step++) {
        const size = next(4) === 0 ? 1024 + next(3000) : 1 + next(200);
        const chunk = Buffer.from(Array.from({ length: size }, () => next(256)));
        buffer.append(chunk);
        model = Buffer.concat([model, chunk]);
        if (next(3) === 0) {
          const keepFrom = modelStart + next(model.length + 1);
          buffer.trim(keepFrom);
          const excess = Math.min(model.length - capacity, keepFrom - modelStart);
          if (excess > 0) {
            model = model.subarray(excess);
            modelStart += excess;
          }
        }
        expect([buffer.start, buffer.end]).toEqual([modelStart, modelStart + model.length]);
        const from = modelStart + next(model.length + 1);
        expect(Buffer.concat(buffer.readFrom(from).chunks).equals(model.subarray(from - modelStart))).toBe(
          true,
        );
      }
    }
  });
});
