import { describe, expect, it } from 'vitest';
import { playableParts, RecordingKeys } from './recording-keys.js';

const keys = new RecordingKeys('vigil/');
const folder = keys.parts('s1');

describe('RecordingKeys', () => {
  it('names the compacted object and parts by byte offset, in an order listing keeps', () => {
    expect(keys.compacted('s1')).toBe('vigil/s1.cast');
    expect(keys.part('s1', 0)).toBe('vigil/parts/s1/0000000000000000');
    expect(keys.part('s1', 1234)).toBe('vigil/parts/s1/0000000000001234');
    const offsets = [0, 9, 10, 99, 100, 12_345_678];
    const named = offsets.map((offset) => keys.part('s1', offset));
    expect([...named].sort()).toEqual(named);
  });
});

describe('playableParts', () => {
  it('orders parts by offset, whatever order they are listed in', () => {
    const listed = [
      { key: keys.part('s1', 15), size: 5 },
      { key: keys.part('s1', 0), size: 10 },
      { key: keys.part('s1', 10), size: 5 },
    ];
    expect(playableParts(folder, listed).map((part) => part.offset)).toEqual([0, 10, 15]);
  });

  it('stops at the first gap: what follows cannot be played in order', () => {
    const listed = [
      { key: keys.part('s1', 0), size: 10 },
      { key: keys.part('s1', 20), size: 5 },
      { key: keys.part('s1', 25), size: 5 },
    ];
    expect(playableParts(folder, listed).map((part) => part.offset)).toEqual([0]);
  });

  it('has nothing to play without the first part', () => {
    expect(playableParts(folder, [{ key: keys.part('s1', 10), size: 5 }])).toEqual([]);
  });

  it("ignores keys that are not this session's parts", () => {
    const listed = [
      { key: keys.part('s1', 0), size: 3 },
      { key: `${folder}notes.txt`, size: 1 },
      { key: keys.part('s10', 3), size: 3 },
      { key: keys.compacted('s1'), size: 3 },
    ];
    expect(playableParts(folder, listed)).toEqual([{ key: keys.part('s1', 0), size: 3, offset: 0 }]);
  });
});
