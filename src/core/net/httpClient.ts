import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { AbortedError, FormatError } from '../errors';
import {
  abortedFailure,
  deadlineFailure,
  errorFailure,
  type Failure,
  failureToError,
  formatSeconds,
  statusFailure,
  tooLargeFailure,
} from './failure';
import { Dispatchers, type PoolSettings, type Route } from './dispatchers';
import { checkFetchOptions } from './fetchOptions';
import { parseHttpUrl } from './httpUrl';
import type { OriginHeaders } from './originHeaders';
import { type ParsedProxy, parseProxy, type ProxyOptions } from './proxy';
import { proxyErrorFailure, viaProxy } from './proxyFailure';
import { readBody, type MinSpeed } from './readBody';
import { backoffDelay, parseRetryAfter } from './retryPolicy';
import { sleep } from './sleep';
import type { FetchOptions, FetchResult } from './types';
import { loadUndici } from './undici';

export interface HttpClientOptions {
  /** Keep-alive connections per origin. Default 8. */
  connections?: number;
  /** Default 10_000. */
  connectTimeoutMs?: number;
  /** Time from sending a request to receiving all response headers. Default 15_000. */
  headersTimeoutMs?: number;
  /** Longest silence between two body chunks. Default 30_000. */
  bodyTimeoutMs?: number;
  /**
   * The slowest body transfer tolerated: a response that brings fewer than
   * `bytesPerSecond * windowMs / 1000` bytes in any window of `windowMs` is cut off with E_TIMEOUT
   * (like curl's --speed-limit / --speed-time). A server trickling a byte every few seconds never
   * trips bodyTimeoutMs, which only bounds silence; it trips this. Default 1024 bytes/s over 30_000 ms.
   */
  minSpeed?: { bytesPerSecond: number; windowMs: number };
  /**
   * Longest one GET may take in all: connecting, every attempt, every wait before a retry. Past it
   * the download is cut off with E_TIMEOUT, whatever the server does. Default 300_000 (5 minutes).
   */
  deadlineMs?: number;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** Backoff before retry n is random(0, min(maxDelayMs, baseDelayMs * 2^n)) ("full jitter"). Default 200. */
  baseDelayMs?: number;
  /** Default 5_000. */
  maxDelayMs?: number;
  /** A server asking to wait longer than this (Retry-After) fails at once instead of hanging. Default 30_000. */
  maxRetryAfterMs?: number;
  userAgent?: string;
  /** Source of randomness for the jitter, in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
  /** Send requests through this HTTP(S) proxy (hosts in `noProxy` excepted). Default: connect directly. */
  proxy?: ProxyOptions;
  /**
   * Offer HTTP/2 (ALPN h2) on direct https: connections, falling back to HTTP/1.1 when the server
   * declines; requests through a proxy always use HTTP/1.1. Default false: HTTP/1.1 keep-alive
   * measured faster with this undici (test/bench/http2.bench.ts; README, "HTTP/2").
   */
  http2?: boolean;
  /** PEM certificates to trust besides Node's bundled roots (a marketplace behind a private CA). */
  ca?: readonly string[];
}

export interface HttpClientStats {
  /** Attempts sent, retries included. */
  requests: number;
  retries: number;
  notModified: number;
  /** Body bytes of successful (200) downloads. */
  bytes: number;
}

type Attempt = { ok: true; result: DistributiveOmit<FetchResult, 'attempts'> } | { ok: false; failure: Failure };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type ResponseBody = Dispatcher.ResponseData['body'];
type ResponseHeaders = Record<string, string | string[] | undefined>;

/**
 * GETs files over HTTP(S) through one keep-alive connection pool, retrying what is worth
 * retrying: network failures, timeouts, 429 and 5xx; never other 4xx. Every response body is
 * either read, drained or destroyed, so a connection is never left stuck in the pool.
 */
export class HttpClient {
  readonly #pool: PoolSettings;
  readonly #proxy: ParsedProxy | undefined;
  /** Made on the first request: a client whose marketplaces are all file: never loads undici. */
  #dispatchers: Dispatchers | undefined;
  readonly #retries: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #userAgent: string;
  readonly #random: () => number;
  readonly #minSpeed: MinSpeed;
  readonly #deadlineMs: number;
  /** Aborted by close(), to cut short any wait before a retry. */
  readonly #lifetime = new AbortController();
  readonly #stats: HttpClientStats = { requests: 0, retries: 0, notModified: 0, bytes: 0 };
  #closing: Promise<void> | undefined;

  constructor(opts: HttpClientOptions = {}) {
    this.#retries = option(opts, 'retries', 3, 0);
    this.#baseDelayMs = option(opts, 'baseDelayMs', 200, 0);
    this.#maxDelayMs = option(opts, 'maxDelayMs', 5_000, 0);
    this.#maxRetryAfterMs = option(opts, 'maxRetryAfterMs', 30_000, 0);
    this.#userAgent = opts.userAgent ?? 'template-marketplace';
    this.#random = opts.random ?? Math.random;
    this.#deadlineMs = option(opts, 'deadlineMs', 300_000, 1);
    this.#minSpeed = parseMinSpeed(opts.minSpeed);
    this.#pool = {
      connections: option(opts, 'connections', 8, 1),
      connectTimeout: option(opts, 'connectTimeoutMs', 10_000, 1),
      headersTimeout: option(opts, 'headersTimeoutMs', 15_000, 1),
      bodyTimeout: option(opts, 'bodyTimeoutMs', 30_000, 1),
      http2: flag(opts.http2, 'http2', false),
      ca: certificates(opts.ca),
    };
    this.#proxy = opts.proxy === undefined ? undefined : parseProxy(opts.proxy, 'HttpClientOptions.proxy');
  }

  get stats(): HttpClientStats {
    return { ...this.#stats };
  }

  /**
   * GETs `url`. `scoped` adds headers (a marketplace's token) only if `url` is of their origin; as
   * redirects are never followed, they reach that origin and no other.
   */
  async get(url: string, opts: FetchOptions, scoped?: OriginHeaders): Promise<FetchResult> {
    const target = parseHttpUrl(url);
    checkFetchOptions(opts);
    const route = (this.#dispatchers ??= new Dispatchers(this.#pool, this.#proxy)).route(target);
    const headers = this.#headers(opts, scoped?.for(target));
    // One deadline for the whole GET, retries and waits included: undici's own timeouts bound each
    // phase, the minimum speed bounds a trickle, and this bounds everything together.
    // Its signal also follows the caller's, so one signal goes to undici (AbortSignal.any made a
    // third signal per GET, in a batch's profile); `stopped` tells the two causes apart.
    const deadline = new Deadline(this.#deadlineMs, opts.signal);
    const signals = { caller: opts.signal, deadline: deadline.signal };
    const signal = deadline.signal;
    try {
      // Ends after at most `retries + 1` attempts: every pass either returns or throws once out of retries.
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.#attempt(target, route, headers, { ...opts, signal }, signals);
        if (outcome.ok) {
          // undici returns a keep-alive socket to the pool one event-loop turn after the response
          // ends (client-h1 onMessageComplete); waiting that turn lets the caller's next request
          // reuse it instead of opening a second connection.
          await nextTurn();
          return { ...outcome.result, attempts: attempt };
        }
        const { failure } = outcome;
        if (!failure.retryable || attempt > this.#retries) throw failureToError(failure, url, attempt);
        await this.#waitBeforeRetry(url, attempt, failure, opts.signal, deadline);
      }
    } finally {
      deadline.clear();
    }
  }

  /** Closes idle connections and waits for downloads in flight; cancels pending retries. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#lifetime.abort();
      await this.#dispatchers?.close();
    })();
    return this.#closing;
  }

  async #attempt(
    url: URL,
    route: Route,
    headers: Record<string, string>,
    opts: FetchOptions,
    signals: { caller: AbortSignal | undefined; deadline: AbortSignal },
  ): Promise<Attempt> {
    const { signal } = opts;
    const stopped = (): Failure | undefined => {
      if (signals.caller?.aborted) return abortedFailure('the caller cancelled', signals.caller.reason);
      if (signals.deadline.aborted) return deadlineFailure(this.#deadlineMs);
      return undefined;
    };
    const before = stopped();
    if (before) return { ok: false, failure: before };
    if (this.#closing) return { ok: false, failure: abortedFailure('the HTTP client is closed') };
    this.#stats.requests++;
    try {
      // A copy, as undici's proxy agents add `host` to the object they are given. maxRedirections 0
      // here too, in case a dispatcher ever defaulted otherwise: see Dispatchers.
      const response = await loadUndici().request(url, { dispatcher: route.dispatcher, method: 'GET', headers: { ...headers }, signal, maxRedirections: 0 });
      const outcome = await this.#handleResponse(response.statusCode, response.headers, response.body, opts);
      return outcome.ok || route.proxy === undefined ? outcome : { ok: false, failure: viaProxy(outcome.failure, route.proxy) };
    } catch (err) {
      // Once the caller aborts or the deadline passes, whatever undici threw is a consequence of that.
      const after = stopped();
      if (after) return { ok: false, failure: after };
      return { ok: false, failure: route.proxy === undefined ? errorFailure(err) : proxyErrorFailure(err, route.proxy) };
    }
  }

  async #handleResponse(
    status: number,
    headers: ResponseHeaders,
    body: ResponseBody,
    opts: FetchOptions,
  ): Promise<Attempt> {
    const etag = header(headers, 'etag');
    const lastModified = header(headers, 'last-modified');
    if (status === 304) {
      await body.dump();
      this.#stats.notModified++;
      // The validators we sent are still valid when the server does not repeat them.
      return { ok: true, result: { status: 304, etag: etag ?? opts.etag, lastModified: lastModified ?? opts.lastModified } };
    }
    if (status !== 200) {
      // Drain the (small) error body so the connection goes back to the pool for the retry.
      await body.dump();
      const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'));
      return { ok: false, failure: statusFailure(status, header(headers, 'location'), retryAfterMs) };
    }
    const contentLength = parseContentLength(header(headers, 'content-length'));
    if (contentLength !== undefined && contentLength > opts.maxBytes) {
      // Destroying costs one connection; draining could mean reading gigabytes.
      discard(body);
      return { ok: false, failure: tooLargeFailure(opts.maxBytes, contentLength) };
    }
    const read = await readBody(body, opts.maxBytes, contentLength, opts.onProgress, this.#minSpeed);
    if (!read.ok) return read;
    this.#stats.bytes += read.bytes.byteLength;
    return { ok: true, result: { status: 200, bytes: read.bytes, etag, lastModified } };
  }

  async #waitBeforeRetry(url: string, attempt: number, failure: Failure, signal: AbortSignal | undefined, deadline: Deadline): Promise<void> {
    const { retryAfterMs } = failure;
    if (retryAfterMs !== undefined && retryAfterMs > this.#maxRetryAfterMs) {
      const asked = Math.ceil(retryAfterMs / 1000);
      const limit = Math.ceil(this.#maxRetryAfterMs / 1000);
      const reason = `${failure.reason} (the server asked to wait ${asked} s before retrying, longer than the ${limit} s this client waits)`;
      throw failureToError({ ...failure, reason }, url, attempt);
    }
    const delayMs = retryAfterMs ?? backoffDelay(attempt - 1, this.#baseDelayMs, this.#maxDelayMs, this.#random);
    if (delayMs >= deadline.remainingMs()) {
      // Waiting would end past the deadline: fail now, saying why the last attempt failed.
      const reason = `${failure.reason} (no time left for another attempt within the ${formatSeconds(this.#deadlineMs)} s deadline)`;
      throw failureToError({ ...failure, reason }, url, attempt);
    }
    this.#stats.retries++;
    try {
      await sleep(delayMs, [signal, this.#lifetime.signal, deadline.signal]);
    } catch (err) {
      if (deadline.signal.aborted && !signal?.aborted) throw failureToError(deadlineFailure(this.#deadlineMs), url, attempt);
      const why = signal?.aborted ? 'the caller cancelled' : 'the HTTP client was closed';
      throw new AbortedError(`GET ${url} was cancelled while waiting to retry (${attempt} attempts so far): ${why}`, { cause: err });
    }
  }

  #headers(opts: FetchOptions, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    const headers: Record<string, string> = {
      'user-agent': this.#userAgent,
      accept: '*/*',
      // A source may override the two above (some hosts want a specific Accept); checkRequestHeaders
      // forbids it to name the ones below.
      ...extra,
      // Byte counts and the size cap must mean bytes on disk, so ask for no transfer compression.
      'accept-encoding': 'identity',
    };
    if (opts.etag !== undefined) headers['if-none-match'] = opts.etag;
    if (opts.lastModified !== undefined) headers['if-modified-since'] = opts.lastModified;
    return headers;
  }
}

type NumericOption = { [K in keyof HttpClientOptions]-?: NonNullable<HttpClientOptions[K]> extends number ? K : never }[keyof HttpClientOptions];

function option(opts: HttpClientOptions, name: NumericOption, fallback: number, min: number): number {
  const value = opts[name] ?? fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new FormatError(`must be an integer >= ${min}, got ${String(value)}`, 'HttpClientOptions', name);
  }
  return value;
}

function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new FormatError(`must be true or false, got ${String(value)}`, 'HttpClientOptions', name);
  return value;
}

function certificates(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((c) => typeof c === 'string' && c.includes('-----BEGIN CERTIFICATE-----'))) {
    throw new FormatError('must be a list of PEM certificates', 'HttpClientOptions', 'ca');
  }
  return [...(value as string[])];
}

/**
 * Aborts its signal once `ms` have passed, unless cleared first, or as soon as `caller` aborts (with
 * the caller's reason): whoever reads it checks the caller's signal first to know which it was.
 */
class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #endsAt: number;
  readonly #caller: AbortSignal | undefined;
  readonly #follow = (): void => this.#controller.abort(this.#caller?.reason);

  constructor(ms: number, caller?: AbortSignal) {
    this.#endsAt = performance.now() + ms;
    this.#timer = setTimeout(() => this.#controller.abort(new Error('deadline')), ms);
    this.#caller = caller;
    if (caller?.aborted) this.#follow();
    else caller?.addEventListener('abort', this.#follow, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.#endsAt - performance.now());
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#follow);
  }
}

function parseMinSpeed(value: HttpClientOptions['minSpeed']): MinSpeed {
  const speed = value ?? { bytesPerSecond: 1024, windowMs: 30_000 };
  for (const key of ['bytesPerSecond', 'windowMs'] as const) {
    const n = speed[key];
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new FormatError(`must be an integer >= 1, got ${String(n)}`, 'HttpClientOptions', `minSpeed.${key}`);
    }
  }
  return { bytesPerSecond: speed.bytesPerSecond, windowMs: speed.windowMs };
}

/** Drops a body unread, closing its connection. destroy() emits an abort error nobody else listens to. */
function discard(body: ResponseBody): void {
  body.on('error', () => {});
  body.destroy();
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseContentLength(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
