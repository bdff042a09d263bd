import { createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** What the proxy saw of one request. */
export interface ProxyRecord {
  /** 1-based, in arrival order. */
  index: number;
  /** `CONNECT` for a tunnel; otherwise the method of an absolute-form request (`GET http://…`). */
  method: string;
  /** The `host:port` the client asked for. */
  target: string;
  /** The absolute URL of a forwarded (absolute-form) request; undefined for CONNECT. */
  url?: string;
  /** The Proxy-Authorization header as received. */
  proxyAuthorization?: string;
  /**
   * What the proxy answered: 200 for an open tunnel, the upstream status of a forwarded request,
   * 403 for a target outside the loopback, 407 for missing/wrong credentials, 502 when the target
   * could not be reached. Undefined until known.
   */
  status?: number;
}

export interface ConnectProxyOptions {
  /** Demand exactly this Proxy-Authorization (see basicProxyAuthorization); anything else gets a 407. */
  requireAuthorization?: string;
}

/** Targets the proxy will connect to, all mapped to 127.0.0.1: a test proxy never reaches past the loopback. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost']);
/** Hop-by-hop headers a forwarding proxy must not pass on. */
const HOP_BY_HOP = ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];

/** `Basic base64(user:pass)`, the header a client derives from `http://user:pass@proxy`. */
export function basicProxyAuthorization(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
}

/**
 * A real HTTP proxy on 127.0.0.1 (random port) for tests: CONNECT tunnels (how clients reach https:
 * targets, and http: ones when they tunnel everything) and absolute-form forwarding (`GET
 * http://host/path`, how an http: target is usually proxied). It records every request and only
 * ever connects to 127.0.0.1 ("localhost" included): any other target gets a 403 without a
 * connection attempt. close() destroys every socket, tunnels included.
 *
 *   const proxy = await ConnectProxy.start();
 *   try { ... { proxy: { url: proxy.url } } ... proxy.log ... } finally { await proxy.close(); }
 */
export class ConnectProxy {
  readonly #server: Server;
  readonly #options: ConnectProxyOptions;
  readonly #sockets = new Set<Duplex>();
  readonly #log: ProxyRecord[] = [];
  readonly #errors: unknown[] = [];
  #closing: Promise<void> | undefined;

  private constructor(server: Server, options: ConnectProxyOptions) {
    this.#server = server;
    this.#options = options;
  }

  static async start(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
    const server = createServer();
    const proxy = new ConnectProxy(server, options);
    server.on('connection', (socket) => proxy.#track(socket));
    server.on('connect', (req, socket, head) => proxy.#tunnel(req, socket, head));
    server.on('request', (req, res) => proxy.#forward(req, res));
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** e.g. "http://127.0.0.1:43567": the value for a proxy setting. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The proxy URL with credentials in it, percent-encoded: "http://user:pass@127.0.0.1:43567". */
  urlWithCredentials(user: string, pass: string): string {
    return `http://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${this.port}`;
  }

  get log(): readonly ProxyRecord[] {
    return this.#log;
  }

  /** The `host:port` of every request, in order. */
  get targets(): string[] {
    return this.#log.map((r) => r.target);
  }

  /** Unexpected errors (a forwarding failure after the answer started, …); a test can assert this stays empty. */
  get errors(): readonly unknown[] {
    return this.#errors;
  }

  /** Stops listening, destroys every socket (client, upstream and tunnel) and waits until all are closed. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      const sockets = [...this.#sockets];
      // Sockets leave the set when they close, so every one left will still emit 'close'.
      const closed = sockets.map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
      for (const s of sockets) s.destroy();
      await Promise.all([stopped, ...closed]);
    })();
    return this.#closing;
  }

  #track(socket: Duplex): void {
    this.#sockets.add(socket);
    // A peer resetting a tunnel is normal; an unhandled 'error' would crash the test run.
    socket.on('error', () => {});
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #record(req: IncomingMessage, target: string, url?: string): ProxyRecord {
    const auth = req.headers['proxy-authorization'];
    const record: ProxyRecord = {
      index: this.#log.length + 1,
      method: req.method ?? '',
      target,
      ...(url === undefined ? {} : { url }),
      ...(auth === undefined ? {} : { proxyAuthorization: auth }),
    };
    this.#log.push(record);
    return record;
  }

  #authorized(req: IncomingMessage): boolean {
    const required = this.#options.requireAuthorization;
    return required === undefined || req.headers['proxy-authorization'] === required;
  }

  #tunnel(req: IncomingMessage, client: Duplex, head: Buffer): void {
    const target = req.url ?? '';
    const record = this.#record(req, target);
    const refuse = (status: number, reason: string, extra = ''): void => {
      record.status = status;
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (!this.#authorized(req)) return refuse(407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="test"\r\n');
    const port = loopbackPort(target);
    if (port === undefined) return refuse(403, 'Forbidden');
    const upstream = netConnect({ host: '127.0.0.1', port });
    this.#track(upstream);
    upstream.once('error', () => {
      if (record.status === undefined) refuse(502, 'Bad Gateway');
      else client.destroy();
    });
    upstream.once('connect', () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
  }

  #forward(req: IncomingMessage, res: ServerResponse): void {
    let url: URL | undefined;
    try {
      url = new URL(req.url ?? '');
    } catch {
      url = undefined;
    }
    const record = this.#record(req, url ? `${url.hostname}:${url.port || 80}` : '', req.url);
    const answer = (status: number, extra: OutgoingHttpHeaders = {}): void => {
      record.status = status;
      res.writeHead(status, { 'content-length': '0', ...extra }).end();
    };
    if (!this.#authorized(req)) return answer(407, { 'proxy-authenticate': 'Basic realm="test"' });
    // An origin-form request ("GET /x") is not a proxy request; only http: targets are forwarded.
    const port = url?.protocol === 'http:' ? loopbackPort(`${url.hostname}:${url.port || 80}`) : undefined;
    if (url === undefined || port === undefined) return answer(403);
    const headers = withoutHopByHop(req.headers);
    // agent: false, so no upstream connection outlives its request.
    const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: `${url.pathname}${url.search}`, headers, agent: false });
    upstream.on('socket', (socket: Socket) => this.#track(socket));
    res.once('close', () => upstream.destroy());
    upstream.once('response', (answerFrom) => {
      record.status = answerFrom.statusCode ?? 502;
      // The upstream's "Connection: close" is about that hop; the client keeps its connection.
      res.writeHead(record.status, withoutHopByHop(answerFrom.headers));
      answerFrom.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) return answer(502);
      this.#errors.push(err);
      res.destroy();
    });
    req.pipe(upstream);
  }
}

/** The port of a "host:port" on the loopback, or undefined for any other host or a bad port. */
function loopbackPort(hostPort: string): number | undefined {
  const match = /^([^:]+):(\d{1,5})$/.exec(hostPort);
  if (!match || !LOOPBACK_HOSTS.has(match[1]!.toLowerCase())) return undefined;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? port : undefined;
}

function withoutHopByHop<T extends Record<string, unknown>>(headers: T): T {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}
