import type { BlockList } from 'node:net';
import { nodeNet } from './lazyBuiltins';
import { domainToASCII } from 'node:url';
import { FormatError } from '../errors';

/** Hosts that bypass the proxy, as curl's and npm's NO_PROXY: a comma (or space) separated string, or a list. */
export type NoProxyList = string | readonly string[];

/**
 * One parsed entry:
 * - `all`: `*`, every host;
 * - `domain`: `example.com`, `.example.com` or `*.example.com`, the domain and every subdomain;
 * - `ip`: an IPv4/IPv6 address or CIDR range (`10.0.0.0/8`), matched against IP-literal hosts only.
 * An entry may end in `:port` (IPv6 as `[::1]:8080`) to match that port only.
 */
export type NoProxyRule =
  | { kind: 'all' }
  | { kind: 'domain'; domain: string; port?: number }
  | { kind: 'ip'; range: BlockList; family: 'ipv4' | 'ipv6'; port?: number };

/** Parses a noProxy setting; an entry that cannot mean anything throws a FormatError naming it. */
export function parseNoProxy(list: NoProxyList | undefined, where = 'noProxy'): NoProxyRule[] {
  if (list === undefined) return [];
  if (typeof list !== 'string' && !Array.isArray(list)) throw new FormatError('must be a string or an array of strings', where);
  const entries = (typeof list === 'string' ? [list] : list).flatMap((item, i) => {
    if (typeof item !== 'string') throw new FormatError(`entry ${i} is not a string`, where);
    return item.split(/[\s,]+/);
  });
  return entries.filter((entry) => entry !== '').map((entry) => parseEntry(entry, where));
}

/**
 * Whether a request to `url` must go direct. Names match names and IPs match IPs: no DNS lookup
 * is made, so `localhost` does not cover `127.0.0.1` (and loopback is never exempt on its own).
 */
export function bypassesProxy(url: URL, rules: readonly NoProxyRule[]): boolean {
  const host = unbracket(url.hostname.toLowerCase()).replace(/\.$/, '');
  const port = url.port === '' ? defaultPort(url.protocol) : Number(url.port);
  const family = ipFamily(host);
  return rules.some((rule) => {
    if (rule.kind === 'all') return true;
    if (rule.port !== undefined && rule.port !== port) return false;
    if (rule.kind === 'ip') return family !== undefined && rule.range.check(host, family);
    return family === undefined && (host === rule.domain || host.endsWith(`.${rule.domain}`));
  });
}

function parseEntry(entry: string, where: string): NoProxyRule {
  if (entry === '*') return { kind: 'all' };
  const { host, port } = splitPort(entry, where);
  const [address, prefix, ...extra] = host.split('/');
  if (address === undefined || address === '' || extra.length > 0) throw bad(entry, where, 'expected a host, .domain, IP address or CIDR range');
  const family = ipFamily(address);
  if (family !== undefined) {
    const bits = family === 'ipv4' ? 32 : 128;
    const length = prefix === undefined ? bits : Number(prefix);
    if (prefix !== undefined && !(/^\d+$/.test(prefix) && length <= bits)) throw bad(entry, where, `the prefix length must be 0-${bits}`);
    const range = new (nodeNet().BlockList)();
    range.addSubnet(address, length, family);
    return { kind: 'ip', range, family, ...(port === undefined ? {} : { port }) };
  }
  if (prefix !== undefined) throw bad(entry, where, 'a CIDR range needs an IP address');
  // curl ignores a leading "." and npm a leading "*.": both mean the domain and its subdomains.
  const domain = domainToASCII(address.replace(/^\*?\./, '').replace(/\.$/, '').toLowerCase());
  if (domain === '') throw bad(entry, where, 'not a valid host name');
  return { kind: 'domain', domain, ...(port === undefined ? {} : { port }) };
}

/** Splits "host:port", "[v6]:port", "[v6]" and a bare "v6" (more than one colon, so no port). */
function splitPort(entry: string, where: string): { host: string; port?: number } {
  let host = entry;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2];
  } else if (entry.split(':').length === 2) {
    [host, port] = entry.split(':') as [string, string];
  }
  if (port === undefined) return { host };
  const value = Number(port);
  if (!/^\d+$/.test(port) || value < 1 || value > 65535) throw bad(entry, where, 'the port must be 1-65535');
  return { host, port: value };
}

function ipFamily(host: string): 'ipv4' | 'ipv6' | undefined {
  const version = nodeNet().isIP(host);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

function bad(entry: string, where: string, problem: string): FormatError {
  return new FormatError(`"${entry}" is not a usable entry: ${problem}`, where);
}
