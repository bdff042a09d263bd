import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { NotFoundError } from '../../src/core/errors';
import { sha256Hex } from '../../src/core/format';
import { startStaticServer, type StaticServer } from '../../src/cli/serve/staticServer';
import { rawRequest } from './httpGet';

const CATALOG = '{"payloadType":"x","payload":"e30=","signatures":[]}\n';
const ZIP = Buffer.from('PK\u0005\u0006' + '\0'.repeat(18), 'latin1');
const MTIME = new Date('2026-11-01T00:00:00Z');

let tmp: string;
let root: string;
let server: StaticServer;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'static-server-'));
  root = join(tmp, 'www');
  await mkdir(join(root, 'packages'), { recursive: true });
  await writeFile(join(root, 'catalog.json'), CATALOG);
  await writeFile(join(root, 'packages', 'a-1.0.0.zip'), ZIP);
  await writeFile(join(root, 'notes.txt'), 'hello');
  await writeFile(join(root, 'empty.bin'), '');
  await writeFile(join(root, '.hidden'), 'no');
  await writeFile(join(tmp, 'secret.txt'), 'outside the root');
  await symlink(join(tmp, 'secret.txt'), join(root, 'escape.txt'));
  await symlink(join(root, 'notes.txt'), join(root, 'inside-link.txt'));
  await utimes(join(root, 'catalog.json'), MTIME, MTIME);
  server = await startStaticServer({ root });
});

after(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => rawRequest(server.url, path, { headers });

test('listens on 127.0.0.1 and reports a URL with a trailing slash', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(new URL(server.url).port, String(server.port));
  assert.ok(server.port > 0);
});

test('GET catalog.json: body, type, length, strong ETag, Last-Modified, no-cache', async () => {
  const res = await get('/catalog.json');
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), CATALOG);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(res.headers['content-length'], String(Buffer.byteLength(CATALOG)));
  assert.equal(res.headers.etag, `"${sha256Hex(Buffer.from(CATALOG))}"`);
  assert.equal(res.headers['last-modified'], MTIME.toUTCString());
  assert.equal(res.headers['cache-control'], 'no-cache');
});

test('packages are zip and immutable; anything else is octet-stream; a query string is ignored', async () => {
  const zip = await get('/packages/a-1.0.0.zip?v=1');
  assert.equal(zip.status, 200);
  assert.deepEqual(zip.body, ZIP);
  assert.equal(zip.headers['content-type'], 'application/zip');
  assert.match(zip.headers['cache-control']!, /immutable/);
  const other = await get('/notes.txt');
  assert.equal(other.headers['content-type'], 'application/octet-stream');
  const empty = await get('/empty.bin');
  assert.equal(empty.status, 200);
  assert.equal(empty.headers['content-length'], '0');
  assert.equal(empty.body.length, 0);
});

test('HEAD sends the same headers and no body', async () => {
  const [head, full] = await Promise.all([rawRequest(server.url, '/catalog.json', { method: 'HEAD' }), get('/catalog.json')]);
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  for (const name of ['etag', 'last-modified', 'content-length', 'content-type', 'cache-control']) {
    assert.equal(head.headers[name], full.headers[name], name);
  }
});

test('If-None-Match: 304 for a matching (or weak, or listed, or *) tag, 200 otherwise', async () => {
  const { headers } = await get('/catalog.json');
  const etag = headers.etag!;
  for (const value of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
    const res = await get('/catalog.json', { 'If-None-Match': value });
    assert.equal(res.status, 304, value);
    assert.equal(res.body.length, 0);
    assert.equal(res.headers.etag, etag);
    assert.equal(res.headers['last-modified'], MTIME.toUTCString());
  }
  assert.equal((await get('/catalog.json', { 'If-None-Match': '"nope"' })).status, 200);
});

test('If-Modified-Since: 304 when not modified since; If-None-Match takes precedence', async () => {
  const lastModified = MTIME.toUTCString();
  assert.equal((await get('/catalog.json', { 'If-Modified-Since': lastModified })).status, 304);
  assert.equal((await get('/catalog.json', { 'If-Modified-Since': new Date(MTIME.getTime() + 60_000).toUTCString() })).status, 304);
  assert.equal((await get('/catalog.json', { 'If-Modified-Since': new Date(MTIME.getTime() - 1000).toUTCString() })).status, 200);
  assert.equal((await get('/catalog.json', { 'If-Modified-Since': 'not a date' })).status, 200);
  const res = await get('/catalog.json', { 'If-None-Match': '"stale"', 'If-Modified-Since': lastModified });
  assert.equal(res.status, 200, 'a non-matching If-None-Match wins over a matching If-Modified-Since');
});

test('a file replaced by rename gets a new ETag', async () => {
  const file = join(root, 'replaced.json');
  await writeFile(file, '{"v":1}');
  const first = await get('/replaced.json');
  await writeFile(`${file}.tmp`, '{"v":2}');
  await rename(`${file}.tmp`, file);
  const second = await get('/replaced.json', { 'If-None-Match': first.headers.etag! });
  assert.equal(second.status, 200);
  assert.equal(second.body.toString(), '{"v":2}');
  assert.notEqual(second.headers.etag, first.headers.etag);
  assert.equal(second.headers.etag, `"${sha256Hex(Buffer.from('{"v":2}'))}"`);
});

test('only GET and HEAD are allowed', async () => {
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const res = await rawRequest(server.url, '/catalog.json', { method });
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.allow, 'GET, HEAD');
  }
});

test('traversal, raw or encoded, is refused and nothing outside the root is served', async () => {
  const refused = [
    '/../secret.txt', '/packages/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/packages%2f..%2f..%2fsecret.txt',
    '/..%5csecret.txt', '/%2e%2e%5csecret.txt', '/./catalog.json', '/catalog.json%00', '/%E0%A4%A', '/%zz', 'catalog.json',
  ];
  for (const path of refused) {
    const res = await get(path);
    assert.equal(res.status, 400, path);
    assert.ok(!res.body.toString().includes('outside the root'), path);
  }
  for (const path of ['/escape.txt', '/.hidden', '/packages', '/packages/', '/', '//catalog.json', '/missing.json']) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.ok(!res.body.toString().includes('outside the root'), path);
  }
  assert.equal((await get('/inside-link.txt')).body.toString(), 'hello', 'a symlink that stays inside the root is fine');
});

test('refuses to serve a folder that does not exist', async () => {
  await assert.rejects(startStaticServer({ root: join(tmp, 'nope') }), NotFoundError);
  await assert.rejects(startStaticServer({ root: join(root, 'notes.txt') }), NotFoundError);
});

test('close() drops keep-alive connections and is idempotent', async () => {
  const own = await startStaticServer({ root });
  const agent = new Agent({ keepAlive: true });
  try {
    const res = await rawRequest(own.url, '/catalog.json', { agent });
    assert.equal(res.status, 200);
    assert.equal(Object.values(agent.freeSockets).flat().length, 1, 'the connection is kept alive');
    await Promise.all([own.close(), own.close()]);
    await assert.rejects(rawRequest(own.url, '/catalog.json'), { code: 'ECONNREFUSED' });
  } finally {
    agent.destroy();
    await own.close();
  }
});
