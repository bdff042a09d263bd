import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentSecurityPolicy, dashboardHtml, newNonce } from '../../../src/extension/dashboard/html';

const SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

describe('dashboard HTML shell', () => {
  it('makes a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    assert.equal(nonces.size, 100);
    for (const n of nonces) assert.equal(Buffer.from(n, 'base64').length, 16);
  });

  it("allows only the nonce'd script and the extension's own resources, and no network", () => {
    const csp = contentSecurityPolicy(SOURCE, 'abc');
    assert.equal(csp, `default-src 'none'; script-src 'nonce-abc'; style-src ${SOURCE}; img-src ${SOURCE} data:; font-src ${SOURCE}`);
    assert.doesNotMatch(csp, /unsafe|connect-src|\*/);
  });

  it('has no inline script or style, and escapes the bootstrap data', () => {
    const html = dashboardHtml({
      cspSource: SOURCE,
      nonce: 'n0nce',
      scriptUri: `${SOURCE}/ext/dist/webview/dashboard.js`,
      styleUri: `${SOURCE}/ext/dist/webview/dashboard.css`,
      title: 'Dashboard <&>',
      bootstrap: { v: 1, locale: 'en" onload="alert(1)', l10n: { Hello: '</script><script>alert(1)</script>' } },
    });
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1, 'one script element');
    assert.equal(scripts[0]![1], '', 'and it is empty: the code is a file');
    assert.match(scripts[0]![0], /nonce="n0nce"/);
    assert.doesNotMatch(html, /<style\b|\sstyle=/, 'no inline style');
    assert.doesNotMatch(html, /onload="alert/, 'attribute values are escaped');
    assert.doesNotMatch(html, /<\/script><script>alert/, 'bootstrap text cannot close the script');
    assert.match(html, /<title>Dashboard &lt;&amp;&gt;<\/title>/);
    const attr = /data-bootstrap="([^"]*)"/.exec(html)![1]!;
    const decoded = attr.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    assert.deepEqual(JSON.parse(decoded), { v: 1, locale: 'en" onload="alert(1)', l10n: { Hello: '</script><script>alert(1)</script>' } }, 'the data survives intact');
  });
});
