import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HeartbeatLoop } from '../heartbeat/heartbeat-loop.js';

export type HeartbeatLeg = 'ssh' | 'browser';

/** The gateway's Prometheus metrics, one registry per app (no global state, so tests stay apart). */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly rtt = new Histogram({
    name: 'vigil_heartbeat_rtt_seconds',
    help: 'Round-trip time of heartbeats: keepalive@openssh.com (ssh) and WebSocket ping (browser)',
    labelNames: ['leg'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly missed = new Counter({
    name: 'vigil_heartbeats_missed_total',
    help: 'Heartbeats that went a whole interval unanswered',
    labelNames: ['leg'],
    registers: [this.registry],
  });
  private readonly timeouts = new Counter({
    name: 'vigil_keepalive_timeouts_total',
    help: 'Legs dropped because CountMax heartbeats went unanswered',
    labelNames: ['leg'],
    registers: [this.registry],
  });

  readonly recordingFailures = new Counter({
    name: 'vigil_recording_failures_total',
    help: 'Session recordings that could not be written (the session went on unrecorded, or was ended by policy)',
    registers: [this.registry],
  });

  readonly activeSessions = new Gauge({
    name: 'vigil_sessions_active',
    help: 'SSH sessions the gateway holds',
    registers: [this.registry],
  });

  observe(leg: HeartbeatLeg, loop: HeartbeatLoop): void {
    loop.on('rtt', (ms) => this.rtt.observe({ leg }, ms / 1000));
    loop.on('miss', () => this.missed.inc({ leg }));
    loop.on('timeout', () => this.timeouts.inc({ leg }));
  }
}

export async function metricsEndpoint(app: FastifyInstance, { metrics }: { metrics: GatewayMetrics }) {
  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
