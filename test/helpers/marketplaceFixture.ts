import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CATALOG_PAYLOAD_TYPE,
  generateKeyPair,
  serializeCatalog,
  sha256Hex,
  signEnvelope,
  signPackageDigest,
  toBase64,
  utf8,
  writePackage,
  type Catalog,
  type KeyPair,
  type TemplateEntry,
  type TemplateManifest,
} from '../../src/core/format';

export interface FixtureTemplate {
  id: string;
  downloads?: number;
  tags?: string[];
  description?: string;
  files?: Record<string, string>;
  /** Extra bytes to make the package bigger (a stored, incompressible file). */
  padding?: number;
  /** The template's version (manifest and catalog entry); default 1.0.0. */
  version?: string;
  /** The manifest's variables; default one, projectName (default "demo", pattern [a-z-]+). */
  variables?: TemplateManifest['variables'];
}

/** A signed marketplace built in memory from the format primitives, so tests can also build bad ones. */
export class MarketplaceFixture {
  readonly catalogKey: KeyPair = generateKeyPair();
  readonly publisherKey: KeyPair = generateKeyPair();
  readonly files = new Map<string, Uint8Array>();
  readonly packages = new Map<string, Uint8Array>();
  catalog!: Catalog;

  constructor(templates: FixtureTemplate[], opts: { version?: number; expires?: string } = {}) {
    this.publish(templates, opts);
  }

  get publicKey(): string {
    return toBase64(this.catalogKey.publicKey);
  }

  publish(templates: FixtureTemplate[], opts: { version?: number; expires?: string; signWith?: KeyPair } = {}): void {
    const entries: TemplateEntry[] = templates.map((t) => {
      const version = t.version ?? '1.0.0';
      const manifest: TemplateManifest = {
        id: t.id,
        name: `Template ${t.id}`,
        version,
        description: t.description ?? `The ${t.id} template.`,
        category: 'documentation',
        tags: t.tags ?? ['docs'],
        author: 'Fixture',
        targetFolder: '.',
        variables: t.variables ?? [{ name: 'projectName', prompt: 'Project name', default: 'demo', pattern: '[a-z-]+' }],
      };
      const files = new Map(Object.entries(t.files ?? { [`${t.id}.md`]: `# {{projectName}}\n\n${t.id}\n` }).map(([k, v]) => [k, utf8.encode(v)]));
      if (t.padding) files.set('padding.bin', pseudoRandom(t.padding, t.id));
      const bytes = writePackage(manifest, files);
      const sha256 = sha256Hex(bytes);
      const path = `packages/${t.id}-${version}.zip`;
      this.files.set(path, bytes);
      this.packages.set(t.id, bytes);
      return {
        id: t.id, name: manifest.name, version, description: manifest.description, category: 'documentation',
        tags: manifest.tags, author: 'Fixture', downloads: t.downloads ?? 0, updatedAt: '2026-11-01T00:00:00Z',
        size: bytes.length, sha256, path, publisher: this.publisherKey.keyid,
        signature: signPackageDigest(sha256, this.publisherKey.secretKey),
      };
    });
    this.catalog = {
      name: 'Fixture',
      version: opts.version ?? 1,
      expires: opts.expires ?? '2099-01-01T00:00:00Z',
      publishers: { [this.publisherKey.keyid]: toBase64(this.publisherKey.publicKey) },
      templates: entries,
    };
    this.signCatalog(opts.signWith);
  }

  /** Re-signs the current `catalog` (after a test changed it). */
  signCatalog(key: KeyPair = this.catalogKey): void {
    const envelope = signEnvelope(CATALOG_PAYLOAD_TYPE, serializeCatalog(this.catalog), [key]);
    this.files.set('catalog.json', utf8.encode(JSON.stringify(envelope)));
  }

  /** Writes the marketplace to a folder, for `file:` sources. */
  async writeTo(dir: string): Promise<void> {
    for (const [path, bytes] of this.files) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), bytes);
    }
  }
}

function pseudoRandom(size: number, seed: string): Uint8Array {
  const out = new Uint8Array(size);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < size; i += 32) {
    out.set(block.subarray(0, Math.min(32, size - i)), i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

export type Fault = 'reset' | 'truncate' | 'stall' | { status: number; retryAfter?: string };

export interface RequestRecord {
  path: string;
  status: number;
  at: number;
  socket: number;
  headers: IncomingHttpHeaders;
}

/**
 * Serves a fixture on 127.0.0.1 with strong ETags and 304s, records every request, and injects faults
 * queued per path (each queued fault applies to one request, then the path behaves again).
 */
export class FixtureServer {
  readonly requests: RequestRecord[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private readonly sockets = new Set<Socket>();
  private socketIds = new WeakMap<Socket, number>();
  private nextSocket = 0;
  private url_ = '';

  private constructor(
    private readonly fixture: MarketplaceFixture,
    private readonly server: Server,
  ) {}

  /** `tls` (e.g. LOOPBACK_TLS) serves https: instead of http:. */
  static async start(fixture: MarketplaceFixture, opts: { tls?: { key: string; cert: string } } = {}): Promise<FixtureServer> {
    const server = opts.tls ? createTlsServer(opts.tls) : createServer();
    const fs = new FixtureServer(fixture, server);
    server.on('request', (req, res) => fs.handle(req, res));
    server.on('connection', (socket: Socket) => {
      fs.sockets.add(socket);
      socket.on('close', () => fs.sockets.delete(socket));
    });
    // Requests arrive on the TLS socket, not the raw one, so number whichever carries them.
    server.on(opts.tls ? 'secureConnection' : 'connection', (socket: Socket) => fs.socketIds.set(socket, fs.nextSocket++));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fs.url_ = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return fs;
  }

  get url(): string {
    return this.url_;
  }

  inject(path: string, ...faults: Fault[]): void {
    this.faults.set(path, [...(this.faults.get(path) ?? []), ...faults]);
  }

  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const record = (status: number) =>
      this.requests.push({ path, status, at: Date.now(), socket: this.socketIds.get(req.socket) ?? -1, headers: req.headers });
    const fault = this.faults.get(path)?.shift();
    if (fault === 'reset') {
      record(0);
      req.socket.destroy();
      return;
    }
    if (fault === 'stall') {
      record(0);
      return; // never answers; the client's timeout must fire
    }
    if (fault && typeof fault === 'object') {
      record(fault.status);
      res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      res.end('fault');
      return;
    }
    const body = this.fixture.files.get(path);
    if (!body) {
      record(404);
      res.writeHead(404).end('not found');
      return;
    }
    const etag = `"${sha256Hex(body).slice(0, 32)}"`;
    if (req.headers['if-none-match'] === etag) {
      record(304);
      res.writeHead(304, { etag }).end();
      return;
    }
    record(200);
    res.writeHead(200, { etag, 'content-length': body.length, 'content-type': 'application/octet-stream' });
    if (fault === 'truncate') {
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      req.socket.destroy();
      return;
    }
    res.end(body);
  }
}

/** A fresh temp folder, removed when the test ends. */
export async function tempDir(t: { after(fn: () => Promise<void>): void }, prefix = 'tm-test-'): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(path, { recursive: true, force: true }));
  return path;
}
