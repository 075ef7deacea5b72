import { describe, expect, it } from 'vitest';
import { JsonTextEncoder, MAX_EXPANSION, STORE_SLACK } from './json-text-encoder.js';

/** What the encoder must equal: the platform's UTF-8 decoder, NULs dropped, then JSON.stringify. */
function reference(chunks: readonly Uint8Array[]): string {
  const decoder = new TextDecoder();
  const text = chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join('') + decoder.decode();
  return JSON.stringify(text.replaceAll('\u0000', '')).slice(1, -1);
}

function encode(chunks: readonly Uint8Array[]): string {
  const encoder = new JsonTextEncoder();
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = Buffer.alloc(total * MAX_EXPANSION + STORE_SLACK);
  let at = 0;
  for (const chunk of chunks) at = encoder.write(chunk, out, at);
  at = encoder.end(out, at);
  return out.subarray(0, at).toString('utf8');
}

/** A deterministic generator, so a failure can be replayed. */
function* seededBytes(seed: number) {
  let state = seed;
  for (;;) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    yield state >>> 24;
  }
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, k) => bytes.subarray(points[k], end));
}

describe('JsonTextEncoder', () => {
  it('escapes ASCII as JSON.stringify does, and passes UTF-8 through', () => {
    const text = 'plain "quoted" back\\slash \b\f\n\r\t \u0001\u001b[31m\u007f é 漢 🙂 \u2028';
    expect(encode([Buffer.from(text)])).toBe(JSON.stringify(text).slice(1, -1));
  });

  it('leaves NUL out, fill that terminals ignore, also where it breaks a character off', () => {
    expect(encode([Buffer.from('a\u0000\u0000b')])).toBe('ab');
    expect(encode([Uint8Array.from([0xe2, 0x82, 0x00, 0x41])])).toBe('\ufffdA');
    expect(encode([Buffer.alloc(4096)])).toBe('');
  });

  it('replaces invalid UTF-8 exactly as the WHATWG decoder does', () => {
    const cases = [
      [0x80], // a lone continuation byte
      [0xc0, 0xaf], // overlong
      [0xe0, 0x80, 0xaf], // overlong, three bytes
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xf5, 0x41], // never a lead byte
      [0xe2, 0x82, 0x41], // broken off after two bytes
      [0xf0, 0x9f, 0x99], // unfinished at the end
      [0xc3],
    ];
    for (const bytes of cases)
      expect(encode([Uint8Array.from(bytes)])).toBe(reference([Uint8Array.from(bytes)]));
  });

  it('keeps a character split across chunks whole, at every split point', () => {
    const bytes = Buffer.from('a漢🙂é\u0001z');
    for (let cut = 1; cut < bytes.length; cut++) {
      for (let second = cut; second < bytes.length; second++) {
        const chunks = splitAt(bytes, [cut, second]);
        expect(encode(chunks)).toBe(reference(chunks));
      }
    }
  });

  it('matches decode-then-stringify on random bytes in random chunks', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededBytes(seed);
      const length = 1 + (random.next().value! % 300);
      // Bias towards bytes that make multi-byte sequences, valid and broken.
      const bytes = Uint8Array.from({ length }, () => {
        const value = random.next().value!;
        return value % 3 === 0 ? 0x80 + (value % 0x40) : value;
      });
      const cuts = Array.from({ length: random.next().value! % 6 }, () => random.next().value! % length);
      const chunks = splitAt(bytes, cuts);
      expect(encode(chunks), `seed ${seed}`).toBe(reference(chunks));
    }
  });

  it('needs no more room than MAX_EXPANSION per byte and STORE_SLACK, at its worst', () => {
    // A U+FFFD for the unfinished character before, then bytes that are all six-byte escapes.
    const worst = [Uint8Array.of(0xe2), Uint8Array.of(0x01, 0x1f, 0x01, 0x7f), Uint8Array.of(0xf0, 0x9f)];
    expect(encode(worst)).toBe(reference(worst));
  });

  it('writes at an offset into a view of a larger buffer, touching nothing before it', () => {
    const random = seededBytes(7);
    const bytes = Uint8Array.from({ length: 4096 }, () => random.next().value!);
    const backing = new Uint8Array(16 + bytes.length * MAX_EXPANSION + 64).fill(0x7e);
    const out = backing.subarray(16);
    const encoder = new JsonTextEncoder();
    const end = encoder.end(out, encoder.write(bytes, out, 5));
    expect(backing.subarray(0, 21).every((byte) => byte === 0x7e)).toBe(true);
    expect(Buffer.from(out.subarray(5, end)).toString('utf8')).toBe(reference([bytes]));
  });
});
