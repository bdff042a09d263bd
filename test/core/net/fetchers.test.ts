import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { AbortedError, FormatError, NotFoundError, TooLargeError } from '../../../src/core/errors';
import { createFetcher } from '../../../src/core/net/createFetcher';
import { FileFetcher } from '../../../src/core/net/fileFetcher';
import { HttpClient } from '../../../src/core/net/httpClient';
import { HttpFetcher } from '../../../src/core/net/httpFetcher';
import { LoopbackServer } from '../../helpers/loopbackServer';
import { rejection, text } from '../../helpers/rejection';

const MAX = 1024 * 1024;

/** Paths a catalog must never be able to use to reach outside its marketplace. */
const ESCAPES = [
  '../secret.txt',
  'pkg/../../secret.txt',
  '/etc/passwd',
  '%2e%2e/secret.txt',
  '%2E%2E%2Fsecret.txt',
  'pkg/%2f..%2fsecret.txt',
  'pkg\\..\\secret.txt',
  'pkg//a.zip',
  './a.zip',
  '',
  'C:/Windows/win.ini',
  'file:///etc/passwd',
  '//evil.invalid/a.zip',
  'https://evil.invalid/a.zip',
  'a.zip?x=1',
  'bad%zzescape',
];

/** A temp folder with a marketplace root inside it and a secret file next to (outside) the root. */
async function tempMarketplace(t: TestContext): Promise<string> {
  const outer = await mkdtemp(join(tmpdir(), 'net-fetchers-'));
  t.after(() => rm(outer, { recursive: true, force: true }));
  await writeFile(join(outer, 'secret.txt'), 'do not serve me');
  const root = join(outer, 'market');
  await mkdir(join(root, 'pkg'), { recursive: true });
  await writeFile(join(root, 'catalog.json'), '{"templates":[]}');
  await writeFile(join(root, 'pkg', 'my file.zip'), 'zip bytes');
  return root;
}

describe('FileFetcher', () => {
  test('reads a file with a weak size-mtime ETag, like a static server', async (t) => {
    const root = await tempMarketplace(t);
    const fetcher = new FileFetcher(root);
    const progress: [number, number | undefined][] = [];
    const result = await fetcher.get('catalog.json', { maxBytes: MAX, onProgress: (r, total) => progress.push([r, total]) });
    const info = await stat(join(root, 'catalog.json'));
    assert.ok(result.status === 200);
    assert.equal(text(result.bytes), '{"templates":[]}');
    assert.equal(result.etag, `W/"${info.size}-${info.mtimeMs}"`);
    assert.equal(result.lastModified, info.mtime.toUTCString());
    assert.equal(result.attempts, 1);
    assert.deepEqual(progress.at(-1), [info.size, info.size]);
    await fetcher.close();
  });

  test('percent-decodes paths the way a web server would', async (t) => {
    const fetcher = new FileFetcher(await tempMarketplace(t));
    const result = await fetcher.get('pkg/my%20file.zip', { maxBytes: MAX });
    assert.ok(result.status === 200);
    assert.equal(text(result.bytes), 'zip bytes');
  });

  test('answers 304 while the ETag matches and 200 once the file changes', async (t) => {
    const root = await tempMarketplace(t);
    const fetcher = new FileFetcher(root);
    const first = await fetcher.get('catalog.json', { maxBytes: MAX });
    assert.deepEqual(await fetcher.get('catalog.json', { maxBytes: MAX, etag: first.etag }), {
      status: 304,
      etag: first.etag,
      lastModified: first.lastModified,
      attempts: 1,
    });
    const file = join(root, 'catalog.json');
    await writeFile(file, '{"templates":[1]}');
    await utimes(file, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    const changed = await fetcher.get('catalog.json', { maxBytes: MAX, etag: first.etag });
    assert.ok(changed.status === 200);
    assert.equal(text(changed.bytes), '{"templates":[1]}');
    assert.notEqual(changed.etag, first.etag);
  });

  test('answers 304 on If-Modified-Since when no ETag is given', async (t) => {
    const root = await tempMarketplace(t);
    const file = join(root, 'catalog.json');
    await utimes(file, new Date('2020-01-01T00:00:00.700Z'), new Date('2020-01-01T00:00:00.700Z'));
    const fetcher = new FileFetcher(root);
    const same = await fetcher.get('catalog.json', { maxBytes: MAX, lastModified: 'Wed, 01 Jan 2020 00:00:00 GMT' });
    assert.equal(same.status, 304);
    const older = await fetcher.get('catalog.json', { maxBytes: MAX, lastModified: 'Tue, 31 Dec 2019 23:59:59 GMT' });
    assert.equal(older.status, 200);
  });

  test('refuses a file larger than maxBytes before reading it; exactly maxBytes is fine', async (t) => {
    const root = await tempMarketplace(t);
    await writeFile(join(root, 'big.zip'), Buffer.alloc(100));
    const fetcher = new FileFetcher(root);
    const err = await rejection(fetcher.get('big.zip', { maxBytes: 99 }));
    assert.ok(err instanceof TooLargeError);
    assert.match(err.message, /100 bytes, more than the 99-byte limit/);
    const exact = await fetcher.get('big.zip', { maxBytes: 100 });
    assert.ok(exact.status === 200);
    assert.equal(exact.bytes.byteLength, 100);
  });

  test('refuses every path that leaves the root', async (t) => {
    const fetcher = new FileFetcher(await tempMarketplace(t));
    for (const path of ESCAPES) {
      await assert.rejects(fetcher.get(path, { maxBytes: MAX }), FormatError, JSON.stringify(path));
    }
  });

  test('refuses a symbolic link that leads outside the root', async (t) => {
    const root = await tempMarketplace(t);
    await symlink(join(root, '..', 'secret.txt'), join(root, 'pkg', 'link.zip'));
    const err = await rejection(new FileFetcher(root).get('pkg/link.zip', { maxBytes: MAX }));
    assert.ok(err instanceof FormatError);
    assert.match(err.message, /symbolic link leads outside/);
  });

  test('reports missing files and folders as NotFoundError', async (t) => {
    const root = await tempMarketplace(t);
    const fetcher = new FileFetcher(root);
    await assert.rejects(fetcher.get('pkg/none.zip', { maxBytes: MAX }), NotFoundError);
    await assert.rejects(fetcher.get('pkg', { maxBytes: MAX }), NotFoundError);
    await assert.rejects(fetcher.get('catalog.json/x', { maxBytes: MAX }), NotFoundError);
    await assert.rejects(new FileFetcher(join(root, 'nope')).get('catalog.json', { maxBytes: MAX }), NotFoundError);
  });

  test('an aborted signal rejects with AbortedError', async (t) => {
    const fetcher = new FileFetcher(await tempMarketplace(t));
    await assert.rejects(fetcher.get('catalog.json', { maxBytes: MAX, signal: AbortSignal.abort() }), AbortedError);
  });
});

describe('HttpFetcher', () => {
  async function setup(t: TestContext) {
    const server = await LoopbackServer.start((req, res) => {
      res.writeHead(200, { 'content-length': String(Buffer.byteLength(req.url ?? '')) }).end(req.url);
    });
    const client = new HttpClient({ retries: 0 });
    t.after(async () => {
      await server.close();
      await client.close();
    });
    return { server, client };
  }

  test('resolves paths below the base, adding the missing trailing slash', async (t) => {
    const { server, client } = await setup(t);
    const fetcher = new HttpFetcher(server.url('/market'), client);
    assert.equal(fetcher.baseUrl, server.url('/market/'));
    const result = await fetcher.get('pkg/my%20file.zip', { maxBytes: MAX });
    assert.ok(result.status === 200);
    assert.equal(text(result.bytes), '/market/pkg/my%20file.zip');
  });

  test('refuses paths that escape the base, without sending anything', async (t) => {
    const { server, client } = await setup(t);
    const fetcher = new HttpFetcher(server.url('/market/'), client);
    for (const path of ESCAPES) {
      await assert.rejects(fetcher.get(path, { maxBytes: MAX }), FormatError, JSON.stringify(path));
    }
    assert.equal(server.requests, 0);
  });

  test('rejects a base that is not a plain http(s) URL', (t) => {
    const client = new HttpClient();
    t.after(() => client.close());
    for (const base of ['ftp://127.0.0.1/', 'not a url', 'http://127.0.0.1/market?token=1', 'http://127.0.0.1/#x']) {
      assert.throws(() => new HttpFetcher(base, client), FormatError, base);
    }
  });

  test('close() leaves the shared client open', async (t) => {
    const { server, client } = await setup(t);
    await new HttpFetcher(server.url('/a/'), client).close();
    const result = await new HttpFetcher(server.url('/b/'), client).get('x', { maxBytes: MAX });
    assert.equal(result.status, 200);
  });
});

describe('createFetcher', () => {
  test('picks HttpFetcher for http(s) and FileFetcher for file: URLs', async (t) => {
    const client = new HttpClient();
    t.after(() => client.close());
    assert.ok(createFetcher('http://127.0.0.1:1/m', client) instanceof HttpFetcher);
    assert.ok(createFetcher('https://example.invalid/m/', client) instanceof HttpFetcher);
    const root = await tempMarketplace(t);
    const local = createFetcher(pathToFileURL(root).href, client);
    assert.ok(local instanceof FileFetcher);
    assert.equal(local.rootDir, root);
    const result = await local.get('catalog.json', { maxBytes: MAX });
    assert.equal(result.status, 200);
  });

  test('rejects other schemes and non-URLs with a FormatError naming the URL', (t) => {
    const client = new HttpClient();
    t.after(() => client.close());
    for (const url of ['ftp://example.invalid/m', 'git+ssh://example.invalid/m', 'C:\\market', 'market']) {
      const err = (() => {
        try {
          createFetcher(url, client);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(err instanceof FormatError, url);
      assert.ok(err.message.includes(url), err.message);
    }
  });
});
