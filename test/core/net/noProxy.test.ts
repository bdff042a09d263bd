import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FormatError } from '../../../src/core/errors';
import { bypassesProxy, type NoProxyList, parseNoProxy } from '../../../src/core/net/noProxy';

function bypasses(list: NoProxyList, url: string): boolean {
  return bypassesProxy(new URL(url), parseNoProxy(list));
}

describe('noProxy', () => {
  test('nothing listed: every host goes through the proxy, loopback included', () => {
    for (const list of [[], '', ' , ,']) {
      assert.equal(bypasses(list, 'http://127.0.0.1:8080/'), false);
      assert.equal(bypasses(list, 'http://localhost/'), false);
      assert.equal(bypasses(list, 'https://example.com/'), false);
    }
    assert.deepEqual(parseNoProxy(undefined), []);
  });

  test('"*" sends every host direct', () => {
    assert.equal(bypasses('*', 'https://example.com/'), true);
    assert.equal(bypasses(['other.org', '*'], 'http://127.0.0.1:1/'), true);
  });

  test('a name matches itself and its subdomains, with or without a leading "." or "*."', () => {
    for (const entry of ['example.com', '.example.com', '*.example.com', 'EXAMPLE.com.']) {
      assert.equal(bypasses(entry, 'https://example.com/'), true, entry);
      assert.equal(bypasses(entry, 'https://a.b.example.com/'), true, entry);
      assert.equal(bypasses(entry, 'https://Example.COM./x'), true, entry);
      assert.equal(bypasses(entry, 'https://notexample.com/'), false, entry);
      assert.equal(bypasses(entry, 'https://example.com.evil.org/'), false, entry);
    }
  });

  test('a comma or space separated string and a list mean the same', () => {
    const hosts = ['https://a.org/', 'https://b.org/', 'https://c.org/', 'https://d.org/'];
    const fromString = hosts.map((h) => bypasses(' a.org,b.org  c.org ,', h));
    const fromList = hosts.map((h) => bypasses(['a.org', 'b.org, c.org'], h));
    assert.deepEqual(fromString, [true, true, true, false]);
    assert.deepEqual(fromList, fromString);
  });

  test('":port" limits an entry to that port; a URL without one uses its scheme\'s default', () => {
    assert.equal(bypasses('example.com:8443', 'https://example.com:8443/'), true);
    assert.equal(bypasses('example.com:8443', 'https://example.com/'), false);
    assert.equal(bypasses('example.com:443', 'https://example.com/'), true);
    assert.equal(bypasses('example.com:80', 'http://example.com/'), true);
    assert.equal(bypasses('example.com:80', 'https://example.com/'), false);
    assert.equal(bypasses('127.0.0.1:4000', 'http://127.0.0.1:4000/'), true);
    assert.equal(bypasses('127.0.0.1:4000', 'http://127.0.0.1:4001/'), false);
  });

  test('IP entries and CIDR ranges match IP hosts only, by address', () => {
    assert.equal(bypasses('127.0.0.1', 'http://127.0.0.1:9/'), true);
    assert.equal(bypasses('127.0.0.1', 'http://127.1/'), true, 'URL parsing normalizes the host');
    assert.equal(bypasses('127.0.0.1', 'http://localhost/'), false, 'no DNS: a name is not an address');
    assert.equal(bypasses('localhost', 'http://127.0.0.1/'), false);
    assert.equal(bypasses('0.0.1', 'http://127.0.0.1/'), false, 'no suffix matching of addresses');
    assert.equal(bypasses('10.0.0.0/8', 'http://10.20.30.40/'), true);
    assert.equal(bypasses('10.0.0.0/8', 'http://11.0.0.1/'), false);
    assert.equal(bypasses('::1', 'http://[::1]:8080/'), true);
    assert.equal(bypasses('[::1]:8080', 'http://[::1]:8080/'), true);
    assert.equal(bypasses('[::1]:8080', 'http://[::1]:8081/'), false);
    assert.equal(bypasses('fd00::/8', 'http://[fd12::1]/'), true);
    assert.equal(bypasses('fd00::/8', 'http://[fe80::1]/'), false);
  });

  test('malformed entries are refused with a FormatError naming the setting', () => {
    for (const entry of ['example.com:0', 'example.com:99999', 'example.com:http', 'host:', '10.0.0.0/33', 'name/8', '*.', '[::1', 'a/b/c']) {
      assert.throws(() => parseNoProxy(entry, 'http.proxy.noProxy'), (err: unknown) => {
        assert.ok(err instanceof FormatError, entry);
        assert.match(err.message, /^http\.proxy\.noProxy: /);
        return true;
      }, entry);
    }
    assert.throws(() => parseNoProxy([42 as unknown as string]), FormatError);
    assert.throws(() => parseNoProxy({} as unknown as string), FormatError);
  });
});
