import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that adds network latency: every chunk, in either direction, is
 * forwarded `rttMs / 2` after it arrived, in order, and so is the end of each stream. TLS and
 * ALPN pass through untouched (the client still talks to the real server), so a handshake costs
 * its real round trips, as over a real network. Bandwidth is not limited.
 */
export class DelayProxy {
  readonly #sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly rttMs: number,
  ) {}

  static async start(target: { port: number }, rttMs: number): Promise<DelayProxy> {
    const server = createServer();
    const proxy = new DelayProxy(server, rttMs);
    server.on('connection', (client) => proxy.#pipe(client, target.port));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and cuts every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  #pipe(client: Socket, port: number): void {
    const upstream = createConnection({ host: '127.0.0.1', port });
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    }
    this.#forward(client, upstream);
    this.#forward(upstream, client);
  }

  /** Same delay for every chunk, so timers fire in arrival order and the byte stream stays in order. */
  #forward(from: Socket, to: Socket): void {
    const delay = this.rttMs / 2;
    from.on('data', (chunk) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, delay);
    });
    from.on('end', () => setTimeout(() => to.end(), delay));
    from.on('error', () => setTimeout(() => to.destroy(), delay));
    from.on('close', () => setTimeout(() => to.destroy(), delay + 1));
  }
}
