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
    case 'release':
      await Promise.all(shells.splice(0).map((shell) => shell.close()));
      return reply({ type: 'held', id: message.id, sessions: 0 });
    case 'stop':
      await Promise.all(shells.map((shell) => shell.close()));
      reply({ type: 'stopped', id: message.id });
      process.disconnect();
      return;
    default:
      throw new Error(`the ssh2 holder does not do "${message.type}"`);
  }
}

serveParent(handle, () => shells.length);
