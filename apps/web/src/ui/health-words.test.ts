import type { LegHealth } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import {
  agoText,
  type BadgeState,
  badgeTitle,
  badgeWords,
  intervalText,
  legDetails,
  rttText,
  tcpKeepAliveText,
} from './health-words.js';

const ssh: LegHealth = {
  state: 'live',
  missed: 0,
  countMax: 3,
  intervalMs: 1000,
  lastRttMs: 12.4,
  rttP50Ms: 0.8,
  rttP95Ms: 31.6,
  lastReplyAgoMs: 300,
};

/** The badge's whole text, as `#health-badge` shows it. */
function badgeText(state: BadgeState, leg?: LegHealth) {
  const { word, detail } = badgeWords(state, leg);
  return word + detail;
}

describe('badge words', () => {
  it('says live with the last SSH round trip, or live alone before the first', () => {
    expect(badgeText('live', ssh)).toBe('live · 12 ms');
    expect(badgeText('live', { ...ssh, lastRttMs: 0.43 })).toBe('live · 0.4 ms');
    expect(badgeText('live', { ...ssh, lastRttMs: undefined })).toBe('live');
  });

  it('counts missed heartbeats against ServerAliveCountMax', () => {
    expect(badgeText('missed', { ...ssh, missed: 1 })).toBe('missed 1 of 3');
    expect(badgeText('missed', { ...ssh, missed: 2 })).toBe('missed 2 of 3');
  });

  it('words the other states exactly', () => {
    expect(badgeText('lost', ssh)).toBe('lost — server not responding');
    expect(badgeText('lost')).toBe('lost — server not responding');
    expect(badgeText('reconnecting')).toBe('reconnecting…');
    expect(badgeText('off', ssh)).toBe('heartbeats off');
    expect(badgeText('connecting')).toBe('connecting…');
  });

  it('keeps the round trip out of the announced word', () => {
    expect(badgeWords('live', ssh)).toEqual({ word: 'live', detail: ' · 12 ms' });
    expect(badgeWords('missed', { ...ssh, missed: 1 })).toEqual({ word: 'missed 1 of 3', detail: '' });
  });
});

describe('rttText', () => {
  it('gives one decimal below 10 ms and whole milliseconds above', () => {
    expect(rttText(0.36)).toBe('0.4 ms');
    expect(rttText(3)).toBe('3.0 ms');
    expect(rttText(9.94)).toBe('9.9 ms');
    // Rounds to 10.0, which is no longer "below 10".
    expect(rttText(9.96)).toBe('10 ms');
    expect(rttText(12.5)).toBe('13 ms');
    expect(rttText(1234.4)).toBe('1234 ms');
  });
});

describe('intervalText', () => {
  it('gives seconds as ssh_config does, and off for 0', () => {
    expect(intervalText(1000)).toBe('1 s');
    expect(intervalText(20_000)).toBe('20 s');
    expect(intervalText(1500)).toBe('1.5 s');
    expect(intervalText(0)).toBe('off');
  });
});

describe('agoText', () => {
  it('uses tenths of a second, then seconds, then minutes', () => {
    expect(agoText(300)).toBe('0.3 s ago');
    expect(agoText(9949)).toBe('9.9 s ago');
    expect(agoText(9950)).toBe('10 s ago');
    expect(agoText(61_400)).toBe('61 s ago');
    expect(agoText(185_000)).toBe('3 min 5 s ago');
  });
});

describe('legDetails', () => {
  it('lists interval, count max, round trips and the last reply', () => {
    expect(legDetails(ssh, 0)).toEqual({
      state: 'live',
      interval: '1 s',
      'count-max': '3',
      'last-rtt': '12 ms',
      'rtt-p50': '0.8 ms',
      'rtt-p95': '32 ms',
      'last-reply': '0.3 s ago',
    });
  });

  it('adds the time since the message arrived to the last reply', () => {
    expect(legDetails(ssh, 2000)['last-reply']).toBe('2.3 s ago');
  });

  it('shows a dash for what is not known yet', () => {
    const fresh: LegHealth = { state: 'live', missed: 0, countMax: 2, intervalMs: 20_000 };
    expect(legDetails(fresh, 5000)).toMatchObject({
      'last-rtt': '—',
      'rtt-p50': '—',
      'rtt-p95': '—',
      'last-reply': '—',
    });
  });

  it('says how many replies are missing', () => {
    expect(legDetails({ ...ssh, state: 'missed', missed: 2 }, 0).state).toBe('missing replies (2 of 3)');
    expect(legDetails({ ...ssh, state: 'lost', missed: 3 }, 0).state).toBe('lost (3 of 3)');
    expect(legDetails({ ...ssh, state: 'off', intervalMs: 0 }, 0)).toMatchObject({
      state: 'off',
      interval: 'off',
    });
  });
});

describe('tcpKeepAliveText and badgeTitle', () => {
  it('word the rest', () => {
    expect(tcpKeepAliveText(true)).toBe('on');
    expect(tcpKeepAliveText(false)).toBe('off');
    expect(badgeTitle(ssh)).toBe(
      'SSH heartbeat every 1 s, up to 3 missed; last round trip 12 ms. Select for connection details.',
    );
    expect(badgeTitle({ ...ssh, state: 'off', intervalMs: 0 })).toBe(
      'SSH heartbeats are off for this target. Select for connection details.',
    );
    expect(badgeTitle(undefined)).toBe('Select for connection details.');
  });
});
