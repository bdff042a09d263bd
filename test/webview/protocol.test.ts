import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { command, MAX_FAILURE_MESSAGE, notification, parseHostMessage, parseUiState, parseWebviewMessage } from '../../src/protocol/dashboard';

const env = (method: string, params: unknown, extra: Record<string, unknown> = {}) => ({ v: 1, kind: 'command', method, params, ...extra });

describe('dashboard protocol: what the host accepts from the webview', () => {
  it('accepts each command with exactly its params, as a fresh copy', () => {
    for (const method of ['webview/ready', 'measure/start', 'measure/cancel']) {
      const raw = env(method, {});
      const parsed = parseWebviewMessage(raw);
      assert.deepEqual(parsed, raw);
      assert.notEqual(parsed, raw, 'a copy, never the object the webview sent');
    }
    for (const action of ['warmUp', 'clearCache', 'refresh', 'copySnapshot']) {
      assert.deepEqual(parseWebviewMessage(env('action/run', { action })), command('action/run', { action: action as 'warmUp' }));
    }
    assert.deepEqual(parseWebviewMessage(env('webview/didFail', { kind: 'csp', message: 'style-src blocked inline' })), command('webview/didFail', { kind: 'csp', message: 'style-src blocked inline' }));
  });

  it('refuses anything else', () => {
    const bad: unknown[] = [
      undefined,
      null,
      'webview/ready',
      [],
      { ...env('webview/ready', {}), v: 2 },
      { ...env('webview/ready', {}), kind: 'notification' },
      env('webview/ready', {}, { extra: true }),
      env('webview/ready', { x: 1 }),
      env('webview/ready', null),
      env('webview/ready', []),
      env('action/run', { action: 'deleteEverything' }),
      env('action/run', { action: 'toString' }),
      env('action/run', { action: 'warmUp', also: 'clearCache' }),
      env('action/run', {}),
      env('action/run', { action: 1 }),
      env('command/execute', { id: 'workbench.action.terminal.new' }),
      env('metrics/didChange', {}),
      env('webview/didFail', { kind: 'other', message: 'x' }),
      env('webview/didFail', { kind: 'csp', message: 42 }),
      env('__proto__', {}),
      JSON.parse('{"v":1,"kind":"command","method":"action/run","params":{"__proto__":{"action":"warmUp"}}}'),
    ];
    for (const raw of bad) assert.equal(parseWebviewMessage(raw), undefined, JSON.stringify(raw));
  });

  it('inherited properties do not count', () => {
    const params = Object.create({ action: 'warmUp' }) as object;
    assert.equal(parseWebviewMessage(env('action/run', params)), undefined);
  });

  it('caps the text a webview may send to the log', () => {
    const parsed = parseWebviewMessage(env('webview/didFail', { kind: 'error', message: 'x'.repeat(10_000) }));
    assert.equal(parsed?.method === 'webview/didFail' && parsed.params.message.length, MAX_FAILURE_MESSAGE);
  });
});

describe('dashboard protocol: what the webview accepts from the host', () => {
  it('accepts the three notifications and ignores other versions and shapes', () => {
    const state = notification('state/didChange', { state: { engine: 'open', running: [] } });
    assert.equal(parseHostMessage(state), state);
    const measure = notification('measure/didChange', { measure: { status: 'idle' } });
    assert.equal(parseHostMessage(measure), measure);
    assert.equal(parseHostMessage({ ...state, v: 0 }), undefined);
    assert.equal(parseHostMessage({ v: 1, kind: 'notification', method: 'metrics/didChange', params: { snapshot: {}, samples: 'x', replace: true } }), undefined);
    assert.equal(parseHostMessage({ v: 1, kind: 'notification', method: 'other', params: {} }), undefined);
    assert.equal(parseHostMessage({ type: 'someone-elses-message' }), undefined);
  });
});

describe('dashboard UI state (setState)', () => {
  it('keeps a known range and falls back to the whole session otherwise', () => {
    assert.deepEqual(parseUiState({ v: 1, range: '5m' }), { v: 1, range: '5m' });
    assert.deepEqual(parseUiState({ v: 1, range: 'forever' }), { v: 1, range: 'all' });
    assert.deepEqual(parseUiState(undefined), { v: 1, range: 'all' });
    assert.deepEqual(parseUiState({ v: 0, range: '1m' }), { v: 1, range: 'all' });
  });
});
