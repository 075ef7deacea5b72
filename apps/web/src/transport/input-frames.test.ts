import { MAX_INPUT_FRAME_BYTES } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { binaryStringBytes, inputBytes, splitInputFrames } from './input-frames.js';

describe('splitInputFrames', () => {
  it('sends nothing for no input', () => {
    expect(splitInputFrames(new Uint8Array(0))).toEqual([]);
  });

  it('keeps a keystroke in one frame', () => {
    const frames = splitInputFrames(new TextEncoder().encode('ls\r'));
    expect(frames).toHaveLength(1);
    expect(new TextDecoder().decode(frames[0])).toBe('ls\r');
  });

  it('splits a large paste into frames within the gateway limit, in order, losing nothing', () => {
    const paste = new Uint8Array(MAX_INPUT_FRAME_BYTES * 2 + 17).map((_, i) => i % 251);
    const frames = splitInputFrames(paste);
    expect(frames.map((f) => f.byteLength)).toEqual([MAX_INPUT_FRAME_BYTES, MAX_INPUT_FRAME_BYTES, 17]);
    const joined = new Uint8Array(paste.byteLength);
    let offset = 0;
    for (const frame of frames) {
      joined.set(frame, offset);
      offset += frame.byteLength;
    }
    expect(joined).toEqual(paste);
  });

  it('puts exactly one full frame when the input is exactly the limit', () => {
    expect(splitInputFrames(new Uint8Array(8), 8)).toHaveLength(1);
    expect(splitInputFrames(new Uint8Array(9), 8)).toHaveLength(2);
  });

  it('may cut inside a multi-byte character, since the far end reassembles bytes', () => {
    const bytes = new TextEncoder().encode('€€'); // 6 bytes
    const frames = splitInputFrames(bytes, 4);
    expect(frames.map((f) => f.byteLength)).toEqual([4, 2]);
  });

  it('refuses a frame size that would loop forever', () => {
    expect(() => splitInputFrames(new Uint8Array(1), 0)).toThrow(RangeError);
  });
});

describe('binaryStringBytes', () => {
  it('maps each UTF-16 unit to one byte, as xterm.js onBinary means it', () => {
    expect([...binaryStringBytes('\x1b[M\xff\x80')]).toEqual([0x1b, 0x5b, 0x4d, 0xff, 0x80]);
  });
});

describe('inputBytes', () => {
  it('encodes typed text as UTF-8 and takes binary input byte for byte', () => {
    expect([...inputBytes('é', 'text')]).toEqual([0xc3, 0xa9]);
    expect([...inputBytes('\xe9', 'binary')]).toEqual([0xe9]);
  });
});
