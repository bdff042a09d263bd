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
    this.#direct = new (loadUndici().Agent)({ ...poolOptions(pool), connectTimeout: pool.connectTimeout, maxRedirections: 0 });
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

function poolOptions(pool: PoolSettings) {
  return { connections: pool.connections, headersTimeout: pool.headersTimeout, bodyTimeout: pool.bodyTimeout };
}

function proxyAgent(pool: PoolSettings, proxy: ParsedProxy): ProxyAgent {
  const tls = { timeout: pool.connectTimeout, ...(proxy.strictSSL ? {} : { rejectUnauthorized: false }) };
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
