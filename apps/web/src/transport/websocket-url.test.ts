import { describe, expect, it } from 'vitest';
import { websocketUrl } from './websocket-url.js';

describe('websocketUrl', () => {
  it('uses ws: beside an http: page, keeping host and port', () => {
    expect(websocketUrl({ protocol: 'http:', host: '127.0.0.1:8022' })).toBe('ws://127.0.0.1:8022/ws');
  });

  it('uses wss: beside an https: page', () => {
    expect(websocketUrl({ protocol: 'https:', host: 'vigil.example.org' })).toBe(
      'wss://vigil.example.org/ws',
    );
  });
});
