import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkOptions } from '../../../src/core/client/options';
import { fromBase64 } from '../../../src/core/format/encoding';
import { sampleSource, SAMPLE_PUBLIC_KEY } from '../../../src/core/sample';
import {
  BOOLEAN_SETTINGS,
  bearer,
  checkMarketplaceId,
  checkPublicKey,
  checkToken,
  classifyChange,
  deriveMarketplaceId,
  formatProblem,
  MARKETPLACE_ID,
  NUMBER_SETTINGS,
  readSettings,
  settingOf,
  toClientOptions,
  type SettingsReader,
} from '../../../src/extension/config/settings';

const KEY = 'kzVHvmpJev/QzNvLxQlDrZvOltvkDRNnBrpE/4DISg8=';
const OTHER_KEY = Buffer.alloc(32, 7).toString('base64');

/** A reader over plain objects: what `getConfiguration('templateMarketplace')` would give. */
function reader(effective: Record<string, unknown>, scopes: { global?: Record<string, unknown>; workspace?: Record<string, unknown> } = {}): SettingsReader {
  return {
    get: (key) => effective[key],
    inspect: (key) => ({ globalValue: scopes.global?.[key], workspaceValue: scopes.workspace?.[key] }),
  };
}

const read = (effective: Record<string, unknown>, trusted = true) => readSettings(reader(effective), { trusted });
const sample = sampleSource('/ext/media/sample-marketplace');
const ctx = { sample, cacheDir: '/storage', tokens: new Map<string, string>() };

describe('readSettings → toClientOptions', () => {
  it('maps the defaults to engine options with the sample marketplace only', () => {
    const { settings, problems } = read({});
    assert.deepEqual(problems, []);
    const options = toClientOptions(settings, ctx);
    assert.deepEqual(options, {
      sources: [sample],
      cacheDir: '/storage',
      memory: { maxEntries: 100_000, maxBytes: 64 * 1024 * 1024 },
      disk: { maxBytes: 256 * 1024 * 1024 },
      catalogTtlMs: 10 * 60_000,
      concurrency: 8,
      prefetchPopular: 0,
      prefetchRelated: 3,
      http: { connectTimeoutMs: 30_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000, deadlineMs: 300_000, retries: 2 },
    });
    assert.doesNotThrow(() => checkOptions(options), 'the engine accepts what the defaults make');
  });

  it('maps every valid setting', () => {
    const { settings, problems } = read({
      marketplaces: [
        { id: 'acme', url: 'https://templates.acme.example/', publicKey: KEY, name: ' Acme ' },
        { id: 'local.dev', url: 'file:///srv/market/', publicKey: OTHER_KEY },
      ],
      includeSampleMarketplace: false,
      'cache.memoryEntries': 1000,
      'cache.memoryMB': 1.5,
      'cache.diskMB': 1024,
      catalogRefreshMinutes: 1.5,
      downloadConcurrency: 3,
      'network.timeoutSeconds': 2.5,
      'network.retries': 0,
      prefetchCount: 12,
      'prefetch.related': 0,
      'statusBar.enabled': false,
    });
    assert.deepEqual(problems, []);
    assert.equal(settings.statusBar.enabled, false);
    const options = toClientOptions(settings, { ...ctx, userAgent: 'ua/1', proxy: { url: 'http://proxy:3128' } });
    assert.deepEqual(options.sources, [
      { id: 'acme', url: 'https://templates.acme.example/', publicKey: KEY, name: 'Acme' },
      { id: 'local.dev', url: 'file:///srv/market/', publicKey: OTHER_KEY },
    ]);
    assert.deepEqual(options.memory, { maxEntries: 1000, maxBytes: 1.5 * 1024 * 1024 });
    assert.deepEqual(options.disk, { maxBytes: 1024 * 1024 * 1024 });
    assert.equal(options.catalogTtlMs, 90_000);
    assert.equal(options.concurrency, 3);
    assert.equal(options.prefetchPopular, 12);
    assert.equal(options.prefetchRelated, 0, '0 turns the related prefetch off');
    assert.deepEqual(options.http, { connectTimeoutMs: 2500, headersTimeoutMs: 2500, bodyTimeoutMs: 2500, deadlineMs: 300_000, retries: 0, userAgent: 'ua/1', proxy: { url: 'http://proxy:3128' } });
    assert.doesNotThrow(() => checkOptions(options));
  });

  it('gives a download the time its attempts may take when that is longer than 5 minutes', () => {
    const { settings } = readSettings(reader({ 'network.timeoutSeconds': 600, 'network.retries': 2 }), { trusted: true });
    const options = toClientOptions(settings, ctx);
    assert.equal(options.http?.connectTimeoutMs, 600_000);
    assert.equal(options.http?.deadlineMs, 1_800_000, 'three attempts of up to 10 minutes');
    assert.doesNotThrow(() => checkOptions(options));
  });

  it('turns a stored token into an Authorization header of its own http(s) marketplace only', () => {
    const { settings } = read({
      marketplaces: [
        { id: 'private', url: 'https://private.example/', publicKey: KEY },
        { id: 'public', url: 'https://public.example/', publicKey: KEY },
        { id: 'disk', url: 'file:///srv/m/', publicKey: KEY },
      ],
    });
    const tokens = new Map([
      ['private', 's3cret'],
      ['disk', 'unused'],
      ['samples', 'never'],
    ]);
    const options = toClientOptions(settings, { ...ctx, tokens });
    const byId = new Map(options.sources.map((s) => [s.id, s]));
    assert.deepEqual(byId.get('private')!.headers, { authorization: 'Bearer s3cret' });
    assert.equal(byId.get('public')!.headers, undefined);
    assert.equal(byId.get('disk')!.headers, undefined, 'file: sources get no headers');
    assert.equal(byId.get('samples')!.headers, undefined, 'the sample never gets a token');
    assert.doesNotThrow(() => checkOptions(options), 'the engine accepts the header');
  });

  it('does not double a pasted "Bearer " prefix, and refuses tokens that cannot be a header value', () => {
    assert.equal(bearer('abc'), 'Bearer abc');
    assert.equal(bearer(' bearer   abc '), 'Bearer abc');
    assert.equal(checkToken('abc.def-123_~+/='), undefined);
    assert.equal(checkToken('Bearer abc'), undefined);
    assert.match(checkToken('abc\ndef')!, /one line/);
    assert.match(checkToken('abc def')!, /spaces/);
  });
});

describe('readSettings: problems name the setting', () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['not a list', { marketplaces: { id: 'x' } }, 'templateMarketplace.marketplaces', /must be a list/],
    ['entry not an object', { marketplaces: ['https://x.example'] }, 'templateMarketplace.marketplaces[0]', /must be an object/],
    ['missing id', { marketplaces: [{ url: 'https://x.example/', publicKey: KEY }] }, 'templateMarketplace.marketplaces[0].id', /an id is required/],
    ['bad id', { marketplaces: [{ id: 'Acme Co', url: 'https://x.example/', publicKey: KEY }] }, 'templateMarketplace.marketplaces[0].id', /"Acme Co" is not a valid id/],
    ['reserved id', { marketplaces: [{ id: 'samples', url: 'https://x.example/', publicKey: KEY }] }, 'templateMarketplace.marketplaces[0].id', /reserved for the sample/],
    ['missing url', { marketplaces: [{ id: 'a', publicKey: KEY }] }, 'templateMarketplace.marketplaces[0].url', /a URL is required/],
    ['not a url', { marketplaces: [{ id: 'a', url: 'templates.example', publicKey: KEY }] }, 'templateMarketplace.marketplaces[0].url', /is not a URL/],
    ['ftp', { marketplaces: [{ id: 'a', url: 'ftp://x.example/', publicKey: KEY }] }, 'templateMarketplace.marketplaces[0].url', /"ftp:" is not supported/],
    ['credentials in url', { marketplaces: [{ id: 'a', url: 'https://me:pw@x.example/', publicKey: KEY }] }, 'templateMarketplace.marketplaces[0].url', /must not contain credentials/],
    ['query in url', { marketplaces: [{ id: 'a', url: 'https://x.example/?token=1', publicKey: KEY }] }, 'templateMarketplace.marketplaces[0].url', /without a query/],
    ['missing key', { marketplaces: [{ id: 'a', url: 'https://x.example/' }] }, 'templateMarketplace.marketplaces[0].publicKey', /public key is required/],
    ['short key', { marketplaces: [{ id: 'a', url: 'https://x.example/', publicKey: 'AAAA' }] }, 'templateMarketplace.marketplaces[0].publicKey', /base64 of 32 bytes/],
    ['memory entries range', { 'cache.memoryEntries': 0 }, 'templateMarketplace.cache.memoryEntries', /whole number from 1 to 1000000, got 0; using 100000/],
    ['concurrency not integer', { downloadConcurrency: 2.5 }, 'templateMarketplace.downloadConcurrency', /whole number from 1 to 64, got 2.5; using 8/],
    ['related prefetch out of range', { 'prefetch.related': 21 }, 'templateMarketplace.prefetch.related', /whole number from 0 to 20, got 21; using 3/],
    ['timeout wrong type', { 'network.timeoutSeconds': '30' }, 'templateMarketplace.network.timeoutSeconds', /number from 1 to 600, got "30"; using 30/],
    ['disk NaN-like', { 'cache.diskMB': null }, '', /./],
    ['boolean wrong type', { includeSampleMarketplace: 'yes' }, 'templateMarketplace.includeSampleMarketplace', /true or false, got "yes"; using true/],
  ];
  for (const [name, effective, setting, message] of cases) {
    it(name, () => {
      const { problems } = read(effective);
      if (setting === '') {
        assert.deepEqual(problems, [], 'null means "not set"');
        return;
      }
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0]!.setting, setting);
      assert.match(problems[0]!.message, message);
      assert.ok(formatProblem(problems[0]!).startsWith(`${setting}: `));
    });
  }

  it('skips only the invalid entries and keeps the valid ones, naming each by index', () => {
    const { settings, problems } = read({
      marketplaces: [
        { id: 'good', url: 'https://good.example/', publicKey: KEY },
        { id: 'bad', url: 'https://bad.example/', publicKey: 'nope' },
        { id: 'good', url: 'https://dup.example/', publicKey: KEY },
        { id: 'also-good', url: 'https://also.example/', publicKey: KEY, name: '' },
      ],
    });
    assert.deepEqual(
      settings.marketplaces.map((m) => m.id),
      ['good', 'also-good'],
    );
    assert.deepEqual(
      problems.map((p) => p.setting),
      ['templateMarketplace.marketplaces[1].publicKey', 'templateMarketplace.marketplaces[2].id', 'templateMarketplace.marketplaces[3].name'],
    );
    assert.match(problems[1]!.message, /already the id of marketplaces\[0\]/);
    assert.equal(settings.marketplaces[1]!.name, undefined, 'an empty name falls back to the catalog name');
  });

  it('refuses tokens in settings (the entry is kept, the token never read) and flags unknown properties', () => {
    const { settings, problems } = read({ marketplaces: [{ id: 'p', url: 'https://p.example/', publicKey: KEY, token: 'leak', colour: 'red' }] });
    assert.equal(settings.marketplaces.length, 1);
    assert.equal(JSON.stringify(settings).includes('leak'), false);
    assert.deepEqual(
      problems.map((p) => [p.setting, /Set Marketplace Token/.test(p.message) || /unknown/.test(p.message)]),
      [
        ['templateMarketplace.marketplaces[0].token', true],
        ['templateMarketplace.marketplaces[0].colour', true],
      ],
    );
    assert.equal(problems.some((p) => p.message.includes('leak')), false, 'the value is never quoted');
  });

  it('never quotes URL credentials in a problem', () => {
    const { problems } = read({ marketplaces: [{ id: 'a', url: 'https://me:pw@', publicKey: KEY }] });
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.message.includes('pw'), false, problems[0]!.message);
  });

  it('opens the setting itself, without the list index', () => {
    assert.equal(settingOf({ setting: 'templateMarketplace.marketplaces[1].publicKey', message: '' }), 'templateMarketplace.marketplaces');
    assert.equal(settingOf({ setting: 'http.proxy', message: '' }), 'http.proxy');
  });
});

describe('readSettings: workspace trust', () => {
  const workspaceMarket = [{ id: 'evil', url: 'https://evil.example/', publicKey: KEY }];
  const userMarket = [{ id: 'mine', url: 'https://mine.example/', publicKey: KEY }];
  const effective = { marketplaces: workspaceMarket, includeSampleMarketplace: false, downloadConcurrency: 4 };
  const scopes = { global: { marketplaces: userMarket }, workspace: { marketplaces: workspaceMarket, includeSampleMarketplace: false } };

  it('uses the effective values in a trusted workspace', () => {
    const { settings, ignoredInRestrictedMode } = readSettings(reader(effective, scopes), { trusted: true });
    assert.deepEqual(
      settings.marketplaces.map((m) => m.id),
      ['evil'],
    );
    assert.equal(settings.includeSampleMarketplace, false);
    assert.deepEqual(ignoredInRestrictedMode, []);
  });

  it('uses only the user values of marketplaces and includeSampleMarketplace in Restricted Mode', () => {
    const { settings, ignoredInRestrictedMode } = readSettings(reader(effective, scopes), { trusted: false });
    assert.deepEqual(
      settings.marketplaces.map((m) => m.id),
      ['mine'],
    );
    assert.equal(settings.includeSampleMarketplace, true, 'back to the default: the workspace value is ignored');
    assert.equal(settings.downloadConcurrency, 4, 'other settings are not restricted');
    assert.deepEqual([...ignoredInRestrictedMode].sort(), ['templateMarketplace.includeSampleMarketplace', 'templateMarketplace.marketplaces']);
  });
});

describe('marketplace ids, keys and URLs', () => {
  it('uses the engine id rule', () => {
    const base = { cacheDir: '/x', sources: [] as { id: string; url: string; publicKey: string }[] };
    for (const id of ['a', 'acme', 'acme.dev', 'a-b_c.d', '0', 'A', 'a..b', '-a', 'a-', 'a b', 'ä', '']) {
      const engineAccepts = (() => {
        try {
          checkOptions({ ...base, sources: [{ id, url: 'https://x.example/', publicKey: KEY }] });
          return true;
        } catch {
          return false;
        }
      })();
      assert.equal(MARKETPLACE_ID.test(id), engineAccepts, `id ${JSON.stringify(id)}`);
      assert.equal(checkMarketplaceId(id) === undefined, engineAccepts, `checkMarketplaceId(${JSON.stringify(id)})`);
    }
  });

  it('accepts exactly the public keys the engine decodes to 32 bytes', () => {
    for (const key of [KEY, SAMPLE_PUBLIC_KEY, OTHER_KEY, KEY.slice(0, -1), `${KEY}=`, KEY.replace('k', '-'), Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'), ` ${KEY} `]) {
      const decoded = fromBase64(key.trim());
      assert.equal(checkPublicKey(key) === undefined, decoded?.length === 32, `key ${JSON.stringify(key)}`);
    }
  });

  it('derives a unique id from the host, or from the folder of a file: URL', () => {
    const none = new Set<string>();
    assert.equal(deriveMarketplaceId('https://www.Templates.Acme.example:8443/market/', none), 'templates.acme.example');
    assert.equal(deriveMarketplaceId('https://templates.acme.example/', new Set(['templates.acme.example', 'templates.acme.example-2'])), 'templates.acme.example-3');
    assert.equal(deriveMarketplaceId('file:///srv/My Market/', none), 'my-market');
    assert.equal(deriveMarketplaceId('http://127.0.0.1:8080/', none), '127.0.0.1');
    assert.equal(deriveMarketplaceId('not a url', none), 'marketplace');
    assert.equal(deriveMarketplaceId('file:///srv/samples/', none), 'samples-1', 'never the sample id');
    for (const url of ['https://a--b..c.example/', 'https://xn--bcher-kva.example/', 'file:///', 'https://[::1]:3000/']) {
      assert.equal(checkMarketplaceId(deriveMarketplaceId(url, none)), undefined, url);
    }
  });
});

describe('classifyChange', () => {
  const affects = (changed: string[]) => (section: string) => changed.some((c) => c === section || c.startsWith(`${section}.`) || section.startsWith(`${c}.`));
  it('rebuilds the engine for engine settings and the proxy, and only updates the status bar for its own setting', () => {
    assert.deepEqual(classifyChange(affects(['templateMarketplace.marketplaces'])), { engine: true, statusBar: false });
    assert.deepEqual(classifyChange(affects(['templateMarketplace.cache.diskMB'])), { engine: true, statusBar: false });
    assert.deepEqual(classifyChange(affects(['templateMarketplace.network.retries'])), { engine: true, statusBar: false });
    assert.deepEqual(classifyChange(affects(['templateMarketplace.prefetch.related'])), { engine: true, statusBar: false });
    assert.deepEqual(classifyChange(affects(['http.noProxy'])), { engine: true, statusBar: false });
    assert.deepEqual(classifyChange(affects(['http.proxyStrictSSL'])), { engine: true, statusBar: false });
    assert.deepEqual(classifyChange(affects(['http.proxyAuthorization'])), { engine: true, statusBar: false });
    assert.deepEqual(classifyChange(affects(['templateMarketplace.statusBar.enabled'])), { engine: false, statusBar: true });
    assert.deepEqual(classifyChange(affects(['editor.fontSize'])), { engine: false, statusBar: false });
  });
});

describe('package.json declares what the reader assumes', () => {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { default?: unknown; minimum?: number; maximum?: number; type?: string }> } };
    capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  };
  const props = manifest.contributes.configuration.properties;

  it('has the same defaults and bounds for every number and boolean setting', () => {
    for (const spec of Object.values(NUMBER_SETTINGS)) {
      const p = props[`templateMarketplace.${spec.key}`];
      assert.ok(p, spec.key);
      assert.equal(p.default, spec.default, `${spec.key} default`);
      assert.equal(p.minimum, spec.min, `${spec.key} minimum`);
      assert.equal(p.maximum, spec.max, `${spec.key} maximum`);
      assert.equal(p.type, spec.integer ? 'integer' : 'number', `${spec.key} type`);
    }
    for (const spec of Object.values(BOOLEAN_SETTINGS)) assert.equal(props[`templateMarketplace.${spec.key}`]?.default, spec.default, spec.key);
  });

  it('restricts the marketplace settings in untrusted workspaces', () => {
    const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
    assert.ok(restricted.includes('templateMarketplace.marketplaces'));
    assert.ok(restricted.includes('templateMarketplace.includeSampleMarketplace'));
  });
});
