import { setTimeout as sleep } from 'node:timers/promises';
import { attempt, type BenchContext, type FigureModule, judge, ratioText } from './figure.js';
import { type GatewayUnderBench, startGateway, TARGETS, type TargetName } from './gateway-harness.js';
import { roundTrips, rttBuckets } from './heartbeat-metrics.js';
import { coreShare, startSshHolder } from './measured-child.js';
import { closeSessions, openIdleSessions } from './session-pool.js';

const GOAL_PERCENT = 5;
const SETTLE_MS = 3_000;

interface Window {
  /** Gateway CPU over the window, in percent of one core. */
  percent: number;
  /** The kernel's share of it (system time): socket writes on loopback dominate a keepalive's cost. */
  systemPercent: number;
  /** Keepalive round trips the gateway recorded (its /metrics histogram). */
  roundTrips: number;
  /** ssh-leg health messages with a new round-trip time that the clients received. */
  healthPushes: number;
  falseMisses: number;
}

async function idleWindow(
  context: BenchContext,
  gateway: GatewayUnderBench,
  target: TargetName,
  count: number,
): Promise<Window> {
  const { settings, sshd } = context;
  const clients = await openIdleSessions(
    gateway.wsUrl,
    target,
    sshd,
    count,
    settings.openConcurrency,
    context.log,
  );
  try {
    await sleep(SETTLE_MS);
    let healthPushes = 0;
    let falseMisses = 0;
    for (const client of clients) {
      let lastRtt: number | undefined;
      client.onHealth = ({ ssh }) => {
        if (ssh.state === 'missed' || ssh.state === 'lost') falseMisses++;
        if (ssh.lastRttMs !== undefined && ssh.lastRttMs !== lastRtt) healthPushes++;
        lastRtt = ssh.lastRttMs;
      };
    }
    const scraped = await rttBuckets(gateway.url);
    const { before, after } = await gateway.profile(target, async () => {
      const before = await gateway.child.cpu();
      await sleep(settings.cpuSeconds * 1000);
      return { before, after: await gateway.child.cpu() };
    });
    const trips = roundTrips(scraped, await rttBuckets(gateway.url));
    for (const client of clients) client.onHealth = undefined;
    const ended = clients.filter((client) => client.fatal !== undefined || client.exit !== undefined);
    if (ended.length > 0) throw new Error(`${ended.length} idle sessions ended: ${ended[0]?.fatal?.message}`);
    const systemPercent = ((after.system - before.system) / ((after.at - before.at) * 1000)) * 100;
    return {
      percent: coreShare(before, after) * 100,
      systemPercent,
      roundTrips: trips,
      healthPushes,
      falseMisses,
    };
  } finally {
    await closeSessions(clients);
  }
}

interface Floor {
  /** Cost of the keepalives in percent of one core (on − off), and the kernel's part of it. */
  percent: number;
  systemPercent: number;
}

/**
 * The machine's floor: the same number of bare ssh2 sessions in a process of their own, sending
 * the gateway's keepalive request on the gateway's ticks, with nothing else of the gateway. What
 * that costs is what the machine charges for a keepalive round trip (ssh2's packet path, the
 * loopback socket writes and the wake-ups of sshd): Vigil's own share is the rest.
 */
async function keepaliveFloor(context: BenchContext, count: number): Promise<Floor> {
  const { settings, sshd } = context;
  const holder = await startSshHolder(sshd);
  try {
    await holder.hold(count, settings.openConcurrency, count * 1_000 + 60_000);
    const window = async () => {
      await sleep(SETTLE_MS);
      const before = await holder.cpu();
      await sleep(settings.cpuSeconds * 1000);
      const after = await holder.cpu();
      const system = ((after.system - before.system) / ((after.at - before.at) * 1000)) * 100;
      return { percent: coreShare(before, after) * 100, system };
    };
    const off = await window();
    await holder.keepalive(1000);
    const on = await window();
    await holder.keepalive(0);
    return { percent: on.percent - off.percent, systemPercent: on.system - off.system };
  } finally {
    await holder.stop();
  }
}

/** Figure 4: gateway CPU with N idle sessions heartbeating every second, against heartbeats off. */
export const heartbeatCpu: FigureModule = (context) => {
  const { heartbeatSessions: count, cpuSeconds } = context.settings;
  return attempt(`Heartbeat CPU, ${count} idle sessions`, `≤ ${GOAL_PERCENT} % of a core`, async () => {
    const gateway = await startGateway(context, 'heartbeat-cpu');
    let off: Window;
    let on: Window;
    try {
      off = await idleWindow(context, gateway, TARGETS.heartbeatsOff, count);
      context.log(`    heartbeats off: ${off.percent.toFixed(2)} % of a core`);
      await sleep(SETTLE_MS);
      on = await idleWindow(context, gateway, TARGETS.heartbeatsEverySecond, count);
      context.log(`    heartbeats every 1 s: ${on.percent.toFixed(2)} % of a core`);
    } finally {
      await gateway.stop();
    }
    const floor = await keepaliveFloor(context, count);
    context.log(`    bare ssh2, the same keepalives: ${floor.percent.toFixed(2)} % of a core`);
    // The gateway's own count proves the heartbeats ran, and that the "off" window had none.
    const expected = count * cpuSeconds;
    if (on.roundTrips < 0.8 * expected || off.roundTrips > 0) {
      throw new Error(
        `${on.roundTrips} keepalive round trips with heartbeats on (about ${expected} expected), ` +
          `${off.roundTrips} with them off: the settings did not take`,
      );
    }
    const cost = on.percent - off.percent;
    const microsPerRoundTrip = ((cost / 100) * cpuSeconds * 1e6) / on.roundTrips;
    return [
      {
        figure: `Heartbeat CPU, ${count} idle sessions, ServerAliveInterval 1`,
        vigil: `${on.percent.toFixed(2)} % of a core`,
        baseline: `${off.percent.toFixed(2)} % (heartbeats off)`,
        ratio: ratioText(on.percent, off.percent),
        goal: `≤ ${GOAL_PERCENT} % of a core (on − off)`,
        ...judge(cost, '≤', GOAL_PERCENT),
        notes:
          `cost of heartbeats ${cost.toFixed(2)} % of a core over ${cpuSeconds} s ` +
          `(kernel time ${on.systemPercent.toFixed(2)} % on, ${off.systemPercent.toFixed(2)} % off); ` +
          `${(on.roundTrips / cpuSeconds).toFixed(0)} keepalive round trips/s, ` +
          `≈ ${microsPerRoundTrip.toFixed(0)} µs of gateway CPU each; ` +
          `${(on.healthPushes / cpuSeconds).toFixed(0)} health messages/s with a new RTT; ` +
          `false misses ${on.falseMisses}; ` +
          `the machine's floor, bare ssh2 sending the same keepalives on the same ticks: ` +
          `${floor.percent.toFixed(2)} % of a core (kernel ${floor.systemPercent.toFixed(2)} %), ` +
          `so Vigil's own share is ${(cost - floor.percent).toFixed(2)} %`,
      },
    ];
  });
};
