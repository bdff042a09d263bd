import { statusText } from './lazyBuiltins';
import {
  AbortedError,
  HttpError,
  type MarketplaceError,
  NetworkError,
  NotFoundError,
  TimeoutError,
  TooLargeError,
} from '../errors';
import { displayText } from '../util/displayText';
import { isRetryableStatus } from './retryPolicy';

/**
 * Why one attempt failed. The retry loop decides from `retryable` and `retryAfterMs`; only the
 * last failure becomes a thrown error, so its message can say how many attempts were made.
 */
export interface Failure {
  kind: 'http' | 'not-found' | 'network' | 'timeout' | 'too-large' | 'aborted';
  /** What went wrong and what to do about it, without the "GET <url>" prefix. */
  reason: string;
  retryable: boolean;
  status?: number;
  /** The server's Retry-After, in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** Turns the failure that ended a download into the typed error callers see. */
export function failureToError(failure: Failure, url: string, attempts: number): MarketplaceError {
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const message = `GET ${url} failed${tries}: ${failure.reason}`;
  const cause = { cause: failure.cause };
  switch (failure.kind) {
    case 'http':
      return new HttpError(message, failure.status ?? 0, url);
    case 'not-found':
      return new NotFoundError(message);
    case 'network':
      return new NetworkError(message, cause);
    case 'timeout':
      return new TimeoutError(message, cause);
    case 'too-large':
      return new TooLargeError(message);
    case 'aborted':
      return new AbortedError(`GET ${url} was cancelled${tries}: ${failure.reason}`, cause);
  }
}

/** Classifies a response status other than 200 and 304. */
export function statusFailure(status: number, location: string | undefined, retryAfterMs: number | undefined): Failure {
  const label = `HTTP ${status} ${statusText(status) ?? 'Unknown Status'}`;
  const http = (advice: string, retryable = false): Failure => ({ kind: 'http', status, retryable, reason: `${label} — ${advice}`, retryAfterMs });
  if (status === 404 || status === 410) {
    return { kind: 'not-found', status, retryable: false, reason: `${label} — the server has no such file; check the source URL or refresh the catalog` };
  }
  if (status === 429) return http('the server is rate-limiting this client; try again later', true);
  if (isRetryableStatus(status)) return http('the marketplace is down or overloaded; try again later', true);
  if (status === 401 || status === 403) return http('the server refused access; check the source URL and whether it needs credentials');
  if (status >= 300 && status < 400) {
    // The Location header is the server's text: shown neutralised and cut short.
    const target = location ? ` to ${displayText(location, { maxLength: 200 })}` : '';
    return http(`the marketplace moved${target}; redirects are not followed, so update the source URL`);
  }
  return http('the server gave an unexpected answer; check the source URL');
}

/** Network error codes after which the same request may well succeed. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_SOCKET', // the server closed the connection mid-response
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN', // DNS temporarily unavailable
]);

/** Classifies an error thrown by undici or the socket underneath it. */
export function errorFailure(err: unknown): Failure {
  const code = errorCode(err);
  const detail = code ? ` (${code})` : '';
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { kind: 'timeout', retryable: true, cause: err, reason: `connecting timed out${detail} — the server is unreachable or slow; check your network and try again` };
    case 'UND_ERR_HEADERS_TIMEOUT':
      return { kind: 'timeout', retryable: true, cause: err, reason: `the server did not answer in time${detail} — it may be overloaded; try again later` };
    case 'UND_ERR_BODY_TIMEOUT':
      return { kind: 'timeout', retryable: true, cause: err, reason: `the download stalled${detail} — the connection or the server is too slow; try again later` };
    case 'ECONNREFUSED':
      return { kind: 'network', retryable: true, cause: err, reason: `the connection was refused${detail} — no server is listening there; check the source URL or try again later` };
    case 'ENOTFOUND':
      return { kind: 'network', retryable: false, cause: err, reason: `the host name does not exist${detail} — check the source URL and your network` };
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return { kind: 'aborted', retryable: false, cause: err, reason: 'the HTTP client is closed' };
  }
  if (code !== undefined && TRANSIENT_CODES.has(code)) {
    return { kind: 'network', retryable: true, cause: err, reason: `the connection broke${detail} — check your network and try again` };
  }
  if (code?.startsWith('HPE_')) {
    return { kind: 'network', retryable: false, cause: err, reason: `the server sent a malformed HTTP response${detail} — check the source URL` };
  }
  const text = displayText(err instanceof Error ? err.message : String(err), { maxLength: 300 });
  return { kind: 'network', retryable: false, cause: err, reason: `${text}${detail}` };
}

/** The body did not match its Content-Length: a broken connection (or server), never a valid file. */
export function lengthMismatchFailure(received: number, expected: number): Failure {
  const what = received < expected ? `ended after ${received} of ${expected} bytes` : `ran past its ${expected}-byte Content-Length`;
  return { kind: 'network', retryable: true, reason: `the response ${what} — the connection broke; try again` };
}

/** A body that arrived slower than the configured minimum speed (see MinSpeed). Retryable: the deadline bounds the retries. */
export function slowTransferFailure(minSpeed: { bytesPerSecond: number; windowMs: number }, inWindow: number, received: number): Failure {
  const seconds = formatSeconds(minSpeed.windowMs);
  return {
    kind: 'timeout',
    retryable: true,
    reason:
      `the transfer was slower than the minimum of ${minSpeed.bytesPerSecond} bytes/s over ${seconds} s ` +
      `(${inWindow} bytes in the last ${seconds} s, ${received} in all) — the server or the connection is too slow; try again later`,
  };
}

/** The whole GET, retries and waits included, outlasted its deadline. */
export function deadlineFailure(deadlineMs: number): Failure {
  return {
    kind: 'timeout',
    retryable: false,
    reason: `it did not complete within its ${formatSeconds(deadlineMs)} s deadline — the server or the connection is too slow; try again later`,
  };
}

/** Milliseconds as seconds for a message: `30`, `0.5`, `1.25`. */
export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3).replace(/0+$/, '');
}

export function tooLargeFailure(maxBytes: number, announced?: number): Failure {
  const size = announced === undefined ? 'more than' : `${announced} bytes, more than`;
  return { kind: 'too-large', retryable: false, reason: `the response is ${size} the ${maxBytes}-byte limit — refusing to download it; check the source URL` };
}

export function abortedFailure(reason: string, cause?: unknown): Failure {
  return { kind: 'aborted', retryable: false, reason, cause };
}

/** The error code of a Node/undici error, looking through `cause` and happy-eyeballs AggregateErrors. */
export function errorCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 3) return undefined;
  const own = (err as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  if (err instanceof AggregateError) return errorCode(err.errors[0], depth + 1);
  return errorCode((err as { cause?: unknown }).cause, depth + 1);
}
