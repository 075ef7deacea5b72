import { isUtf8 } from 'node:buffer';

/** The longest a byte can become: `\u001f` is six bytes; a stray byte's U+FFFD, three. */
export const MAX_EXPANSION = 6;

/** OUTPUT_LENGTHS' mark for the lead bytes of multi-byte characters. */
const LEAD = 0xff;

/**
 * What each byte that cannot start a multi-byte character becomes, MAX_EXPANSION bytes apart,
 * and how many of those bytes count: ASCII as it is or as JSON's escape; U+FFFD for a byte that
 * is never valid UTF-8 there; nothing for NUL. One table for all, so most bytes take the same
 * short path whatever they are: on binary output, branching on the kind of each byte cost more
 * than the copying.
 *
 * NUL is left out of recordings: ECMA-48 (8.3.88) defines it as fill that "may be inserted into,
 * or removed from, a data stream without affecting the information content", and terminals,
 * xterm.js and the asciinema player among them, ignore it. Kept, each would cost six bytes
 * (`\u0000`) of disk: a `cat` of a sparse file or /dev/zero wrote six times its size.
 */
const OUTPUT = new Uint8Array(0x100 * MAX_EXPANSION);
const OUTPUT_LENGTHS = new Uint8Array(0x100);
for (let byte = 0; byte < 0x100; byte++) {
  if (byte >= 0xc2 && byte <= 0xf4) {
    OUTPUT_LENGTHS[byte] = LEAD;
    continue;
  }
  if (byte === 0) continue;
  const text = byte < 0x80 ? JSON.stringify(String.fromCharCode(byte)).slice(1, -1) : '\ufffd';
  const encoded = new TextEncoder().encode(text);
  OUTPUT.set(encoded, byte * MAX_EXPANSION);
  OUTPUT_LENGTHS[byte] = encoded.length;
}

/**
 * Turns terminal output bytes into the UTF-8 body of a JSON string, exactly as
 * `JSON.stringify(new TextDecoder().decode(bytes, { stream: true }))` would without its quotes
 * and without NUL characters,
 * in one pass over the bytes and without an intermediate string: decoding binary output to a
 * string and stringifying it was most of what a recording cost. Invalid UTF-8 becomes U+FFFD
 * as the WHATWG decoder does it (one per maximal invalid subpart); a character split across
 * chunks is held until it is whole.
 */
export class JsonTextEncoder {
  /** The start of a character the previous chunk ended in the middle of. */
  private carry: Uint8Array | undefined;

  /**
   * Writes the escaped body of `chunk` into `out` from `at`; `out` needs room for
   * MAX_EXPANSION bytes per byte of `chunk`, plus 3 more after an unfinished character.
   * @returns the offset after the last byte written
   */
  write(chunk: Uint8Array, out: Uint8Array, at: number): number {
    let bytes = chunk;
    if (this.carry) {
      bytes = new Uint8Array(this.carry.length + chunk.length);
      bytes.set(this.carry);
      bytes.set(chunk, this.carry.length);
      this.carry = undefined;
    }
    const length = bytes.length;
    // Valid UTF-8 (simdutf, far faster than this loop) is text; anything else is treated as binary.
    const isText = isUtf8(bytes);
    let o = at;
    let i = 0;
    while (i < length) {
      let byte = bytes[i]!;
      // Text is mostly runs of printable ASCII, copied a store per byte; on binary output the
      // extra test per byte would cost more than it saves, hence the choice per chunk.
      while (isText && byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c) {
        out[o++] = byte;
        if (++i === length) return o;
        byte = bytes[i]!;
      }
      const outputLength = OUTPUT_LENGTHS[byte]!;
      if (outputLength !== LEAD) {
        // Six stores whatever the length: cheaper than deciding how many.
        const from = byte * MAX_EXPANSION;
        out[o] = OUTPUT[from]!;
        out[o + 1] = OUTPUT[from + 1]!;
        out[o + 2] = OUTPUT[from + 2]!;
        out[o + 3] = OUTPUT[from + 3]!;
        out[o + 4] = OUTPUT[from + 4]!;
        out[o + 5] = OUTPUT[from + 5]!;
        o += outputLength;
        i++;
        continue;
      }
      // How many continuation bytes the lead byte promises, and the range of the first one
      // (which rules out overlong forms, surrogates and code points past U+10FFFF).
      let needed: number;
      let lower = 0x80;
      let upper = 0xbf;
      if (byte <= 0xdf) needed = 1;
      else if (byte <= 0xef) {
        needed = 2;
        if (byte === 0xe0) lower = 0xa0;
        else if (byte === 0xed) upper = 0x9f;
      } else {
        needed = 3;
        if (byte === 0xf0) lower = 0x90;
        else if (byte === 0xf4) upper = 0x8f;
      }
      let seen = 0;
      while (seen < needed && i + 1 + seen < length) {
        const next = bytes[i + 1 + seen]!;
        if (next < lower || next > upper) break;
        lower = 0x80;
        upper = 0xbf;
        seen++;
      }
      if (seen === needed) {
        for (let k = 0; k <= needed; k++) out[o++] = bytes[i + k]!;
        i += needed + 1;
      } else if (i + 1 + seen === length) {
        // The chunk ended inside a character that may still complete.
        this.carry = bytes.slice(i);
        break;
      } else {
        // One U+FFFD for the broken sequence; the byte that broke it starts afresh.
        o = replacement(out, o);
        i += seen + 1;
      }
    }
    return o;
  }

  /** The stream ended: an unfinished character becomes U+FFFD. Returns the offset after it. */
  end(out: Uint8Array, at: number): number {
    if (!this.carry) return at;
    this.carry = undefined;
    return replacement(out, at);
  }
}

function replacement(out: Uint8Array, at: number): number {
  out[at] = 0xef;
  out[at + 1] = 0xbf;
  out[at + 2] = 0xbd;
  return at + 3;
}
