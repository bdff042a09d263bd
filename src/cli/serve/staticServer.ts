import { constants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '../../core/errors';
import { ETagCache } from './etagCache';
import { parseRequestTarget } from './requestPath';

export interface StaticServerOptions {
  /** The folder to serve; nothing outside it is ever read. */
  root: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1: only this machine can connect. */
  host?: string;
}

export interface StaticServer {
  /** The root URL, with a trailing slash. */
  url: string;
  port: number;
  /** Stops listening and drops open connections, keep-alive ones included. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.zip': 'application/zip',
};

/**
 * A small static file server for marketplace folders: GET and HEAD, strong ETags, Last-Modified and
 * conditional requests, so clients can revalidate catalog.json cheaply.
 */
export async function startStaticServer(opts: StaticServerOptions): Promise<StaticServer> {
  const root = await realpath(opts.root).catch(() => undefined);
  if (root === undefined || !(await stat(root)).isDirectory()) throw new NotFoundError(`${opts.root} is not a folder`);
  const etags = new ETagCache();
  const server = createServer((req, res) => {
    serve(root, etags, req, res).catch((err: unknown) => {
      // A client that hangs up mid-body is not an error worth reporting; anything earlier is a 500.
      if (res.headersSent) res.destroy(err as Error);
      else sendStatus(req, res, 500, 'internal error');
    });
  });
  await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  const { address, port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
        etags.clear();
      });
      return closing;
    },
  };
}

async function serve(root: string, etags: ETagCache, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendStatus(req, res, 405, 'only GET and HEAD are allowed');
  }
  const target = parseRequestTarget(req.url);
  if ('status' in target) return sendStatus(req, res, target.status, target.reason);
  const handle = await openBelow(root, target.segments);
  if (!handle) return sendStatus(req, res, 404, 'not found');
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return sendStatus(req, res, 404, 'not found');
    const etag = await etags.get(join(root, ...target.segments), stats, handle);
    const name = target.segments.at(-1)!;
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', stats.mtime.toUTCString());
    // catalog.json changes in place and must be revalidated every time; a package URL never changes content.
    res.setHeader('Cache-Control', extname(name) === '.zip' ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (isNotModified(req, etag, stats)) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': stats.size,
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD' || stats.size === 0) {
      res.end();
      return;
    }
    // `end` pins the body to the size announced in Content-Length, even if the file grows meanwhile.
    await pipeline(handle.createReadStream({ start: 0, end: stats.size - 1, autoClose: false }), res);
  } finally {
    await handle.close();
  }
}

/** Opens `root/segments…` only if, with every symlink resolved, it is still inside `root`. */
async function openBelow(root: string, segments: string[]): Promise<FileHandle | undefined> {
  let real: string;
  try {
    real = await realpath(join(root, ...segments));
  } catch {
    return undefined;
  }
  if (!real.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  try {
    return await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined;
  }
}

/** If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2); GET compares ETags weakly. */
function isNotModified(req: IncomingMessage, etag: string, stats: Stats): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((tag) => {
      const t = tag.trim();
      return t === '*' || t.replace(/^W\//, '') === etag;
    });
  }
  const ifModifiedSince = Date.parse(req.headers['if-modified-since'] ?? '');
  // HTTP dates have whole seconds; the file's sub-second part must not make it look newer.
  return !Number.isNaN(ifModifiedSince) && Math.floor(stats.mtimeMs / 1000) * 1000 <= ifModifiedSince;
}

function sendStatus(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  const body = `${status} ${message}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
