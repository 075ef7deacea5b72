import { describe, expect, it } from 'vitest';
import { terminalShortcut } from './terminal-shortcuts.js';

const key = (key: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) => ({
  type: 'keydown',
  key,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe('terminalShortcut', () => {
  it('takes Ctrl+Shift+C, V and F', () => {
    expect(terminalShortcut(key('C', { ctrl: true, shift: true }))).toBe('copy');
    expect(terminalShortcut(key('V', { ctrl: true, shift: true }))).toBe('paste');
    expect(terminalShortcut(key('F', { ctrl: true, shift: true }))).toBe('find');
  });

  it('takes Cmd+Shift on macOS', () => {
    expect(terminalShortcut(key('f', { meta: true, shift: true }))).toBe('find');
  });

  it('leaves Ctrl+C and Ctrl+F to the shell', () => {
    expect(terminalShortcut(key('c', { ctrl: true }))).toBeUndefined();
    expect(terminalShortcut(key('f', { ctrl: true }))).toBeUndefined();
  });

  it('ignores key-up, Alt chords and other letters', () => {
    expect(terminalShortcut({ ...key('F', { ctrl: true, shift: true }), type: 'keyup' })).toBeUndefined();
    expect(terminalShortcut(key('F', { ctrl: true, shift: true, alt: true }))).toBeUndefined();
    expect(terminalShortcut(key('X', { ctrl: true, shift: true }))).toBeUndefined();
  });
});
