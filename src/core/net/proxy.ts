import { FormatError } from '../errors';
import { type NoProxyRule, parseNoProxy } from './noProxy';

/**
 * An HTTP(S) proxy for the engine's own requests (never installed as undici's global dispatcher).
 * https: targets are tunnelled with CONNECT; http: targets are sent to an http: proxy in absolute
 * form (`GET http://host/path`), so the proxy sees those requests, headers included, in clear.
 */
export interface ProxyOptions {
  /**
   * `http://host:port` or `https://host:port`. Credentials in it (`http://user:pass@host:port`,
   * percent-encoded) are sent as `Proxy-Authorization: Basic …` and never appear in errors.
   */
  url: string;
  /**
   * Hosts reached directly, curl/npm NO_PROXY style: `*`, `example.com` (and its subdomains),
   * `.example.com`, `*.example.com`, IPs, CIDR ranges, each optionally with `:port`. An entry may
   * itself be a comma/space separated list, so `[process.env.NO_PROXY]` works as is. Loopback is
   * not exempt unless listed.
   */
  noProxy?: readonly string[];
  /**
   * `false` accepts any TLS certificate on connections made through the proxy (the target's, and an
   * https: proxy's own), for proxies that intercept TLS with a private CA. Requests that bypass the
   * proxy through `noProxy` are always verified. Default true.
   */
  strictSSL?: boolean;
  /**
   * The Proxy-Authorization value to send (e.g. `Negotiate …`, `Bearer …`; VS Code's
   * `http.proxyAuthorization`), instead of the Basic credentials of `url`. Sent to the proxy only,
   * and never quoted in errors.
   */
  authorization?: string;
}

/** A header value on one line, of a size a proxy accepts. */
const MAX_AUTHORIZATION = 8192;

/** ProxyOptions checked and taken apart; `origin` carries no credentials. */
export interface ParsedProxy {
  /** `http://host:port`: what undici connects to, and how messages name the proxy. */
  origin: string;
  /** The Proxy-Authorization value, when the URL had credentials. */
  authorization?: string;
  noProxy: NoProxyRule[];
  strictSSL: boolean;
}

/**
 * Checks ProxyOptions. Messages never quote the URL: whatever does not parse may still hold a
 * password ("user:pa/ss@host" is not even a URL).
 */
export function parseProxy(opts: ProxyOptions, where = 'proxy'): ParsedProxy {
  if (typeof opts !== 'object' || opts === null) throw new FormatError('must be an object with a url', where);
  if (typeof opts.url !== 'string' || opts.url === '') throw new FormatError('is required (omit `proxy` to connect directly)', where, 'url');
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    throw new FormatError('is not a valid URL; expected http://host:port or https://host:port', where, 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // Not even the scheme is quoted: in "user:pass@host" it is the user name.
    throw new FormatError('must be an http: or https: URL (SOCKS and other proxies are not supported)', where, 'url');
  }
  if (opts.strictSSL !== undefined && typeof opts.strictSSL !== 'boolean') throw new FormatError('must be a boolean', where, 'strictSSL');
  const authorization = opts.authorization === undefined ? basicAuthorization(url, where) : checkAuthorization(opts.authorization, where);
  return {
    origin: url.origin,
    ...(authorization === undefined ? {} : { authorization }),
    noProxy: parseNoProxy(opts.noProxy, `${where}.noProxy`),
    strictSSL: opts.strictSSL ?? true,
  };
}

function checkAuthorization(value: unknown, where: string): string {
  // eslint-disable-next-line no-control-regex -- a control character would split or end the header
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_AUTHORIZATION || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new FormatError(`must be a header value: one line of at most ${MAX_AUTHORIZATION} characters`, where, 'authorization');
  }
  return value.trim();
}

function basicAuthorization(url: URL, where: string): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  try {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  } catch {
    throw new FormatError('the proxy credentials have a malformed percent-escape', where, 'url');
  }
}
