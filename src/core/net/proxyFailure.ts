import { statusText } from './lazyBuiltins';
import { errorCode, errorFailure, type Failure } from './failure';
import { isRetryableStatus } from './retryPolicy';

/**
 * Classifies an error of a request sent through `proxy` (its origin, without credentials). Through a
 * proxy the only socket the client opens itself is the one to the proxy, so a refused, unresolvable
 * or timed-out connection is the proxy's, and the advice must point at the proxy setting.
 */
export function proxyErrorFailure(err: unknown, proxy: string): Failure {
  const refusal = proxyStatus(err);
  if (refusal !== undefined) return refusalFailure(refusal, proxy, err);
  const base = errorFailure(err);
  const code = errorCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return { ...base, reason: `the proxy ${proxy} refused the connection (${code}) — check the proxy setting or try again later` };
    case 'ENOTFOUND':
      return { ...base, reason: `the proxy host ${proxy} does not exist (${code}) — check the proxy setting` };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { ...base, reason: `connecting through the proxy ${proxy} timed out (${code}) — check the proxy setting and your network` };
  }
  return viaProxy(base, proxy);
}

/** Adds "through the proxy …" to a failure of a proxied request, so the message says which path it took. */
export function viaProxy(failure: Failure, proxy: string): Failure {
  if (failure.kind === 'aborted' || failure.kind === 'too-large') return failure;
  return { ...failure, reason: `${failure.reason} (through the proxy ${proxy})` };
}

/** The status of a proxy that refused a CONNECT or demanded credentials, from undici's error message. */
function proxyStatus(err: unknown): number | undefined {
  const message = err instanceof Error ? err.message : '';
  const match = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/.exec(message) ?? /^Proxy Authentication Required \((407)\)$/.exec(message);
  return match ? Number(match[1]) : undefined;
}

function refusalFailure(status: number, proxy: string, cause: unknown): Failure {
  const label = `HTTP ${status} ${statusText(status) ?? 'Unknown Status'}`;
  if (status === 407) {
    return { kind: 'http', status, retryable: false, cause, reason: `the proxy ${proxy} requires authentication (${label}) — check the credentials in the proxy URL` };
  }
  const retryable = isRetryableStatus(status);
  return { kind: 'http', status, retryable, cause, reason: `the proxy ${proxy} could not open a connection to the marketplace (${label}) — check the source URL and the proxy` };
}
