/**
 * The memory baseline: a process that holds idle PTY shells over bare ssh2 clients, exactly as
 * the gateway opens them but with no WebSocket, session or heartbeat around them. Started with
 * --expose-gc and queried over IPC like gateway-process.ts.
 */
import { DirectShell, type SshLogin } from './direct-shell.js';
import { type ParentMessage, reply, serveParent } from './ipc-messages.js';
import { atPrompt, inBatches } from './session-pool.js';

let login: SshLogin | undefined;
const shells: DirectShell[] = [];
let stopKeepalives: (() => void) | undefined;

/**
 * A keepalive on every shell each `intervalMs`, with the gateway's own request on the gateway's
 * own ticks and nothing else of the gateway (no monitor, health or metrics): what the keepalives
 * themselves cost on this machine. Loaded only when asked, so the memory baseline stays bare ssh2.
 */
async function keepalive(intervalMs: number): Promise<void> {
  stopKeepalives?.();
  stopKeepalives = undefined;
  if (intervalMs <= 0) return;
  const { CheckTicks, sendKeepalive } = await import('@vigil/gateway');
  const ticks = new CheckTicks();
  const beats = shells.map((shell, index) => {
    // Spread over the interval as sessions opened one after another are.
    let due = performance.now() + (index * intervalMs) / shells.length;
    const beat = () => {
      sendKeepalive(shell.client, () => {});
      due += intervalMs;
      ticks.schedule(due, beat);
    };
    ticks.schedule(due, beat);
    return beat;
  });
  stopKeepalives = () => {
    for (const beat of beats) ticks.cancel(beat);
  };
}

async function hold(count: number, concurrency: number): Promise<void> {
  if (login === undefined) throw new Error('hold before start');
  const from = login;
  await inBatches(count, concurrency, async () => {
    const shell = await DirectShell.open(from);
    shells.push(shell);
    await atPrompt(shell);
  });
}

async function handle(message: ParentMessage): Promise<void> {
  switch (message.type) {
    case 'start':
      login = message.config as unknown as SshLogin;
      // No port to offer: the holder only dials out.
      return reply({ type: 'ready', port: 0 });
    case 'hold':
      await hold(message.count, message.concurrency);
      return reply({ type: 'held', id: message.id, sessions: shells.length });
    case 'keepalive':
      await keepalive(message.intervalMs);
      return reply({ type: 'held', id: message.id, sessions: shells.length });
    case 'release':
      await Promise.all(shells.splice(0).map((shell) => shell.close()));
      return reply({ type: 'held', id: message.id, sessions: 0 });
    case 'stop':
      stopKeepalives?.();
      await Promise.all(shells.map((shell) => shell.close()));
      reply({ type: 'stopped', id: message.id });
      process.disconnect();
      return;
    default:
      throw new Error(`the ssh2 holder does not do "${message.type}"`);
  }
}

serveParent(handle, () => shells.length);
