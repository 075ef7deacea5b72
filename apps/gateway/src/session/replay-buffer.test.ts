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
