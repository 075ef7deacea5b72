const REPLACEMENT = '\ufffd';

export type NoticeColor = 'red' | 'yellow' | 'dim' | 'plain';

/** SGR that starts each colour; all but plain end with a reset. */
const NOTICE_SGR: Record<NoticeColor, string> = {
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  dim: '\x1b[2m',
  plain: '',
};

/** C0 controls other than newline, DEL, and C1 controls (0x9b is a one-byte CSI to xterm.js). */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
}

/**
 * Text the page itself writes into the terminal (errors, exit status, keyboard-interactive
 * instructions). Parts of it come from the remote server, so control characters are made
 * visible rather than obeyed: a disconnect reason must not be able to drive the terminal.
 */
export function terminalNotice(text: string, color: NoticeColor = 'plain'): string {
  let visible = '';
  for (const char of text.replace(/\r\n?/g, '\n')) {
    if (char === '\n') visible += '\r\n';
    else visible += isControl(char.charCodeAt(0)) ? REPLACEMENT : char;
  }
  return `\r\n${NOTICE_SGR[color]}${visible}${color === 'plain' ? '' : '\x1b[0m'}\r\n`;
}
