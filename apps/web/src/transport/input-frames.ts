import { MAX_INPUT_FRAME_BYTES } from '@vigil/protocol';

/**
 * Splits terminal input into binary frames the gateway accepts. The frames are views on `bytes`,
 * not copies; cutting inside a UTF-8 sequence is fine because the far end is a byte stream.
 */
export function splitInputFrames(
  bytes: Uint8Array<ArrayBuffer>,
  maxFrameBytes: number = MAX_INPUT_FRAME_BYTES,
): Uint8Array<ArrayBuffer>[] {
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1) {
    throw new RangeError(`maxFrameBytes must be a positive integer, got ${maxFrameBytes}`);
  }
  const frames: Uint8Array<ArrayBuffer>[] = [];
  for (let start = 0; start < bytes.byteLength; start += maxFrameBytes) {
    frames.push(bytes.subarray(start, start + maxFrameBytes));
  }
  return frames;
}

/**
 * xterm.js reports some mouse sequences as a "binary string", one byte per UTF-16 unit
 * (`onBinary`); UTF-8 encoding it would corrupt every byte above 0x7f.
 */
export function binaryStringBytes(data: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
  return bytes;
}

const encoder = new TextEncoder();

/** Terminal input as bytes: xterm.js `onData` text is UTF-8 encoded, `onBinary` taken byte for byte. */
export function inputBytes(data: string, kind: 'text' | 'binary'): Uint8Array<ArrayBuffer> {
  return kind === 'text' ? encoder.encode(data) : binaryStringBytes(data);
}
