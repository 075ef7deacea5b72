import type { Timers } from '../terminal/resize-reporter.js';
import type { WatchEnvironment } from './gateway-watch.js';
import type { SessionSocket } from './session-connection.js';

/** Plays the gateway's end of the socket; `sent` holds what the page wrote, frames as sent. */
export class GatewaySide extends EventTarget {
  binaryType: BinaryType = 'blob';
  readyState = 0;
  readonly sent: (string | Uint8Array)[] = [];
  closedWith: number | undefined;

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView) {
    this.sent.push(typeof data === 'string' ? data : new Uint8Array(data as ArrayBuffer));
  }
  close(code?: number) {
    this.closedWith = code;
    this.drop(code ?? 1005);
  }
  accept() {
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }
  message(data: unknown) {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
  json(message: object) {
    this.message(JSON.stringify(message));
  }
  output(text: string) {
    this.message(new TextEncoder().encode(text).buffer);
  }
  drop(code = 1006) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code }));
  }
  messages() {
    return this.sent.filter((f) => typeof f === 'string').map((f) => JSON.parse(f as string));
  }
  frames() {
    return this.sent.filter((f): f is Uint8Array => typeof f !== 'string');
  }
  asSocket() {
    return this as unknown as SessionSocket;
  }
}

/**
 * The page's clock and timers, moved by hand; `freeze` stops timers as a frozen tab does.
 * Serves both the gateway watch and plain `Timers`.
 */
export class FakePage implements WatchEnvironment, Timers {
  time = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  private nextTimer = 1;
  private readonly wakeListeners = new Set<() => void>();

  now() {
    return this.time;
  }
  setTimer(callback: () => void, ms: number) {
    const id = this.nextTimer++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimer(handle: unknown) {
    this.timers.delete(handle as number);
  }
  setTimeout(callback: () => void, ms: number) {
    return this.setTimer(callback, ms);
  }
  clearTimeout(handle: unknown) {
    this.clearTimer(handle);
  }
  onWake(listener: () => void) {
    this.wakeListeners.add(listener);
    return () => this.wakeListeners.delete(listener);
  }
  /** Time passes with timers running on time. */
  advance(ms: number) {
    const end = this.time + ms;
    for (let next = this.due(end); next !== undefined; next = this.due(end)) {
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].callback();
    }
    this.time = end;
  }
  /** Time passes and no timer runs; the overdue ones run late, at the end. */
  freeze(ms: number) {
    this.time += ms;
    this.advance(0);
  }
  wake() {
    for (const listener of this.wakeListeners) listener();
  }
  pendingTimers() {
    return this.timers.size;
  }
  private due(end: number) {
    return [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
  }
}
