import { describe, expect, it } from 'vitest';
import { CidrBlocks } from './cidr-blocks.js';
import { isLoopback } from './config-schema.js';

describe('CidrBlocks', () => {
  it('holds addresses inside its IPv4 and IPv6 blocks only', () => {
    const blocks = new CidrBlocks(['10.0.0.0/8', '127.0.0.2/32', 'fd00::/8']);
    expect(blocks.contains('10.1.2.3')).toBe(true);
    expect(blocks.contains('127.0.0.2')).toBe(true);
    expect(blocks.contains('127.0.0.1')).toBe(false);
    expect(blocks.contains('fd12::1')).toBe(true);
    expect(blocks.contains('fe80::1')).toBe(false);
  });

  it('holds nothing that is not an IP address', () => {
    expect(new CidrBlocks(['0.0.0.0/0']).contains('')).toBe(false);
    expect(new CidrBlocks(['0.0.0.0/0']).contains('localhost')).toBe(false);
  });
});

describe('isLoopback', () => {
  it('takes only real loopback names and addresses', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['127.evil.example', '0.0.0.0', '10.0.0.1'].map(isLoopback)).toEqual([false, false, false]);
  });
});
