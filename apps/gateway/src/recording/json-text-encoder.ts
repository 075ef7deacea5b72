/** The longest a byte can become: `\u001f` is six bytes; a stray byte's U+FFFD, three. */
export const MAX_EXPANSION = 6;

/** JSON's escape of each ASCII byte, MAX_EXPANSION bytes apart, and its length (0: written as is). */
const ESCAPES = new Uint8Array(0x80 * MAX_EXPANSION);
const ESCAPE_LENGTHS = new Uint8Array(0x80);
for (let byte = 0; byte < 0x80; byte++) {
  const char = String.fromCharCode(byte);
  const escaped = JSON.stringify(char).slice(1, -1);
  if (escaped === char) continue;
  ESCAPE_LENGTHS[byte] = escaped.length;
  for (let k = 0; k < escaped.length; k++) ESCAPES[byte * MAX_EXPANSION + k] = escaped.charCodeAt(k);
}

/**
 * Turns terminal output bytes into the UTF-8 body of a JSON string, exactly as
 * `JSON.stringify(new TextDecoder().decode(bytes, { stream: true }))` would without its quotes,
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
    let o = at;
    let i = 0;
    while (i < length) {
      const byte = bytes[i]!;
      if (byte < 0x80) {
        const escapeLength = ESCAPE_LENGTHS[byte]!;
        if (escapeLength === 0) out[o++] = byte;
        else {
          const from = byte * MAX_EXPANSION;
          for (let k = 0; k < escapeLength; k++) out[o++] = ESCAPES[from + k]!;
        }
        i++;
        continue;
      }
      // How many continuation bytes the lead byte promises, and the range of the first one
      // (which rules out overlong forms, surrogates and code points past U+10FFFF).
      let needed: number;
      let lower = 0x80;
      let upper = 0xbf;
      if (byte >= 0xc2 && byte <= 0xdf) needed = 1;
      else if (byte >= 0xe0 && byte <= 0xef) {
        needed = 2;
        if (byte === 0xe0) lower = 0xa0;
        else if (byte === 0xed) upper = 0x9f;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        needed = 3;
        if (byte === 0xf0) lower = 0x90;
        else if (byte === 0xf4) upper = 0x8f;
      } else {
        o = replacement(out, o);
        i++;
        continue;
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
