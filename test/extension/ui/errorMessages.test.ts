import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOptions } from '../../../src/core/client/options';
import {
  AbortedError,
  ConflictError,
  ExpiredError,
  FormatError,
  HttpError,
  IntegrityError,
  NetworkError,
  NotFoundError,
  RollbackError,
  SignatureError,
  TimeoutError,
  TooLargeError,
  UnsafePackageError,
  UsageError,
  type MarketplaceError,
} from '../../../src/core/errors';
import { errorMessage, loadFailureKind, oneLine } from '../../../src/extension/ui/errorMessages';

describe('errorMessage', () => {
  it('gives every engine error code its own sentence and sensible actions', () => {
    const cases: Array<[MarketplaceError, RegExp, string[]]> = [
      [new NetworkError('connect ECONNREFUSED 127.0.0.1:9'), /^Could not reach the marketplace: connect ECONNREFUSED/, ['retry', 'settings', 'log']],
      [new TimeoutError('headers timeout after 30 s'), /^The marketplace did not answer in time/, ['retry', 'settings', 'log']],
      [new HttpError('HTTP 500 Internal Server Error', 500, 'https://x/'), /^The marketplace answered with an error/, ['retry', 'settings', 'log']],
      [new SignatureError('catalog signature does not verify'), /^Refused: a signature does not verify/, ['log']],
      [new IntegrityError('sha256 mismatch'), /^Refused: downloaded bytes do not match/, ['retry', 'log']],
      [new UnsafePackageError('path traversal'), /^Refused: the package breaks a safety rule/, ['log']],
      [new RollbackError('version 3 < 4'), /older catalog/, ['log']],
      [new ExpiredError('expired yesterday'), /has expired/, ['retry', 'log']],
      [new NotFoundError('no template "x"'), /^Not found: no template "x"/, ['retry', 'log']],
      [new TooLargeError('over 10 MB'), /^Refused: too large/, ['log']],
      [new ConflictError('2 files exist', ['a', 'b']), /^Existing files would be overwritten/, ['log']],
      [new FormatError('bad field', 'catalog.json', 'templates[0]'), /^Invalid template or marketplace data: catalog.json: templates\[0\]: bad field/, ['log']],
      [new UsageError('bad args'), /^Invalid command arguments/, ['log']],
      [new AbortedError(), /^Cancelled\.$/, []],
    ];
    for (const [err, message, actions] of cases) {
      const m = errorMessage(err);
      assert.match(m.message, message, err.code);
      assert.deepEqual(m.actions, actions, err.code);
    }
  });

  it('points option errors at the settings', () => {
    let err: unknown;
    try {
      checkOptions({ sources: [], cacheDir: '/x' });
    } catch (e) {
      err = e;
    }
    const m = errorMessage(err);
    assert.match(m.message, /^The settings cannot be used: MarketplaceClient options: sources: needs at least one marketplace/);
    assert.deepEqual(m.actions, ['settings', 'log']);
  });

  it('offers the token command for 401 and 403, and the proxy setting for proxy failures', () => {
    for (const status of [401, 403]) {
      const m = errorMessage(new HttpError(`HTTP ${status}`, status, 'https://private.example/catalog.json'));
      assert.match(m.message, new RegExp(`refused access \\(HTTP ${status}\\)`));
      assert.deepEqual(m.actions, ['token', 'log']);
    }
    const auth = errorMessage(new HttpError('the proxy http://p:3128 requires authentication (HTTP 407)', 407, 'https://x/'));
    assert.equal(auth.setting, 'http.proxy');
    const refused = errorMessage(new NetworkError('the proxy http://p:3128 refused the connection (ECONNREFUSED)'));
    assert.match(refused.message, /through the proxy/);
    assert.equal(refused.setting, 'http.proxy');
    assert.equal(errorMessage(new NetworkError('ECONNRESET')).setting, undefined);
  });

  it('handles non-engine errors and non-errors', () => {
    assert.deepEqual(errorMessage(new Error('boom')), { message: 'Template Marketplace: boom', actions: ['log'] });
    assert.equal(errorMessage('plain').message, 'Template Marketplace: plain');
    assert.equal(errorMessage(undefined).message, 'Template Marketplace: undefined');
  });

  it('keeps messages to one clean line without stack traces or bidi tricks', () => {
    const err = new NetworkError('line one\nline two\u202e evil\u0000');
    err.stack = 'NetworkError: x\n    at secret (/home/me/file.ts:1:1)';
    const m = errorMessage(err);
    assert.equal(m.message, 'Could not reach the marketplace: line one line two evil');
    assert.equal(m.message.includes('/home/me'), false);
    assert.equal(oneLine('x'.repeat(400)).length, 300);
  });
});

describe('loadFailureKind', () => {
  it('tells the welcome view why nothing loaded', () => {
    const err = (code: string, field?: string) => Object.assign(new Error('x'), { code, field });
    assert.equal(loadFailureKind(err('E_FORMAT', 'sources')), 'none');
    assert.equal(loadFailureKind(err('E_NETWORK')), 'offline');
    assert.equal(loadFailureKind(err('E_TIMEOUT')), 'offline');
    assert.equal(loadFailureKind(err('E_HTTP')), 'offline');
    assert.equal(loadFailureKind(err('E_SIGNATURE')), 'refused');
    assert.equal(loadFailureKind(err('E_ROLLBACK')), 'refused');
    assert.equal(loadFailureKind(err('E_FORMAT', 'payload')), 'refused');
    assert.equal(loadFailureKind(new Error('plain')), 'other');
    assert.equal(loadFailureKind(undefined), 'other');
  });
});
