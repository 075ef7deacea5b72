import { MAX_FRAME_BYTES } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { OutputFrames } from './output-frames.js';

function framesUnderTest() {
  const sent: { frame: Buffer; done: () => void }[] = [];
  const deferred: (() => void)[] = [];
  const frames = new OutputFrames(
    (frame, done) => sent.push({ frame, done }),
    (flush) => deferred.push(flush),
  );
  const runDeferred = () => {
    for (const flush of deferred.splice(0)) flush();
  };
  return { frames, sent, runDeferred };
}

describe('OutputFrames', () => {
  it('sends the chunks of one burst as one frame, in order, once the task is over', () => {
    const { frames, sent, runDeferred } = framesUnderTest();
    frames.push(Buffer.from('ab'), () => {});
    frames.push(Buffer.from('cde'), () => {});
    expect(sent).toEqual([]);
    expect(frames.pendingBytes).toBe(5);
    runDeferred();
    expect(sent.map((s) => s.frame.toString())).toEqual(['abcde']);
    expect(frames.pendingBytes).toBe(0);
  });

  it('runs every chunk’s callback once the socket has taken their frame', () => {
    const { frames, sent, runDeferred } = framesUnderTest();
    const calls: string[] = [];
    frames.push(Buffer.from('a'), () => calls.push('a'));
    frames.push(Buffer.from('b'), () => calls.push('b'));
    runDeferred();
    expect(calls).toEqual([]);
    sent[0]?.done();
    expect(calls).toEqual(['a', 'b']);
  });

  it('flushes at once for a message that must come after the output, and the deferred flush then finds nothing', () => {
    const { frames, sent, runDeferred } = framesUnderTest();
    frames.push(Buffer.from('last output'), () => {});
    frames.flush();
    expect(sent.map((s) => s.frame.toString())).toEqual(['last output']);
    runDeferred();
    expect(sent).toHaveLength(1);
  });

  it('sends a frame as soon as it reaches the maximum, so a long replay goes out in pieces', () => {
    const { frames, sent, runDeferred } = framesUnderTest();
    const piece = Buffer.alloc(MAX_FRAME_BYTES / 4);
    for (let i = 0; i < 5; i++) frames.push(piece, () => {});
    expect(sent.map((s) => s.frame.length)).toEqual([MAX_FRAME_BYTES]);
    runDeferred();
    expect(sent.map((s) => s.frame.length)).toEqual([MAX_FRAME_BYTES, MAX_FRAME_BYTES / 4]);
  });

  it('never sends a frame above the maximum: the chunk that would cross it starts the next frame', () => {
    const { frames, sent, runDeferred } = framesUnderTest();
    const piece = Buffer.alloc((MAX_FRAME_BYTES / 8) * 3);
    for (let i = 0; i < 3; i++) frames.push(piece, () => {});
    runDeferred();
    expect(sent.map((s) => s.frame.length)).toEqual([2 * piece.length, piece.length]);
  });

  it('splits a chunk larger than the maximum, and calls its callback once its last piece is sent', () => {
    const { frames, sent, runDeferred } = framesUnderTest();
    const calls: string[] = [];
    const chunk = Buffer.alloc(MAX_FRAME_BYTES * 2 + 10, 1);
    frames.push(chunk, () => calls.push('chunk'));
    runDeferred();
    expect(sent.map((s) => s.frame.length)).toEqual([MAX_FRAME_BYTES, MAX_FRAME_BYTES, 10]);
    expect(Buffer.concat(sent.map((s) => s.frame)).equals(chunk)).toBe(true);
    for (const s of sent.slice(0, 2)) s.done();
    expect(calls).toEqual([]);
    sent[2]?.done();
    expect(calls).toEqual(['chunk']);
  });

  it('drops what is gathered when the socket is gone (the replay buffer still holds it)', () => {
    const { frames, sent, runDeferred } = framesUnderTest();
    frames.push(Buffer.from('x'), () => {});
    frames.discard();
    runDeferred();
    expect(sent).toEqual([]);
    expect(frames.pendingBytes).toBe(0);
  });
});
