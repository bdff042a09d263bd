import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** What the server saw of one request. */
export interface RequestRecord {
  /** 1-based: the first request the server received is 1. */
  index: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** 1-based number of the connection (socket) the request arrived on. */
  connection: number;
  /** performance.now() when the request arrived: a monotonic, server-side clock. */
  receivedAt: number;
}

/** Answers one request; may be async. Whatever it returns (e.g. `res` from `res.end()`) is ignored. */
export type LoopbackHandler = (req: IncomingMessage, res: ServerResponse, record: RequestRecord) => unknown;

const notFound: LoopbackHandler = (_req, res) => {
  res.writeHead(404, { 'content-type': 'text/plain' }).end('no handler');
};

/**
 * A real HTTP server on 127.0.0.1 (random port) for tests. It records every request and which
 * connection carried it, so tests can assert retries and keep-alive reuse, and close() also
 * destroys idle keep-alive sockets so a test never hangs on a client's pooled connection.
 *
 *   const server = await LoopbackServer.start((req, res) => res.end('hi'));
 *   try { ... server.url('/file') ... } finally { await server.close(); }
 */
export class LoopbackServer {
  readonly #server: Server;
  readonly #sockets = new Map<Socket, number>();
  readonly #log: RequestRecord[] = [];
  readonly #errors: unknown[] = [];
  #handler: LoopbackHandler;
  #connections = 0;
  #closing: Promise<void> | undefined;

  private constructor(server: Server, handler: LoopbackHandler) {
    this.#server = server;
    this.#handler = handler;
  }

  static async start(handler: LoopbackHandler = notFound): Promise<LoopbackServer> {
    const server = createServer();
    const loopback = new LoopbackServer(server, handler);
    server.on('connection', (socket) => loopback.#track(socket));
    server.on('request', (req, res) => loopback.#dispatch(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return loopback;
  }

  /** e.g. "http://127.0.0.1:43567" */
  get origin(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Absolute URL of `path` on this server. */
  url(path = '/'): string {
    return new URL(path, `${this.origin}/`).href;
  }

  /** Requests received so far. */
  get requests(): number {
    return this.#log.length;
  }

  /** Distinct connections (sockets) accepted so far. */
  get connections(): number {
    return this.#connections;
  }

  /** Connections currently open. */
  get openConnections(): number {
    return this.#sockets.size;
  }

  get log(): readonly RequestRecord[] {
    return this.#log;
  }

  /** Errors thrown by handlers; a test can assert this stays empty. */
  get errors(): readonly unknown[] {
    return this.#errors;
  }

  /** Replaces the handler for the requests that follow. */
  handle(handler: LoopbackHandler): void {
    this.#handler = handler;
  }

  /** Stops listening, destroys every open socket (idle keep-alive ones included) and waits until all are closed. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const stopped = new Promise<void>((resolve, reject) => this.#server.close((err) => (err ? reject(err) : resolve())));
      const sockets = [...this.#sockets.keys()];
      const socketsClosed = sockets.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
      for (const socket of sockets) socket.destroy();
      await Promise.all([stopped, ...socketsClosed]);
    })();
    return this.#closing;
  }

  #track(socket: Socket): void {
    this.#sockets.set(socket, ++this.#connections);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #dispatch(req: IncomingMessage, res: ServerResponse): void {
    const record: RequestRecord = {
      index: this.#log.length + 1,
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      connection: this.#sockets.get(req.socket) ?? 0,
      receivedAt: performance.now(),
    };
    this.#log.push(record);
    Promise.resolve()
      .then(() => this.#handler(req, res, record))
      .catch((err: unknown) => {
        this.#errors.push(err);
        if (!res.headersSent) res.writeHead(500).end(String(err));
        else res.destroy();
      });
  }
}
