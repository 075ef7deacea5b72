import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SshdFixture } from '@vigil/test-sshd';
import { OutputListener, type TerminalStream } from './terminal-stream.js';

/** What `ssh` needs from the fixture, written to files it can read. */
type OpenSshLogin = Pick<SshdFixture, 'host' | 'port' | 'user' | 'privateKey' | 'knownHosts'>;

/**
 * The baseline people compare a web terminal with: OpenSSH's own client, `ssh -tt`, its stdin and
 * stdout pipes held by the bench. With stdin not a terminal, ssh leaves no local tty in raw mode
 * and passes the remote PTY's bytes through untouched; the remote side is the same PTY shell as
 * the other sides (xterm-256color, LANG=C.UTF-8), set raw and non-echoing by the payload's command.
 */
export class OpenSshShell implements TerminalStream {
  received = 0;
  private readonly output = new OutputListener();
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      this.output.deliver(chunk);
    });
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
  }

  /** `dir` holds the key and known_hosts files; the fixture's user logs in with its key. */
  static async open(sshd: OpenSshLogin, dir: string): Promise<OpenSshShell> {
    const key = join(dir, 'openssh-id');
    const knownHosts = join(dir, 'openssh-known-hosts');
    await writeFile(key, sshd.privateKey, { mode: 0o600 });
    await writeFile(knownHosts, sshd.knownHosts);
    const options = {
      BatchMode: 'yes',
      IdentitiesOnly: 'yes',
      StrictHostKeyChecking: 'yes',
      UserKnownHostsFile: knownHosts,
      GlobalKnownHostsFile: '/dev/null',
      SetEnv: 'LANG=C.UTF-8',
      // The cipher ssh2 negotiates on a CPU with AES-NI (OpenSSH would pick chacha20-poly1305):
      // the comparison is of the relay, not of two ciphers.
      Ciphers: 'aes128-gcm@openssh.com',
    };
    const args = [
      '-tt',
      // No ~ escapes: a payload byte after a newline must not be read as a command to ssh.
      ['-e', 'none'],
      ['-F', '/dev/null'],
      ['-i', key],
      ['-p', String(sshd.port)],
      Object.entries(options).map(([name, value]) => ['-o', `${name}=${value}`]),
      `${sshd.user}@${sshd.host}`,
    ].flat(2);
    const child = spawn('ssh', args, { env: { ...process.env, TERM: 'xterm-256color' } });
    const shell = new OpenSshShell(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-500);
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    shell.exited.then(() => {
      if (stderr.trim() !== '' && shell.received === 0) shell.output.deliver(Buffer.from(stderr));
    });
    return shell;
  }

  onOutput(listener: (chunk: Buffer) => void): void {
    this.output.set(listener);
  }

  type(data: string | Buffer): void {
    this.child.stdin.write(data);
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    this.child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }
}
