import {
  CLOSE_CODES,
  type ClientMessage,
  FLOW_CONTROL,
  type LegHealth,
  MAX_FRAME_BYTES,
  parseServerMessage,
  type ServerMessage,
} from '@vigil/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { WebSocket } from 'ws';
import { HOP_HEADER } from './hop-token.js';

/** The owner's internal terminal endpoint, reached only replica to replica (the balancer denies /internal/). */
export const INTERNAL_TERMINAL_PATH = '/internal/terminal';

export interface RelayEnds {
  /** The page's socket on this replica. */
  browser: WebSocket;
  /** This replica's own heartbeat towards the page, which the page sees as its `browser` leg. */
  browserLeg(): LegHealth;
  log: FastifyBaseLogger;
}

/**
 * Carries one page's attach to the replica that owns the session, unchanged: output positions,
 * acknowledgements, input and resizes pass as they are, so the owner's replay and flow window
 * work as if the page were its own. Only health is rewritten: the page's `browser` leg is this
 * replica's heartbeat towards it, and the owner's measure of the hop becomes `hop`.
 */
export class HopRelay {
  private readonly upstream: WebSocket;
  private lastHealth: Extract<ServerMessage, { type: 'health' }> | undefined;
  /** Output handed to the page's socket and not yet written out: the hop pauses above the window ceiling. */
  private unflushed = 0;
  private paused = false;
  private closed = false;

  constructor(
    ownerUrl: string,
    token: string,
    attach: Extract<ClientMessage, { type: 'attach' }>,
    private readonly ends: RelayEnds,
    onEnd: () => void,
  ) {
    const url = new URL(INTERNAL_TERMINAL_PATH, ownerUrl.replace(/^http/, 'ws'));
    this.upstream = new WebSocket(url, { headers: { [HOP_HEADER]: token }, maxPayload: MAX_FRAME_BYTES });
    this.upstream.on('open', () => this.upstream.send(JSON.stringify(attach)));
    this.upstream.on('message', (data: Buffer, isBinary: boolean) => this.fromOwner(data, isBinary));
    this.upstream.on('unexpected-response', (_request, response) => {
      ends.log.error({ status: response.statusCode, owner: ownerUrl }, 'the owning replica refused the hop');
      this.upstream.terminate();
    });
    this.upstream.on('error', (error) =>
      ends.log.warn({ err: error, owner: ownerUrl }, 'hop to the owning replica failed'),
    );
    this.upstream.on('close', (code: number) => {
      this.closed = true;
      // The owner's own verdicts (session ended, taken over, sign-in ended) reach the page as they
      // are; a hop that broke is a drop the page recovers from by reattaching.
      const pass = code >= 4000 && code <= 4999;
      if (ends.browser.readyState === ends.browser.OPEN)
        ends.browser.close(pass ? code : CLOSE_CODES.tryAgainLater);
      onEnd();
    });
  }

  /** A frame from the page, already checked by the caller (hop-only messages never pass). */
  forward(data: Buffer, isBinary: boolean) {
    if (this.upstream.readyState === this.upstream.OPEN) this.upstream.send(data, { binary: isBinary });
  }

  /** This replica's shortest round trip to the page, for the owner's flow window. */
  browserRtt(ms: number) {
    this.forward(Buffer.from(JSON.stringify({ type: 'hop-leg', browserRttMs: ms })), false);
  }

  /** The page's own leg changed: tell it, with the owner's last word on the other two. */
  pushHealth() {
    if (this.lastHealth) this.toBrowser(Buffer.from(JSON.stringify(this.rewrite(this.lastHealth))), false);
  }

  close() {
    if (!this.closed) this.upstream.close(1000);
  }

  private rewrite(health: Extract<ServerMessage, { type: 'health' }>): ServerMessage {
    return { ...health, browser: this.ends.browserLeg(), hop: health.browser };
  }

  private fromOwner(data: Buffer, isBinary: boolean) {
    if (isBinary) return this.toBrowser(data, true);
    const parsed = parseServerMessage(data.toString('utf8'));
    if (parsed.ok && parsed.message.type === 'health') {
      this.lastHealth = parsed.message;
      return this.toBrowser(Buffer.from(JSON.stringify(this.rewrite(parsed.message))), false);
    }
    this.toBrowser(data, false);
  }

  private toBrowser(data: Buffer, isBinary: boolean) {
    const browser = this.ends.browser;
    if (browser.readyState !== browser.OPEN) return;
    this.unflushed += data.length;
    browser.send(data, { binary: isBinary }, () => {
      this.unflushed -= data.length;
      if (this.paused && this.unflushed <= FLOW_CONTROL.windowFloor) {
        this.paused = false;
        this.upstream.resume();
      }
    });
    // The owner's window bounds what is unacknowledged; this only guards against a page that
    // acknowledges faster than its network takes the bytes.
    if (!this.paused && this.unflushed > FLOW_CONTROL.windowCeiling) {
      this.paused = true;
      this.upstream.pause();
    }
  }
}
