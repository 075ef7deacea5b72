import { isUtf8 } from 'node:buffer';

/** The longest a byte can become: `\u001f` is six bytes; a stray byte's U+FFFD, three. */
export const MAX_EXPANSION = 6;
/**
 * Room an output needs beyond MAX_EXPANSION per byte: a U+FFFD for a character the previous chunk
 * left unfinished, and the last byte's store, which is eight bytes wide.
 */
export const STORE_SLACK = 8;

/**
 * What each byte becomes when it does not start a character, and how many bytes that is: ASCII
 * as it is or as JSON's escape; U+FFFD for any other byte (a lead byte the next byte does not
 * continue is one U+FFFD, as the WHATWG decoder has it); nothing for NUL. Held as eight bytes,
 * so every byte costs the same one store, whatever it becomes: on binary output, a branch on the
 * kind of each byte (mispredicted on one byte in five) cost more than writing bytes that the
 * next byte's store then overwrites. A Float64Array holds the eight bytes because one float
 * store is one machine store (a DataView has no 64-bit integer store without a BigInt); the top
 * two bytes are always 0, so the value is never a NaN, whose bits a float could lose.
 *
 * NUL is left out of recordings: ECMA-48 (8.3.88) defines it as fill that "may be inserted into,
 * or removed from, a data stream without affecting the information content", and terminals,
 * xterm.js and the asciinema player among them, ignore it. Kept, each would cost six bytes
 * (`\u0000`) of disk: a `cat` of a sparse file or /dev/zero wrote six times its size.
 */
const OUTPUT_WORDS = new Float64Array(0x100);
const OUTPUT_LENGTHS = new Uint8Array(0x100);
{
  const words = new Uint8Array(OUTPUT_WORDS.buffer);
  for (let byte = 1; byte < 0x100; byte++) {
    const text = byte < 0x80 ? JSON.stringify(String.fromCharCode(byte)).slice(1, -1) : '\ufffd';
    OUTPUT_LENGTHS[byte] = new TextEncoder().encodeInto(
      text,
      words.subarray(byte * 8, byte * 8 + MAX_EXPANSION),
    ).written;
  }
}

/**
 * Stores what `byte` becomes on its own at `o` (eight bytes, of which the returned length count);
 * the caller's room of MAX_EXPANSION bytes per input byte and STORE_SLACK more keeps the extra
 * ones in bounds.
 */
function putByte(view: DataView, o: number, byte: number): number {
  view.setFloat64(o, OUTPUT_WORDS[byte]!, true);
  return OUTPUT_LENGTHS[byte]!;
}

/**
 * The range the byte after each lead byte must be in to continue it, as its lowest value and
 * its width: narrower after E0, ED, F0 and F4, which rules out overlong forms, UTF-16 surrogates
 * and code points past U+10FFFF. Any other byte gets a lowest value no byte reaches, so one
 * unsigned comparison (`secondFits`) tells every byte apart without a branch on its kind.
 */
const SECOND_LOWEST = new Uint16Array(0x100).fill(0x100);
const SECOND_WIDTH = new Uint8Array(0x100);
for (let byte = 0xc2; byte <= 0xf4; byte++) {
  const lowest = byte === 0xe0 ? 0xa0 : byte === 0xf0 ? 0x90 : 0x80;
  const highest = byte === 0xed ? 0x9f : byte === 0xf4 ? 0x8f : 0xbf;
  SECOND_LOWEST[byte] = lowest;
  SECOND_WIDTH[byte] = highest - lowest;
}

/** Whether `byte` starts a character that `next` can continue. */
function secondFits(byte: number, next: number): boolean {
  return (next - SECOND_LOWEST[byte]!) >>> 0 <= SECOND_WIDTH[byte]!;
}

function isLeadByte(byte: number): boolean {
  return SECOND_LOWEST[byte] !== 0x100;
}

/**
 * The character starting at `i`, whose second byte is known to fit: its length when whole, 0
 * when the bytes end before it does, or minus the length of its maximal invalid start (the
 * bytes one U+FFFD stands for) when a later byte breaks it.
 */
function validSequence(bytes: Uint8Array, i: number): number {
  const expected = sequenceLength(bytes[i]!);
  let seen = 2;
  while (seen < expected) {
    if (i + seen >= bytes.length) return 0;
    const next = bytes[i + seen]!;
    if (next < 0x80 || next > 0xbf) return -seen;
    seen++;
  }
  return expected;
}

/** How many bytes a character starting with lead byte `byte` (0xc2..0xf4) has. */
function sequenceLength(byte: number): number {
  return byte <= 0xdf ? 2 : byte <= 0xef ? 3 : 4;
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
   * MAX_EXPANSION bytes per byte of `chunk`, plus STORE_SLACK.
   * @returns the offset after the last byte written
   */
  write(chunk: Uint8Array, out: Uint8Array, at: number): number {
    let o = at;
    let from = 0;
    const carry = this.carry;
    if (carry) {
      // Finished from the chunk's first bytes: copying the whole chunk behind it cost a tenth of
      // the thread's time on random output, where one chunk in five or so ends inside a character.
      this.carry = undefined;
      const expected = sequenceLength(carry[0]!);
      let seen = carry.length;
      while (seen < expected && from < chunk.length) {
        const next = chunk[from]!;
        if (seen === 1 ? !secondFits(carry[0]!, next) : next < 0x80 || next > 0xbf) break;
        seen++;
        from++;
      }
      if (seen === expected) {
        out.set(carry, o);
        out.set(chunk.subarray(0, from), o + carry.length);
        o += expected;
      } else if (from === chunk.length) {
        // Still unfinished: the chunk was all continuation.
        this.carry = new Uint8Array([...carry, ...chunk]);
        return o;
      } else {
        // One U+FFFD for the broken start; the byte that broke it starts afresh.
        o = replacement(out, o);
      }
    }
    const bytes = from === 0 ? chunk : chunk.subarray(from);
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    // Valid UTF-8 (simdutf, far faster than these loops) needs no checking byte by byte.
    return isUtf8(bytes) ? writeText(bytes, out, view, o) : this.writeBinary(bytes, out, view, o);
  }

  /** Bytes that are not valid UTF-8 as a whole: every sequence is checked. */
  private writeBinary(bytes: Uint8Array, out: Uint8Array, view: DataView, at: number): number {
    const last = bytes.length - 1;
    let o = at;
    let i = 0;
    while (i < last) {
      // Bytes that start no character (four in five of random output) stay in this inner loop,
      // each byte's load serving twice, as `next` and then as `byte`.
      let byte = bytes[i]!;
      let next = bytes[i + 1]!;
      while (!secondFits(byte, next)) {
        // putByte, written out: as a call it cost a tenth more here, the hottest loop.
        view.setFloat64(o, OUTPUT_WORDS[byte]!, true);
        o += OUTPUT_LENGTHS[byte]!;
        if (++i === last) break;
        byte = next;
        next = bytes[i + 1]!;
      }
      if (i === last) break;
      const taken = validSequence(bytes, i);
      if (taken === 0) {
        // The chunk ended inside a character that may still complete.
        this.carry = bytes.slice(i);
        return o;
      }
      if (taken > 0) {
        for (let k = 0; k < taken; k++) out[o++] = bytes[i + k]!;
        i += taken;
      } else {
        // One U+FFFD for the broken sequence; the byte that broke it starts afresh.
        o = replacement(out, o);
        i -= taken;
      }
    }
    if (i === last) {
      const byte = bytes[last]!;
      if (isLeadByte(byte)) this.carry = bytes.slice(last);
      else o += putByte(view, o, byte);
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

/** Valid UTF-8: runs of printable ASCII copied as they are, characters copied whole. */
function writeText(bytes: Uint8Array, out: Uint8Array, view: DataView, at: number): number {
  const length = bytes.length;
  let o = at;
  let i = 0;
  while (i < length) {
    let byte = bytes[i]!;
    while (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c) {
      out[o++] = byte;
      if (++i === length) return o;
      byte = bytes[i]!;
    }
    if (byte === 0) {
      // NUL runs (a sparse file, /dev/zero) become nothing: skipped without a store.
      while (++i < length && bytes[i] === 0);
    } else if (byte < 0x80) {
      o += putByte(view, o, byte);
      i++;
    } else {
      const end = i + sequenceLength(byte);
      while (i < end) out[o++] = bytes[i++]!;
    }
  }
  return o;
}

function replacement(out: Uint8Array, at: number): number {
  out[at] = 0xef;
  out[at + 1] = 0xbf;
  out[at + 2] = 0xbd;
  return at + 3;
}
