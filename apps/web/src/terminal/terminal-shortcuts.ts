export type TerminalShortcut = 'copy' | 'paste' | 'find';

type KeyFacts = Pick<KeyboardEvent, 'type' | 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>;

/**
 * The page's own keys on top of the terminal. Plain Ctrl+C/Ctrl+V belong to the shell (SIGINT,
 * literal next), so, as in GNOME Terminal and Windows Terminal, the page's copy, paste and find
 * take Shift as well; Cmd+Shift serves on macOS, where Cmd+C/V already copy and paste.
 */
export function terminalShortcut(event: KeyFacts): TerminalShortcut | undefined {
  if (event.type !== 'keydown' || event.altKey || !event.shiftKey) return undefined;
  if (event.ctrlKey === event.metaKey) return undefined;
  switch (event.key.toLowerCase()) {
    case 'c':
      return 'copy';
    case 'v':
      return 'paste';
    case 'f':
      return 'find';
    default:
      return undefined;
  }
}
