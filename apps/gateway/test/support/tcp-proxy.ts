import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy for path faults: `hold()` stops forwarding in both directions without
 * closing anything (a black-holed path; the kernel still ACKs what it buffers), `pass()` resumes;
 * `loseReplies()` forwards requests but drops what comes back, until `cut()` kills every
 * connection (a reply lost with its connection, after the server acted).
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private held = false;
  private repliesLost = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    server.on('connection', (client) => {
      const upstream = connect({ host: targetHost, port: targetPort });
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        proxy.sockets.add(from);
        from.on('data', (chunk) => {
          if (!(from === upstream && proxy.repliesLost)) to.write(chunk);
        });
        from.on('close', () => to.destroy());
        from.on('error', () => to.destroy());
        if (proxy.held) from.pause();
      }
    });
    return proxy;
  }

  hold(): void {
    this.held = true;
    for (const socket of this.sockets) socket.pause();
  }

  pass(): void {
    this.held = false;
    for (const socket of this.sockets) socket.resume();
  }

  loseReplies(): void {
    this.repliesLost = true;
  }

  /** Kills every connection at once; new ones are forwarded in full. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.repliesLost = false;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
