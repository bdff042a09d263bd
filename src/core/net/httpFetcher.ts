import { FormatError } from '../errors';
import type { HttpClient } from './httpClient';
import { parseHttpUrl } from './httpUrl';
import { OriginHeaders } from './originHeaders';
import { relativePathSegments } from './relativePath';
import type { FetchOptions, FetchResult, Fetcher } from './types';

/**
 * A marketplace served over HTTP(S) below `baseUrl`. It borrows the shared client (and its
 * connection pool), so close() leaves the client open for the other marketplaces. `headers` (a
 * private marketplace's token) go with every request to the base URL's origin, and nowhere else.
 */
export class HttpFetcher implements Fetcher {
  readonly #base: URL;
  readonly #client: HttpClient;
  readonly #headers: OriginHeaders | undefined;

  constructor(baseUrl: string, client: HttpClient, headers?: Readonly<Record<string, string>>) {
    this.#base = parseBase(baseUrl);
    this.#client = client;
    this.#headers = headers && new OriginHeaders(this.#base, headers);
  }

  /** The base URL, always ending in "/". */
  get baseUrl(): string {
    return this.#base.href;
  }

  async get(relativePath: string, opts: FetchOptions): Promise<FetchResult> {
    return this.#client.get(this.resolve(relativePath), opts, this.#headers);
  }

  /** The absolute URL of `relativePath`; throws FormatError for any path that would leave the base. */
  resolve(relativePath: string): string {
    relativePathSegments(relativePath);
    const url = new URL(relativePath, this.#base);
    // Belt and braces: the segment check already rules this out.
    if (url.origin !== this.#base.origin || !url.pathname.startsWith(this.#base.pathname)) {
      throw new FormatError(`not a safe marketplace path: resolves to ${url.href}, outside ${this.#base.href}`, relativePath);
    }
    return url.href;
  }

  async close(): Promise<void> {
    // Nothing of its own to release: the client belongs to whoever created it.
  }
}

function parseBase(baseUrl: string): URL {
  const base = parseHttpUrl(baseUrl);
  // A query or fragment would be silently dropped when resolving file paths against the base.
  if (base.search !== '' || base.hash !== '') throw new FormatError(`"${baseUrl}" must not have a query or fragment`);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return base;
}
