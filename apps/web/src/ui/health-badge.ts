import type { LegHealth } from '@vigil/protocol';
import type { SessionHealth } from '../transport/session-connection.js';
import { elementById } from './element-by-id.js';
import {
  type BadgeState,
  badgeTitle,
  badgeWords,
  type LegDetailKey,
  legDetails,
  tcpKeepAliveText,
} from './health-words.js';

/** The session's heartbeat health next to the status line; the panel has both legs' figures. */
export interface HealthBadge {
  /** A session starts: the badge appears and waits for the first `health` message. */
  connecting(): void;
  health(health: SessionHealth): void;
  /** The gateway gave up on the target (KEEPALIVE_TIMEOUT), whether or not a `lost` health came first. */
  sshLost(): void;
  /** The connection to the gateway is gone (it dropped, or the page judged it dead); the page is reconnecting. */
  reconnecting(): void;
  /** No session to report on. */
  hide(): void;
}

/** `hop` only when another replica holds the session; its column shows then (`#health-table[data-hop]`). */
const LEGS = ['ssh', 'browser', 'hop'] as const;
const DETAIL_KEYS: LegDetailKey[] = [
  'state',
  'interval',
  'count-max',
  'last-rtt',
  'rtt-p50',
  'rtt-p95',
  'last-reply',
];
const REFRESH_MS = 1000;

/**
 * `#health-badge` (a polite live region holding the `#health-toggle` button, with `data-state`)
 * and `#health-details`, whose cells are `[data-health="<leg>-<key>"]` and `tcp-keepalive`.
 */
export function createHealthBadge(now: () => number = () => performance.now()): HealthBadge {
  const area = elementById('health', HTMLElement);
  const badge = elementById('health-badge', HTMLElement);
  const toggle = elementById('health-toggle', HTMLButtonElement);
  const word = elementById('health-word', HTMLElement);
  const detail = elementById('health-detail', HTMLElement);
  const panel = elementById('health-details', HTMLElement);
  const cell = (name: string) => {
    const found = panel.querySelector(`[data-health="${name}"]`);
    if (!(found instanceof HTMLElement)) throw new Error(`[data-health="${name}"] is missing`);
    return found;
  };
  const cells = new Map<string, HTMLElement>();
  for (const leg of LEGS) for (const key of DETAIL_KEYS) cells.set(`${leg}-${key}`, cell(`${leg}-${key}`));
  const tcpKeepAlive = cell('tcp-keepalive');
  const table = elementById('health-table', HTMLTableElement);

  /** The last health message and when it arrived, on the page's monotonic clock. */
  let last: { health: SessionHealth; receivedAt: number } | undefined;
  let refresh: ReturnType<typeof setInterval> | undefined;

  const fillPanel = () => {
    const since = last ? now() - last.receivedAt : 0;
    table.toggleAttribute('data-hop', last?.health.hop !== undefined);
    for (const leg of LEGS) {
      const health = last?.health[leg];
      const texts = health ? legDetails(health, since) : undefined;
      for (const key of DETAIL_KEYS) setText(cells.get(`${leg}-${key}`), texts?.[key] ?? '—');
    }
    setText(tcpKeepAlive, last ? tcpKeepAliveText(last.health.tcpKeepAlive) : '—');
  };

  const show = (state: BadgeState) => {
    area.hidden = false;
    badge.dataset.state = state;
    const words = badgeWords(state, last?.health.ssh);
    // Only a new word is announced; the round trip beside it changes every heartbeat.
    setText(word, words.word);
    setText(detail, words.detail);
    toggle.title = badgeTitle(last?.health.ssh);
    if (!panel.hidden) fillPanel();
  };

  const onOutside = (event: PointerEvent) => {
    if (!area.contains(event.target as Node | null)) setPanelOpen(false);
  };

  const setPanelOpen = (open: boolean) => {
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    clearInterval(refresh);
    document.removeEventListener('pointerdown', onOutside);
    if (!open) return;
    fillPanel();
    // "Last reply" keeps counting between health messages, which come only on a change.
    refresh = setInterval(fillPanel, REFRESH_MS);
    document.addEventListener('pointerdown', onOutside);
  };

  toggle.addEventListener('click', () => setPanelOpen(panel.hidden));
  area.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || panel.hidden) return;
    setPanelOpen(false);
    toggle.focus();
  });

  return {
    connecting() {
      last = undefined;
      setPanelOpen(false);
      show('connecting');
    },
    health(health) {
      last = { health, receivedAt: now() };
      show(health.ssh.state);
    },
    sshLost() {
      if (last) last = { ...last, health: { ...last.health, ssh: lostLeg(last.health.ssh) } };
      show('lost');
    },
    reconnecting() {
      show('reconnecting');
    },
    hide() {
      setPanelOpen(false);
      area.hidden = true;
      last = undefined;
    },
  };
}

/** The SSH leg as the gateway left it when it gave up: every allowed heartbeat missed. */
function lostLeg(ssh: LegHealth): LegHealth {
  return { ...ssh, state: 'lost', missed: ssh.countMax };
}

function setText(element: HTMLElement | undefined, text: string) {
  if (element && element.textContent !== text) element.textContent = text;
}
