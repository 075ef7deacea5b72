import { GatewayWatchdog, type WatchedLeg } from './gateway-watchdog.js';

/** Clock, timers and wake-ups the watch runs on; the page's by default, a fake one in tests. */
export interface WatchEnvironment {
  /** Monotonic milliseconds: a wall-clock step must not look like silence. */
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Calls `listener` when the page is shown again or unfrozen; returns the unsubscribe. */
  onWake(listener: () => void): () => void;
}

/** What the transport tells the watch; it answers only by calling `onSilent`, once. */
export interface GatewayWatch {
  heard(): void;
  health(browser: WatchedLeg): void;
  stop(): void;
}

/**
 * Runs a GatewayWatchdog on real timers. A frame costs one assignment: the timer is armed for
 * the deadline and, when it fires to find the deadline moved, re-armed; never once per frame.
 */
export function startGatewayWatch(onSilent: (silentMs: number) => void, env: WatchEnvironment): GatewayWatch {
  const watchdog = new GatewayWatchdog(env.now());
  let timer: unknown;
  let scheduledFor: number | undefined;
  let stopped = false;

  function arm() {
    const at = watchdog.nextCheck;
    if (stopped || at === undefined) return;
    // A pending timer due no later than the deadline will re-arm when it fires.
    if (scheduledFor !== undefined && scheduledFor <= at) return;
    env.clearTimer(timer);
    scheduledFor = at;
    timer = env.setTimer(fire, Math.max(0, at - env.now()));
  }

  function fire() {
    const due = scheduledFor ?? env.now();
    scheduledFor = undefined;
    const decision = watchdog.check(env.now(), due);
    if (decision.kind !== 'dead') return arm();
    stop();
    onSilent(decision.silentMs);
  }

  function stop() {
    if (stopped) return;
    stopped = true;
    env.clearTimer(timer);
    scheduledFor = undefined;
    unsubscribe();
  }

  const unsubscribe = env.onWake(() => {
    watchdog.woke(env.now());
    arm();
  });

  return {
    heard: () => watchdog.heard(env.now()),
    health(browser) {
      watchdog.configure(browser, env.now());
      arm();
    },
    stop,
  };
}

/** The page's monotonic clock and timers; wakes are `visibilitychange` to visible, and `resume`. */
export function pageWatchEnvironment(doc: Document = document): WatchEnvironment {
  return {
    now: () => performance.now(),
    setTimer: (callback, ms) => setTimeout(callback, ms),
    clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
    onWake(listener) {
      const onVisibility = () => {
        if (doc.visibilityState === 'visible') listener();
      };
      doc.addEventListener('visibilitychange', onVisibility);
      // Chromium's Page Lifecycle: a frozen background page is unfrozen without becoming visible.
      doc.addEventListener('resume', listener);
      return () => {
        doc.removeEventListener('visibilitychange', onVisibility);
        doc.removeEventListener('resume', listener);
      };
    },
  };
}
