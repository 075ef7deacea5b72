import { createInterface } from 'node:readline';
import { type Readable, Writable } from 'node:stream';
import { UsageError } from './command-line.js';

/** The person at the terminal gave no password, or two different ones. */
export class PasswordPromptError extends Error {
  override name = 'PasswordPromptError';
}

/**
 * A new password from standard input. At a terminal it is asked for twice without echo, as
 * passwd(1) does, the prompts on `prompts` (stderr) so that standard output stays clean.
 */
export async function readNewPassword(
  input: Readable & { isTTY?: boolean },
  prompts: Writable,
): Promise<string> {
  const password = input.isTTY ? await askTwice(input, prompts) : await readAll(input);
  if (password === '') throw new UsageError('no password on standard input');
  return password;
}

async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(chunk as Buffer);
  // One trailing newline is the terminal's, not the password's.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function askTwice(input: Readable, prompts: Writable): Promise<string> {
  let echo = true;
  // readline echoes what is typed to its output: muted after each prompt, the password stays unseen.
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (echo) prompts.write(chunk);
      done();
    },
  });
  const terminal = createInterface({ input, output, terminal: true });
  // Ctrl-C in raw mode is a keypress: close (leaving raw mode), then end as the signal would.
  terminal.on('SIGINT', () => {
    terminal.close();
    prompts.write('\n');
    process.kill(process.pid, 'SIGINT');
  });
  const ask = (prompt: string) =>
    new Promise<string>((resolve, reject) => {
      // Ctrl-D on an empty line closes the interface without an answer.
      const onClose = () => {
        prompts.write('\n');
        reject(new PasswordPromptError('no password given'));
      };
      terminal.once('close', onClose);
      echo = true;
      terminal.question(prompt, (answer) => {
        terminal.off('close', onClose);
        prompts.write('\n');
        resolve(answer);
      });
      echo = false;
    });
  try {
    const password = await ask('Password: ');
    if ((await ask('Again: ')) !== password) throw new PasswordPromptError('the passwords do not match');
    return password;
  } finally {
    terminal.close();
  }
}
