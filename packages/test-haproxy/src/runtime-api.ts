import { connect } from 'node:net';

/** What `set server … state` accepts: in rotation, no new work (drain), or out (maintenance). */
export type ServerState = 'ready' | 'drain' | 'maint';

/**
 * One command to HAProxy's runtime API over its Unix socket. Without `prompt` HAProxy answers
 * one command and closes the connection, so the answer is everything until the close.
 */
export function runtimeCommand(socketPath: string, command: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`HAProxy's runtime API did not answer "${command}" within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.end(`${command}\n`);
  });
}

/**
 * The `status` column of `show stat` for each server of one backend: `UP`, `DOWN`, `MAINT`,
 * `DRAIN`, or a transition such as `UP 1/2` (up, one failed check of the two that take it down).
 */
export function serverStatuses(showStat: string, backend: string): Map<string, string> {
  const [header, ...rows] = showStat.split('\n').filter((line) => line.trim() !== '');
  if (header === undefined || !header.startsWith('# ')) {
    throw new Error(`unexpected answer to "show stat": ${showStat.slice(0, 200)}`);
  }
  const columns = header.slice(2).split(',');
  const at = (name: string) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`"show stat" has no ${name} column`);
    return index;
  };
  const [proxy, server, status] = [at('pxname'), at('svname'), at('status')];
  const statuses = new Map<string, string>();
  for (const row of rows) {
    const fields = row.split(',');
    const name = fields[server];
    if (fields[proxy] !== backend || name === undefined || name === 'BACKEND' || name === 'FRONTEND')
      continue;
    statuses.set(name, fields[status] ?? '');
  }
  return statuses;
}
