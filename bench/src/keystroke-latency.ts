import { setTimeout as sleep } from 'node:timers/promises';
import { openBenchSession } from './bench-client.js';
import { DirectShell } from './direct-shell.js';
import { attempt, type FigureModule, judge, ms, ratioText, signedMs } from './figure.js';
import { startGateway, TARGETS } from './gateway-harness.js';
import { percentile } from './percentiles.js';
import { printMarker, type TerminalStream, waitForOutput } from './terminal-stream.js';

const WARM_UP = 100;
const BLOCK = 100;
const ECHO_TIMEOUT_MS = 5_000;
/** A pause between keystrokes, so each starts from an idle event loop as a typed key would. */
const PAUSE_MS = 1;
const GOALS = { p50: 0.3, p99: 1 } as const;

/** `cat` on a raw, non-echoing PTY: every byte comes back exactly once, nothing else is written. */
async function startEcho(stream: TerminalStream): Promise<void> {
  const ready = waitForOutput(stream, 'VIGIL-ECHO-READY', 30_000);
  stream.type(`stty raw -echo; ${printMarker('VIGIL-ECHO-READY')}; exec cat\r`);
  await ready;
}

/** Sends one byte and resolves with the milliseconds until exactly that byte came back. */
function keystroke(stream: TerminalStream, byte: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no echo within ${ECHO_TIMEOUT_MS} ms`)),
      ECHO_TIMEOUT_MS,
    );
    const sentAt = performance.now();
    stream.onOutput((chunk) => {
      const at = performance.now();
      clearTimeout(timer);
      stream.onOutput(() => {});
      if (chunk.length === 1 && chunk[0] === byte) resolve(at - sentAt);
      else reject(new Error(`sent ${byte}, got back ${JSON.stringify(chunk.toString('latin1'))}`));
    });
    stream.type(Buffer.of(byte));
  });
}

async function block(stream: TerminalStream, count: number, into: number[] | undefined): Promise<void> {
  for (let i = 0; i < count; i++) {
    const rtt = await keystroke(stream, 0x61 + (i % 26));
    into?.push(rtt);
    await sleep(PAUSE_MS);
  }
}

/** Figure 2: keystroke echo round trip through the gateway against bare ssh2, p50 and p99. */
export const keystrokeLatency: FigureModule = (context) =>
  attempt('Keystroke echo', `≤ +${GOALS.p50} ms p50, ≤ +${GOALS.p99} ms p99`, async () => {
    const { settings, sshd } = context;
    const gateway = await startGateway(context, 'keystrokes');
    const streams: TerminalStream[] = [];
    const vigil: number[] = [];
    const direct: number[] = [];
    try {
      const client = await openBenchSession(gateway.wsUrl, TARGETS.default, sshd);
      streams.push(client);
      const shell = await DirectShell.open(sshd);
      streams.push(shell);
      await Promise.all([startEcho(client), startEcho(shell)]);
      await block(client, WARM_UP, undefined);
      await block(shell, WARM_UP, undefined);
      // Alternating blocks: both paths see the same moments of machine noise.
      await gateway.profile('keystrokes', async () => {
        while (vigil.length < settings.keystrokes || direct.length < settings.keystrokes) {
          await block(client, Math.min(BLOCK, settings.keystrokes - vigil.length), vigil);
          await block(shell, Math.min(BLOCK, settings.keystrokes - direct.length), direct);
        }
      });
      if (client.errors.length > 0) throw new Error(`the gateway refused: ${client.errors.join('; ')}`);
    } finally {
      await Promise.all(streams.map((s) => s.close()));
      await gateway.stop();
    }
    const p = (samples: number[], q: number) => percentile(samples, q);
    const spread = (samples: number[]) =>
      `p90 ${ms(p(samples, 90))}, p99.9 ${ms(p(samples, 99.9))}, max ${ms(Math.max(...samples))}`;
    return (['p50', 'p99'] as const).map((which) => {
      const q = which === 'p50' ? 50 : 99;
      const v = p(vigil, q);
      const d = p(direct, q);
      return {
        figure: `Keystroke echo ${which} (${settings.keystrokes} keys)`,
        vigil: `${ms(v)} (${signedMs(v - d)})`,
        baseline: ms(d),
        ratio: ratioText(v, d),
        goal: `≤ +${GOALS[which]} ms`,
        ...judge(v - d, '≤', GOALS[which]),
        notes:
          which === 'p99'
            ? `vigil ${spread(vigil)}; direct ${spread(direct)}; echo by \`cat\` on a raw PTY`
            : undefined,
      };
    });
  });
