import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOptions } from '../../../src/core/client/options';
import { parseNoProxy } from '../../../src/core/net/noProxy';
import { parseProxy } from '../../../src/core/net/proxy';
import { describeProxy, deriveProxy, normalizeProxyUrl } from '../../../src/extension/config/proxy';

/** The engine's own parser decides which bypass entries are usable, as the adapter does. */
const checkEntry = (entry: string): string | undefined => {
  try {
    parseNoProxy([entry]);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

/** And whether it takes a Proxy-Authorization value. */
const checkAuthorization = (value: string): string | undefined => {
  try {
    parseProxy({ url: 'http://p:1', authorization: value });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

const derive = (settings: Record<string, unknown>, env: Record<string, string> = {}) => deriveProxy({ settings, env }, { noProxyEntry: checkEntry, authorization: checkAuthorization });

describe('deriveProxy', () => {
  it('connects directly when nothing is configured', () => {
    assert.deepEqual(derive({ proxy: '', noProxy: [], strictSSL: true }), { problems: [] });
    assert.equal(describeProxy(derive({})), 'none');
  });

  it('prefers http.proxy over the environment', () => {
    const d = derive({ proxy: 'http://corp-proxy:3128' }, { HTTPS_PROXY: 'http://env-proxy:8080' });
    assert.equal(d.proxy?.url, 'http://corp-proxy:3128');
    assert.equal(d.origin, 'http.proxy');
  });

  it('falls back to HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy in that order', () => {
    const all = { HTTPS_PROXY: 'http://a:1', https_proxy: 'http://b:2', HTTP_PROXY: 'http://c:3', http_proxy: 'http://d:4' };
    assert.equal(derive({}, all).origin, 'HTTPS_PROXY');
    assert.equal(derive({}, { ...all, HTTPS_PROXY: '' }).origin, 'https_proxy');
    assert.equal(derive({}, { HTTP_PROXY: 'http://c:3', http_proxy: 'http://d:4' }).origin, 'HTTP_PROXY');
    assert.deepEqual(derive({}, { http_proxy: 'http://d:4' }).proxy, { url: 'http://d:4' });
    assert.equal(derive({ proxy: '   ' }, { http_proxy: 'http://d:4' }).origin, 'http_proxy', 'a blank setting counts as unset');
  });

  it('reads a proxy without a scheme as http:, like curl', () => {
    assert.equal(derive({}, { HTTPS_PROXY: 'proxy.corp:3128' }).proxy?.url, 'http://proxy.corp:3128');
    assert.equal(normalizeProxyUrl('https://p:443'), 'https://p:443');
  });

  it('merges http.noProxy with NO_PROXY and no_proxy, without duplicates', () => {
    const d = derive({ proxy: 'http://p:3128', noProxy: ['localhost', '.corp.example, 10.0.0.0/8'] }, { NO_PROXY: 'LOCALHOST,internal.example', no_proxy: '127.0.0.1 internal.example' });
    assert.deepEqual(d.proxy?.noProxy, ['localhost', '.corp.example', '10.0.0.0/8', 'internal.example', '127.0.0.1']);
    assert.deepEqual(d.problems, []);
  });

  it('applies NO_PROXY to a proxy from the settings too', () => {
    assert.deepEqual(derive({ proxy: 'http://p:3128' }, { no_proxy: 'a.example' }).proxy, { url: 'http://p:3128', noProxy: ['a.example'] });
  });

  it('passes strictSSL: false only when http.proxyStrictSSL is false', () => {
    assert.equal(derive({ proxy: 'http://p:1', strictSSL: false }).proxy?.strictSSL, false);
    assert.equal(derive({ proxy: 'http://p:1', strictSSL: true }).proxy?.strictSSL, undefined);
    assert.equal(derive({ proxy: 'http://p:1' }).proxy?.strictSSL, undefined);
    const d = derive({ proxy: 'http://p:1', strictSSL: 'no' });
    assert.equal(d.proxy?.strictSSL, undefined, 'anything but false keeps certificates checked');
    assert.deepEqual(
      d.problems.map((p) => p.setting),
      ['http.proxyStrictSSL'],
    );
  });

  it('sends http.proxyAuthorization when it is one header line, and names the setting otherwise without quoting it', () => {
    const d = derive({ proxy: 'http://u:p@p:1', authorization: ' Negotiate YII= ' });
    assert.equal(d.proxy?.authorization, 'Negotiate YII=');
    assert.equal(describeProxy(d), 'http://p:1 (from http.proxy); authorization from http.proxyAuthorization');
    assert.doesNotThrow(() => checkOptions({ sources: [{ id: 'x', url: 'https://x.invalid/', publicKey: 'x' }], cacheDir: '/tmp/x', http: { proxy: d.proxy! } }), 'the engine takes it as is');
    for (const unset of [null, undefined, '', '  ']) assert.equal(derive({ proxy: 'http://p:1', authorization: unset }).proxy?.authorization, undefined);
    for (const bad of ['Basic a\r\nX-Secret-Header: 1', 42]) {
      const refused = derive({ proxy: 'http://p:1', authorization: bad });
      assert.equal(refused.proxy?.authorization, undefined, 'the proxy URL\'s credentials are used instead');
      assert.deepEqual(refused.problems.map((p) => p.setting), ['http.proxyAuthorization']);
      assert.doesNotMatch(JSON.stringify(refused.problems), /X-Secret-Header/);
    }
  });

  it('refuses unsupported proxies by the setting they came from, and connects directly', () => {
    const socks = derive({ proxy: 'socks5://p:1080' });
    assert.equal(socks.proxy, undefined);
    assert.equal(socks.problems[0]?.setting, 'http.proxy');
    assert.match(socks.problems[0]!.message, /"socks5:" proxies are not supported.*connecting directly/);
    const env = derive({}, { HTTPS_PROXY: 'http://[bad' });
    assert.equal(env.proxy, undefined);
    assert.equal(env.problems[0]?.setting, 'HTTPS_PROXY');
  });

  it('never puts proxy credentials in a problem or a log line', () => {
    const bad = derive({ proxy: 'http://user:hunter2@[bad' });
    assert.equal(JSON.stringify(bad.problems).includes('hunter2'), false, JSON.stringify(bad.problems));
    const good = derive({ proxy: 'http://user:hunter2@proxy:3128' });
    assert.equal(good.proxy?.url, 'http://user:hunter2@proxy:3128', 'the engine gets the credentials (it sends them as Proxy-Authorization)');
    assert.equal(describeProxy(good).includes('hunter2'), false);
    assert.match(describeProxy(good), /http:\/\/proxy:3128 \(from http\.proxy\)/);
  });

  it('drops a bypass entry the engine cannot use, naming where it came from', () => {
    const d = derive({ proxy: 'http://p:1', noProxy: ['ok.example', 'bad:port:x'] }, { NO_PROXY: '10.0.0.0/99' });
    assert.deepEqual(d.proxy?.noProxy, ['ok.example']);
    assert.deepEqual(
      d.problems.map((p) => p.setting),
      ['http.noProxy', 'NO_PROXY'],
    );
  });

  it('ignores malformed setting types with a problem', () => {
    const d = derive({ proxy: 'http://p:1', noProxy: 'a.example' });
    assert.equal(d.proxy?.noProxy, undefined);
    assert.equal(d.problems[0]?.setting, 'http.noProxy');
    assert.equal(derive({ proxy: 42 }).problems[0]?.setting, 'http.proxy');
  });

  it('produces options the engine accepts', () => {
    const d = derive({ proxy: 'https://user:pw@proxy.corp:8443', noProxy: ['localhost', '[::1]:8080'], strictSSL: false }, { NO_PROXY: '*.internal' });
    assert.doesNotThrow(() => checkOptions({ sources: [{ id: 'a', url: 'https://a.example/', publicKey: 'k' }], cacheDir: '/x', http: { proxy: d.proxy! } }));
  });
});
