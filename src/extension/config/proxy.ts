import type * as _vscode from 'vscode'; // type-only, erased at build: lets the l10n extractor see this pure module's l10n.t calls
import { l10n } from '../l10n';
import { redactUrl, type ProxyOptions, type SettingProblem } from './settings';

/**
 * The engine's proxy (`http.proxy` option) from VS Code's proxy settings, then the environment.
 * Pure: VS Code patches Node's http/https and fetch for other extensions, but the engine has its own
 * undici dispatcher, so the proxy must be passed to it explicitly.
 *
 * - URL: `http.proxy` when set, else the first of HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy.
 * - Bypass list: `http.noProxy` and NO_PROXY/no_proxy, merged.
 * - `http.proxyStrictSSL: false` lets a TLS-intercepting proxy through (the engine's `strictSSL`).
 * - `http.proxyAuthorization` is sent as Proxy-Authorization instead of the URL's credentials.
 */
export interface ProxyInputs {
  /** `http.proxy`, `http.proxyStrictSSL`, `http.noProxy`, `http.proxyAuthorization` as VS Code returns them. */
  settings: { proxy?: unknown; strictSSL?: unknown; noProxy?: unknown; authorization?: unknown };
  env: Readonly<Record<string, string | undefined>>;
}

export interface DerivedProxy {
  proxy?: ProxyOptions;
  /** Where the URL came from: `http.proxy` or the environment variable's name. */
  origin?: string;
  problems: SettingProblem[];
}

/**
 * What the engine's own parser says of a value (the adapter asks it): why it cannot be used, or
 * undefined. Without them, entries and the header are taken as they are (the engine then refuses).
 */
export interface ProxyChecks {
  /** One bypass entry. */
  noProxyEntry?: (entry: string) => string | undefined;
  /** The Proxy-Authorization value. */
  authorization?: (value: string) => string | undefined;
}

const PROXY_ENV = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const;
const NO_PROXY_ENV = ['NO_PROXY', 'no_proxy'] as const;

export function deriveProxy(inputs: ProxyInputs, checks: ProxyChecks = {}): DerivedProxy {
  const problems: SettingProblem[] = [];
  const { settings, env } = inputs;

  let raw: string | undefined;
  let origin: string | undefined;
  if (typeof settings.proxy === 'string' && settings.proxy.trim() !== '') {
    raw = settings.proxy.trim();
    origin = 'http.proxy';
  } else {
    if (settings.proxy !== undefined && settings.proxy !== null && typeof settings.proxy !== 'string') {
      problems.push({ setting: 'http.proxy', message: l10n.t('must be a URL string; ignored') });
    }
    for (const name of PROXY_ENV) {
      const value = env[name]?.trim();
      if (value) {
        raw = value;
        origin = name;
        break;
      }
    }
  }
  if (raw === undefined || origin === undefined) return { problems };

  const url = normalizeProxyUrl(raw);
  if (typeof url !== 'string') {
    problems.push({ setting: origin, message: l10n.t('{0}; connecting directly', url.problem) });
    return { problems };
  }

  const noProxy: string[] = [];
  const seen = new Set<string>();
  const add = (entry: string, where: string) => {
    const trimmed = entry.trim();
    if (trimmed === '' || seen.has(trimmed.toLowerCase())) return;
    const problem = checks.noProxyEntry?.(trimmed);
    if (problem) {
      problems.push({ setting: where, message: l10n.t('"{0}" is ignored: {1}', trimmed, problem) });
      return;
    }
    seen.add(trimmed.toLowerCase());
    noProxy.push(trimmed);
  };
  if (Array.isArray(settings.noProxy)) {
    for (const entry of settings.noProxy) {
      if (typeof entry === 'string') for (const part of entry.split(/[\s,]+/)) add(part, 'http.noProxy');
      else problems.push({ setting: 'http.noProxy', message: l10n.t('entries must be strings; {0} is ignored', JSON.stringify(entry) ?? String(entry)) });
    }
  } else if (settings.noProxy !== undefined && settings.noProxy !== null) {
    problems.push({ setting: 'http.noProxy', message: l10n.t('must be a list of host names; ignored') });
  }
  for (const name of NO_PROXY_ENV) for (const part of (env[name] ?? '').split(/[\s,]+/)) add(part, name);

  const strictSSL = settings.strictSSL === false ? false : undefined;
  if (settings.strictSSL !== undefined && settings.strictSSL !== null && typeof settings.strictSSL !== 'boolean') {
    problems.push({ setting: 'http.proxyStrictSSL', message: l10n.t('must be true or false; certificates are checked') });
  }
  const authorization = proxyAuthorization(settings.authorization, problems, checks.authorization);
  return {
    proxy: { url, ...(noProxy.length > 0 ? { noProxy } : {}), ...(strictSSL === false ? { strictSSL } : {}), ...(authorization ? { authorization } : {}) },
    origin,
    problems,
  };
}

/** `http.proxyAuthorization` when the engine takes it (null and "" mean unset); never quoted in a problem. */
function proxyAuthorization(value: unknown, problems: SettingProblem[], check: ProxyChecks['authorization']): string | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  if (typeof value !== 'string' || check?.(value) !== undefined) {
    problems.push({ setting: 'http.proxyAuthorization', message: l10n.t('must be a header value on one line; the proxy URL\'s credentials are used instead') });
    return undefined;
  }
  return value.trim();
}

/** `proxy:3128` → `http://proxy:3128` (curl's reading); only http: and https: proxies are supported. */
export function normalizeProxyUrl(raw: string): string | { problem: string } {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { problem: l10n.t('"{0}" is not a valid proxy URL', redactUrl(raw)) };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: l10n.t('"{0}" proxies are not supported, only http: and https:', url.protocol) };
  }
  if (url.hostname === '') return { problem: l10n.t('"{0}" has no host', redactUrl(raw)) };
  return withScheme;
}

/** The proxy for a log line: scheme, host and port, never credentials. */
export function describeProxy(derived: DerivedProxy): string {
  if (!derived.proxy) return 'none';
  const url = new URL(derived.proxy.url);
  const parts = [`${url.protocol}//${url.host} (from ${derived.origin})`];
  if (derived.proxy.noProxy?.length) parts.push(`noProxy: ${derived.proxy.noProxy.join(', ')}`);
  if (derived.proxy.strictSSL === false) parts.push('strictSSL: false');
  if (derived.proxy.authorization !== undefined) parts.push('authorization from http.proxyAuthorization');
  return parts.join('; ');
}
