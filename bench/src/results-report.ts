import { writeFile } from 'node:fs/promises';
import type { BenchSettings } from './bench-settings.js';
import type { Figure, Verdict } from './figure.js';
import type { MachineDetails } from './machine-details.js';

const VERDICT_WORDS: Record<Verdict, string> = { pass: 'pass', miss: 'MISS', failed: 'FAILED', info: '—' };
const COLUMNS = ['figure', 'Vigil', 'baseline', 'ratio', 'goal', 'result'] as const;

const ANSI_COLOUR = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*m`, 'g');

/** One line of plain text: error messages from tools can carry colour codes and line breaks. */
function clean(text: string): string {
  return text.replace(ANSI_COLOUR, '').replace(/\s+/g, ' ').trim();
}

function cells(figure: Figure): string[] {
  const { figure: name, vigil, baseline, ratio, goal } = figure;
  return [name, vigil, baseline, ratio, goal, VERDICT_WORDS[figure.verdict]].map(clean);
}

/** The table for the terminal: aligned columns, notes numbered below. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = [[...COLUMNS], ...figures.map(cells)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  const notes = figures
    .map((figure, i) => (figure.notes ? `  [${i + 1}] ${figure.figure}: ${clean(figure.notes)}` : undefined))
    .filter((note) => note !== undefined);
  return [line(rows[0]!), rule, ...rows.slice(1).map(line), '', ...notes].join('\n');
}

function settingsLine(settings: BenchSettings): string {
  return [
    `figures: ${settings.only.join(', ')}`,
    `${settings.runs} run(s) of the whole set`,
    `/dev/zero ${settings.zeroMiB} MiB, random ${settings.randomMiB} MiB, ${settings.throughputRuns} run(s) per side`,
    `${settings.keystrokes} keystrokes per side`,
    `memory at ${settings.memorySessions.join(' and ')} sessions`,
    `heartbeat CPU: ${settings.heartbeatSessions} sessions, ${settings.cpuSeconds} s per setting`,
    `fidelity: ${settings.floodSessions} flooding + ${settings.idleSessions} idle sessions, ${settings.floodSeconds} s`,
    `browser: seq 1 ${settings.seqLines}, ${settings.ctrlCTries} Ctrl-C tries per renderer`,
    `sessions per replica: ${settings.replicaSessions}`,
  ].join('; ');
}

const METHOD = `
## How each figure is measured
- **Throughput**: \`stty raw -echo; head -c N SOURCE\` between two markers on the gateway's PTY
  shell, read by a headless protocol client that acknowledges like the browser (every 64 KiB
  and whenever its queue drains), against the same command typed into OpenSSH's \`ssh -tt\`
  (stdin and stdout pipes, no escape character, aes128-gcm as ssh2 negotiates) and, as a
  diagnostic, on a bare ssh2 PTY shell (xterm-256color, Nagle off, same algorithms). Every side's
  remote PTY is raw and non-echoing. Runs alternate ABBA. Every byte is counted and checked
  (all zero; SHA-256 of the random file); a lost, extra or wrong byte fails the bench. A second
  gateway with \`recordings.enabled: false\` runs in the same rotation as a diagnostic.
- **Keystroke echo**: one byte at a time into \`stty raw -echo; exec cat\` on the remote PTY, the
  next sent when its echo has arrived (plus 1 ms), in alternating blocks of 100 on a gateway
  session and a bare ssh2 session open side by side.
- **Memory per session**: gateway child process started with \`--expose-gc\`; RSS and V8 heap
  after full GCs, with N idle sessions (a WebSocket client attached to each, shell at its
  prompt) less the same process with none (after 10 sessions opened and closed, so code loaded
  on first use is in the baseline), divided by N. Each sample is taken once the process is idle:
  V8's memory reducer has given back the young generation that opening sessions grew (≤ 2 MiB
  resident) and RSS has stopped falling (≤ 256 KiB over 5 s), at most 60 s after the opening.
  A forced GC empties the young generation but leaves its pages resident, so a sample taken 3 s
  after opening charges up to 32 MiB of empty scratch room to the sessions; the notes give that
  figure too. Baseline: the same sessions held by a bare ssh2 client process, sampled the same
  way. Peer: the fixture's OpenSSH sshd with MaxStartups raised.
- **Heartbeat CPU**: \`process.cpuUsage()\` of the gateway child over the window, with N idle
  sessions at \`ServerAliveInterval 1\`, against the same N at \`ServerAliveInterval 0\`.
- **Heartbeat fidelity**: idle sessions heartbeat at 1 s while other sessions run \`yes\` as fast
  as the flow control lets them; ssh-leg \`health\` messages counted by state, RTT from
  \`lastRttMs\`. Baseline: the same idle sessions in a quiet window just before the flood. The
  flood's processes run on the same 2 cores as the gateway; two diagnostic runs tell causes
  apart: recordings off, and the gateway's event-loop thread real-time (SCHED_RR), which gives
  it the CPU it would have on a host of its own. The gateway thread's scheduler times
  (/proc/PID/task/PID/schedstat) show how long it waited for a CPU.
- **Browser**: headless Chromium (WebGL2 through SwiftShader, the page composited in software,
  as without GPU compositing) on the built web app, once with \`?renderer=webgl\` and once with
  \`?renderer=dom\`; \`window.vigil.renderer\` says which drew. The goals hold for the renderer
  the page picks when none is asked for (WebGL only where a GPU draws it); the other is a diagnostic.
  \`seq\`: until its last line is in \`window.vigil.term\`'s buffer. Ctrl-C: \`yes\` floods for
  1.5 s, then Ctrl-C through the page's keyboard, timed on the page's clock from the keydown to
  the end of parsing of the last write that held flood output (the terminal's \`write\` wrapped),
  over N tries. Baseline: the same commands on a bare ssh2 PTY shell, bytes arriving (no rendering).
- **Forwarded attach**: two gateway replicas in cluster mode (a real PostgreSQL with fsync on, one
  cluster secret), every session opened on the owner. A relayed page attaches to its session
  through the other replica, which carries it over the internal hop; the baseline page is
  attached to the owner itself. Echo: as above, alternating blocks on two sessions of the owner,
  one attached directly and one through the other replica (one session cannot serve both: an
  attach takes it over). Throughput: \`head -c N /dev/zero\` as above, every byte counted, a fresh
  session per run, runs ABBA.
- **Sessions per replica**: N idle sessions on one replica in cluster mode against a gateway
  without a database, in the same run: memory as the memory figure samples it, the open rate
  (16 at a time, each to its prompt, with the directory's insert against none), and the lease
  renewal that writes every session's byte counts in one statement, as PostgreSQL's
  pg_stat_statements times it (planning and execution, without the round trip), with none and
  with N sessions.
`;

/** bench/results.md: the machine, the table, the notes, and how the figures were taken. */
export async function writeResults(
  path: string,
  machine: MachineDetails,
  settings: BenchSettings,
  figures: readonly Figure[],
  seconds: number,
): Promise<void> {
  const row = (values: string[]) => `| ${values.map((v) => v.replaceAll('|', '\\|')).join(' | ')} |`;
  const text = [
    '# Vigil benchmark results',
    '',
    `Written by \`pnpm bench\` (${settings.quick ? 'quick run, VIGIL_BENCH_QUICK=1' : 'full run'}) in ` +
      `${Math.round(seconds)} s. Generated: rerun rather than edit.`,
    '',
    '## Machine',
    '| | |',
    '| --- | --- |',
    row(['Vigil', machine.vigil]),
    row(['CPU', machine.cpu]),
    row(['cores', String(machine.cores)]),
    row(['RAM', `${machine.ramGiB} GiB`]),
    row(['Node.js', machine.node]),
    row(['OpenSSH (sshd)', machine.openssh]),
    row(['OpenSSH (ssh)', machine.opensshClient]),
    row(['ssh2', machine.ssh2]),
    row(['Chromium', machine.chromium]),
    row(['kernel', machine.kernel]),
    row(['load average at start', machine.loadAverages.map((load, i) => `run ${i + 1}: ${load}`).join('; ')]),
    row(['date', machine.date]),
    '',
    '## Figures',
    'Each figure is measured side by side with its baseline in the same run.',
    settings.runs > 1
      ? `The whole set ran ${settings.runs} times: each number is min–max over the runs, and the ` +
        'worst run (the one closest to, or past, its goal) decides the result.'
      : 'One run: a single run shows no range; `--runs 3` gives each figure its spread.',
    '',
    row([...COLUMNS]),
    row(COLUMNS.map(() => '---')),
    ...figures.map((figure) => row(cells(figure))),
    '',
    '## Notes',
    ...figures.filter((f) => f.notes).map((f) => `- **${f.figure}**: ${clean(f.notes ?? '')}`),
    METHOD,
    '## Settings',
    settingsLine(settings),
    '',
  ].join('\n');
  await writeFile(path, text);
}
