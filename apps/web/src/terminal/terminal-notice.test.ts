import { describe, expect, it } from 'vitest';
import { terminalNotice } from './terminal-notice.js';

describe('terminalNotice', () => {
  it('writes an error in red on its own line', () => {
    expect(terminalNotice('Permission denied', 'red')).toBe('\r\n\x1b[31mPermission denied\x1b[0m\r\n');
  });

  it('writes a warning in yellow', () => {
    expect(terminalNotice('[vigil: 10 bytes of output were lost while disconnected]', 'yellow')).toBe(
      '\r\n\x1b[33m[vigil: 10 bytes of output were lost while disconnected]\x1b[0m\r\n',
    );
  });

  it('writes plain text without colour', () => {
    expect(terminalNotice('[remote shell exited with status 0]')).toBe(
      '\r\n[remote shell exited with status 0]\r\n',
    );
  });

  it('turns newlines into terminal line breaks', () => {
    expect(terminalNotice('one\ntwo\r\nthree')).toBe('\r\none\r\ntwo\r\nthree\r\n');
  });

  it('defuses escape sequences a remote server put in its words', () => {
    const notice = terminalNotice('bye\x1b]0;pwned\x07\x9b2J', 'red');
    expect(notice).toBe('\r\n\x1b[31mbye\ufffd]0;pwned\ufffd\ufffd2J\x1b[0m\r\n');
  });
});
