import { BlockList, isIP } from 'node:net';

/** A set of CIDR blocks from the config (already validated), asked whether it holds an address. */
export class CidrBlocks {
  private readonly list = new BlockList();

  constructor(cidrs: readonly string[]) {
    for (const block of cidrs) {
      const [address, bits] = block.split('/') as [string, string];
      this.list.addSubnet(address, Number(bits), isIP(address) === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** False for anything that is not an IP address. */
  contains(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
