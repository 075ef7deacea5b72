import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AsciicastRecorder } from './asciicast-recorder.js';
import { RecordingThread } from './recording-thread.js';

const thread = new RecordingThread();
afterAll(() => thread.stop());

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function recordingPath() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rec-'));
  dirs.push(dir);
  return join(dir, 'recordings', 's1.cast');
}
const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('AsciicastRecorder', () => {
  it('writes an asciicast v2 header and timed output events', async () => {
    let clock = 0;
    const path = recordingPath();
    const recorder = new AsciicastRecorder(
      thread,
      path,
      { cols: 80, rows: 24, timestamp: 1_700_000_000, title: 'web-1' },
      false,
      () => clock,
    );
    clock = 1500.25;
    recorder.recordOutput(Buffer.from('hello\r\n'));
    clock = 2000;
    recorder.recordResize(100, 30);
    await recorder.close();
    expect(lines(path)).toEqual([
      {
        version: 2,
        width: 80,
        height: 24,
        timestamp: 1_700_000_000,
        title: 'web-1',
        env: { TERM: 'xterm-256color' },
      },
      [1.50025, 'o', 'hello\r\n'],
      [2, 'r', '100x30'],
    ]);
  });

  it('keeps a UTF-8 character whole when it is split across chunks', async () => {
    const path = recordingPath();
    const recorder = new AsciicastRecorder(
      thread,
      path,
      { cols: 80, rows: 24, timestamp: 0, title: 't' },
      false,
    );
    const bytes = Buffer.from('漢🙂', 'utf8');
    recorder.recordOutput(bytes.subarray(0, 2));
    recorder.recordOutput(bytes.subarray(2, 5));
    recorder.recordOutput(bytes.subarray(5));
    await recorder.close();
    expect(
      lines(path)
        .slice(1)
        .map((event) => event[2])
        .join(''),
    ).toBe('漢🙂');
  });

  it('leaves input out unless asked, so typed secrets stay out of recordings', async () => {
    const without = recordingPath();
    const quiet = new AsciicastRecorder(
      thread,
      without,
      { cols: 80, rows: 24, timestamp: 0, title: 't' },
      false,
    );
    quiet.recordInput(Buffer.from('hunter2\r'));
    await quiet.close();
    expect(readFileSync(without, 'utf8')).not.toContain('hunter2');

    const withInput = recordingPath();
    const verbose = new AsciicastRecorder(
      thread,
      withInput,
      { cols: 80, rows: 24, timestamp: 0, title: 't' },
      true,
    );
    verbose.recordInput(Buffer.from('ls\r'));
    await verbose.close();
    expect(lines(withInput)[1]).toEqual([expect.any(Number), 'i', 'ls\r']);
  });

  it('reports a shrinking backlog even when the output writes nothing to the file', async () => {
    const recorder = new AsciicastRecorder(
      thread,
      recordingPath(),
      { cols: 80, rows: 24, timestamp: 0, title: 't' },
      false,
    );
    const drained = new Promise((resolve) => recorder.once('drain', () => resolve(undefined)));
    recorder.recordOutput(Buffer.alloc(100_000));
    expect(recorder.backlog()).toBe(100_000);
    await drained;
    expect(recorder.backlog()).toBe(0);
    await recorder.close();
  });

  it('keeps the events of recordings that share a batch apart and in order', async () => {
    let clock = 0;
    const header = { cols: 80, rows: 24, timestamp: 0, title: 't' };
    const paths = [recordingPath(), recordingPath()];
    const [a, b] = paths.map((path) => new AsciicastRecorder(thread, path, header, false, () => clock));
    a!.recordOutput(Buffer.from('a1'));
    b!.recordOutput(Buffer.from('b1'));
    await new Promise((resolve) => setImmediate(resolve));
    clock = 1000;
    a!.recordResize(90, 30);
    b!.recordOutput(Buffer.from('b2'));
    a!.recordOutput(Buffer.from('a2'));
    await Promise.all([a!.close(), b!.close()]);
    expect(lines(paths[0]!).slice(1)).toEqual([
      [0, 'o', 'a1'],
      [1, 'r', '90x30'],
      [1, 'o', 'a2'],
    ]);
    expect(lines(paths[1]!).slice(1)).toEqual([
      [0, 'o', 'b1'],
      [1, 'o', 'b2'],
    ]);
  });

  it('writes output of many batches whole, and the backlog falls to nothing', async () => {
    const path = recordingPath();
    const recorder = new AsciicastRecorder(
      thread,
      path,
      { cols: 80, rows: 24, timestamp: 0, title: 't' },
      false,
    );
    const text = Array.from({ length: 150_000 }, (_, k) => `line ${k} "quoted" \\ é\r\n`).join('');
    const bytes = Buffer.from(text);
    // One SSH read per event-loop turn, as a flood arrives.
    for (let at = 0; at < bytes.length; at += 48 * 1024) {
      recorder.recordOutput(bytes.subarray(at, at + 48 * 1024));
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The last batch goes to the thread without a close: at the latest HAND_OVER_MS later.
    await new Promise((resolve) => {
      const check = () => recorder.backlog() === 0 && resolve(undefined);
      recorder.on('drain', check);
      check();
    });
    await recorder.close();
    const events = lines(path).slice(1);
    expect(bytes.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(events.map((event) => event[2]).join('')).toBe(text);
  });

  it('never overwrites an existing recording', async () => {
    const path = recordingPath();
    await new AsciicastRecorder(
      thread,
      path,
      { cols: 80, rows: 24, timestamp: 0, title: 't' },
      false,
    ).close();
    const second = new AsciicastRecorder(
      thread,
      path,
      { cols: 80, rows: 24, timestamp: 0, title: 't' },
      false,
    );
    await expect(second.close()).rejects.toThrow(/EEXIST/);
  });
});
