import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errors as undiciErrors } from 'undici';
import { AbortedError, HttpError, NetworkError, NotFoundError, TimeoutError, TooLargeError } from '../../../src/core/errors';
import { errorFailure, failureToError, statusFailure } from '../../../src/core/net/failure';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from '../../../src/core/net/retryPolicy';
import { sleep } from '../../../src/core/net/sleep';

describe('retry policy', () => {
  test('retries 429 and 500/502/503/504 only', () => {
    for (const status of [429, 500, 502, 503, 504]) assert.equal(isRetryableStatus(status), true, String(status));
    for (const status of [200, 304, 400, 401, 403, 404, 410, 501, 505]) assert.equal(isRetryableStatus(status), false, String(status));
  });

  test('backoff is full jitter below min(max, base * 2^retry)', () => {
    const top = (): number => 0.999999;
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => backoffDelay(r, 200, 5000, top)), [199, 399, 799, 1599, 3199, 4999]);
    assert.equal(backoffDelay(3, 200, 5000, () => 0), 0);
    assert.equal(backoffDelay(2, 200, 5000, () => 0.5), 400);
    assert.equal(backoffDelay(40, 200, 5000, () => 0.5), 2500); // capped, no overflow
  });

  test('Retry-After as delta-seconds', () => {
    assert.equal(parseRetryAfter('1'), 1000);
    assert.equal(parseRetryAfter(' 120 '), 120_000);
    assert.equal(parseRetryAfter('0'), 0);
  });

  test('Retry-After as an HTTP-date, relative to now', () => {
    const now = Date.parse('Sun, 06 Nov 1994 08:49:30 GMT');
    assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now), 7000);
    assert.equal(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now), 7000);
    assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:00 GMT', now), 0); // in the past: no wait
  });

  test('malformed or absent Retry-After falls back to the backoff', () => {
    for (const value of [undefined, '', '-1', '1.5', 'soon', '2024-01-01T00:00:00Z', 'Mon']) {
      assert.equal(parseRetryAfter(value), undefined, String(value));
    }
  });
});

describe('failure classification', () => {
  test('maps undici timeouts to retryable TimeoutErrors', () => {
    for (const err of [new undiciErrors.ConnectTimeoutError(), new undiciErrors.HeadersTimeoutError(), new undiciErrors.BodyTimeoutError()]) {
      const failure = errorFailure(err);
      assert.equal(failure.retryable, true);
      const error = failureToError(failure, 'http://x/f', 2);
      assert.ok(error instanceof TimeoutError);
      assert.equal(error.cause, err);
      assert.ok(error.message.startsWith('GET http://x/f failed after 2 attempts: '), error.message);
      assert.ok(error.message.includes(err.code), error.message);
    }
  });

  test('maps socket errors to retryable NetworkErrors, looking through causes and AggregateErrors', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const cases = [new undiciErrors.SocketError('other side closed'), reset, new Error('wrapped', { cause: reset }), new AggregateError([refused])];
    for (const err of cases) {
      const failure = errorFailure(err);
      assert.equal(failure.retryable, true, String(err));
      assert.ok(failureToError(failure, 'http://x/f', 1) instanceof NetworkError);
    }
    assert.match(errorFailure(refused).reason, /refused \(ECONNREFUSED\)/);
  });

  test('does not retry unknown hosts, malformed responses or a closed client', () => {
    assert.equal(errorFailure(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' })).retryable, false);
    assert.equal(errorFailure(Object.assign(new Error('bad'), { code: 'HPE_INVALID_CONSTANT' })).retryable, false);
    const closed = errorFailure(new undiciErrors.ClientClosedError());
    assert.equal(closed.retryable, false);
    assert.ok(failureToError(closed, 'http://x/f', 1) instanceof AbortedError);
  });

  test('maps statuses to the right error class and advice', () => {
    const error = (status: number) => failureToError(statusFailure(status, undefined, undefined), 'http://x/f', 1);
    assert.ok(error(404) instanceof NotFoundError);
    assert.ok(error(410) instanceof NotFoundError);
    const forbidden = error(403);
    assert.ok(forbidden instanceof HttpError && forbidden.status === 403 && forbidden.url === 'http://x/f');
    assert.equal(error(503).message, 'GET http://x/f failed: HTTP 503 Service Unavailable — the marketplace is down or overloaded; try again later');
    assert.match(error(429).message, /HTTP 429 Too Many Requests — the server is rate-limiting/);
    assert.equal(statusFailure(503, undefined, 2000).retryAfterMs, 2000);
    assert.equal(statusFailure(501, undefined, undefined).retryable, false);
  });

  test('too-large and aborted failures become TooLargeError and AbortedError', () => {
    assert.ok(failureToError({ kind: 'too-large', reason: 'big', retryable: false }, 'http://x/f', 1) instanceof TooLargeError);
    const aborted = failureToError({ kind: 'aborted', reason: 'the caller cancelled', retryable: false }, 'http://x/f', 1);
    assert.ok(aborted instanceof AbortedError);
    assert.equal(aborted.message, 'GET http://x/f was cancelled: the caller cancelled');
  });
});

describe('sleep', () => {
  test('resolves after the delay', async () => {
    const controller = new AbortController();
    await sleep(1, [controller.signal, undefined]);
    assert.equal(controller.signal.aborted, false);
  });

  test('rejects with the reason of whichever signal aborts', async () => {
    const first = new AbortController();
    const second = new AbortController();
    const pending = sleep(60_000, [first.signal, second.signal]);
    second.abort(new Error('closed'));
    await assert.rejects(pending, /closed/);
    await assert.rejects(sleep(60_000, [AbortSignal.abort(new Error('already'))]), /already/);
  });
});
