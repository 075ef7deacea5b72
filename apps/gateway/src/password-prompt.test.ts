import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UsageError } from './command-line.js';
import { PasswordPromptError, readNewPassword } from './password-prompt.js';

/** Standard input as a terminal shows it to a program, with what it prints on stderr. */
function terminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const prompts = new PassThrough();
  // readline positions the cursor around each prompt; a person sees only the text.
  let shown = '';
  prompts.on('data', (chunk: Buffer) => {
    shown = stripVTControlCharacters(shown + chunk.toString());
  });
  /** Types a line once the prompt is shown, as a person would. */
  const answer = async (prompt: string, line: string) => {
    while (!shown.endsWith(prompt)) await once(prompts, 'data');
    input.write(`${line}\r`);
  };
  return { input, prompts, answer, shown: () => shown };
}

function piped(text: string) {
  const input = new PassThrough();
  input.end(text);
  return input;
}

describe('readNewPassword', () => {
  it('takes piped standard input less one trailing newline', async () => {
    expect(await readNewPassword(piped('correct horse\n'), new PassThrough())).toBe('correct horse');
    expect(await readNewPassword(piped('two newlines\n\n'), new PassThrough())).toBe('two newlines\n');
    expect(await readNewPassword(piped('no newline'), new PassThrough())).toBe('no newline');
  });

  it('refuses an empty password', async () => {
    await expect(readNewPassword(piped('\n'), new PassThrough())).rejects.toThrow(
      new UsageError('no password on standard input'),
    );
  });

  it('asks twice at a terminal without showing what is typed', async () => {
    const tty = terminal();
    const password = readNewPassword(tty.input, tty.prompts);
    await tty.answer('Password: ', 'correct horse');
    await tty.answer('Again: ', 'correct horse');
    expect(await password).toBe('correct horse');
    expect(tty.shown()).toBe('Password: \nAgain: \n');
  });

  it('refuses two different answers', async () => {
    const tty = terminal();
    const password = readNewPassword(tty.input, tty.prompts);
    await tty.answer('Password: ', 'correct horse');
    await tty.answer('Again: ', 'correct hose');
    await expect(password).rejects.toThrow(new PasswordPromptError('the passwords do not match'));
  });
});
