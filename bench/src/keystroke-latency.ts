import { openBenchSession } from './bench-client.js';
import { DirectShell } from './direct-shell.js';
import { alternatingEchoes, echoSpread, startEcho } from './echo-round-trip.js';
import { attempt, type FigureModule, judge, ms, ratioText, signedMs } from './figure.js';
import { startGateway, TARGETS } from './gateway-harness.js';
import { percentile } from './percentiles.js';
import type { TerminalStream } from './terminal-stream.js';

const GOALS = { p50: 0.3, p99: 1 } as const;

/** Figure 2: keystroke echo round trip through the gateway against bare ssh2, p50 and p99. */
export const keystrokeLatency: FigureModule = (context) =>
  attempt('Keystroke echo', `≤ +${GOALS.p50} ms p50, ≤ +${GOALS.p99} ms p99`, async () => {
    const { settings, sshd } = context;
    const gateway = await startGateway(context, 'keystrokes');
    const streams: TerminalStream[] = [];
    let vigil: number[] = [];
    let direct: number[] = [];
    try {
      const client = await openBenchSession(gateway.wsUrl, TARGETS.default, sshd);
      streams.push(client);
      const shell = await DirectShell.open(sshd);
      streams.push(shell);
      await Promise.all([startEcho(client), startEcho(shell)]);
      [vigil, direct] = await gateway.profile('keystrokes', () =>
        alternatingEchoes([client, shell], settings.keystrokes),
      );
      if (client.errors.length > 0) throw new Error(`the gateway refused: ${client.errors.join('; ')}`);
    } finally {
      await Promise.all(streams.map((s) => s.close()));
      await gateway.stop();
    }
    const p = (samples: number[], q: number) => percentile(samples, q);
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
            ? `vigil ${echoSpread(vigil)}; direct ${echoSpread(direct)}; echo by \`cat\` on a raw PTY`
            : undefined,
      };
    });
  });
