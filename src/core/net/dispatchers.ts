import type { Agent, Dispatcher, Pool, ProxyAgent } from 'undici';
import { loadUndici } from './undici';
import { bypassesProxy } from './noProxy';
import type { ParsedProxy } from './proxy';

/** Pool settings shared by direct and proxied connections. */
export interface PoolSettings {
  connections: number;
  connectTimeout: number;
  headersTimeout: number;
  bodyTimeout: number;
  /** Offer h2 in ALPN on direct https: connections (undici's `allowH2`); HTTP/1.1 when the server declines. */
  http2: boolean;
  /** PEM certificates trusted in addition to Node's bundled roots. */
  ca: readonly string[];
}

/** Where one request goes: its dispatcher, and the proxy (its origin) when it goes through one. */
export interface Route {
  dispatcher: Dispatcher;
  proxy?: string;
}

/**
 * The client's own undici dispatchers: a direct Agent, plus a ProxyAgent when a proxy is
 * configured. Neither is ever made global, so the extension host's other traffic is unaffected.
 * Redirects are off in both: a marketplace that moved must be fixed in the settings, and a
 * marketplace's token must never follow a redirect to another origin.
 */
export class Dispatchers {
  readonly #direct: Agent;
  readonly #proxy: { agent: ProxyAgent; settings: ParsedProxy } | undefined;

  constructor(pool: PoolSettings, proxy?: ParsedProxy) {
    this.#direct = new (loadUndici().Agent)({
      ...poolOptions(pool),
      connect: { timeout: pool.connectTimeout, ...trust(pool) },
      maxRedirections: 0,
      // One stream per connection at a time (undici 6 multiplexes only with pipelining > 1, which
      // its h2 client does not survive under load: see README, "HTTP/2").
      allowH2: pool.http2,
    });
    this.#proxy = proxy && { agent: proxyAgent(pool, proxy), settings: proxy };
  }

  route(url: URL): Route {
    const proxy = this.#proxy;
    if (!proxy || bypassesProxy(url, proxy.settings.noProxy)) return { dispatcher: this.#direct };
    return { dispatcher: proxy.agent, proxy: proxy.settings.origin };
  }

  /** Closes idle connections and waits for requests in flight. */
  async close(): Promise<void> {
    await Promise.all([this.#direct.close(), this.#proxy?.agent.close()]);
  }
}

/** The extra certificates, added to Node's roots (a `ca` option alone would replace them). */
function trust(pool: PoolSettings): { ca?: string[] } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return pool.ca.length === 0 ? {} : { ca: [...(require('node:tls') as typeof import('node:tls')).rootCertificates, ...pool.ca] };
}

function poolOptions(pool: PoolSettings) {
  return { connections: pool.connections, headersTimeout: pool.headersTimeout, bodyTimeout: pool.bodyTimeout };
}

function proxyAgent(pool: PoolSettings, proxy: ParsedProxy): ProxyAgent {
  // Proxied requests stay on HTTP/1.1: undici 6 tunnels h2 only partly, and a proxy that inspects TLS rarely speaks it.
  const tls = { timeout: pool.connectTimeout, ...trust(pool), ...(proxy.strictSSL ? {} : { rejectUnauthorized: false }) };
  // undici builds some of its pools (the CONNECT client, the absolute-form forwarder) with only a
  // `connect` option; these factories give every pool the client's timeouts instead of undici's 300 s.
  const withTimeouts = (origin: string | URL, opts: object): Pool => new (loadUndici().Pool)(origin, { ...poolOptions(pool), ...opts });
  return new (loadUndici().ProxyAgent)({
    uri: proxy.origin,
    ...(proxy.authorization === undefined ? {} : { token: proxy.authorization }),
    // http: targets in absolute form through an http: proxy, https: targets through a CONNECT tunnel.
    proxyTunnel: false,
    proxyTls: tls,
    requestTls: tls,
    factory: withTimeouts,
    clientFactory: withTimeouts,
    ...poolOptions(pool),
    maxRedirections: 0,
  });
}
