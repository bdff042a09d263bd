import { fileURLToPath } from 'node:url';
import { FormatError } from '../errors';
import { FileFetcher } from './fileFetcher';
import type { HttpClient } from './httpClient';
import { HttpFetcher } from './httpFetcher';
import type { Fetcher } from './types';

/**
 * Picks the fetcher for a marketplace source URL: http(s) through the shared client, file: from disk.
 * `headers` go with the http(s) requests to the source's own origin; a file: source has no use for them.
 */
export function createFetcher(sourceUrl: string, client: HttpClient, headers?: Readonly<Record<string, string>>): Fetcher {
  let url: URL;
  try {
    url = new URL(sourceUrl);
  } catch (err) {
    throw new FormatError(`"${sourceUrl}" is not a valid marketplace URL`, undefined, undefined, { cause: err });
  }
  switch (url.protocol) {
    case 'http:':
    case 'https:':
      return new HttpFetcher(sourceUrl, client, headers);
    case 'file:':
      return new FileFetcher(fileUrlToFolder(sourceUrl, url));
    default:
      throw new FormatError(`"${sourceUrl}" has an unsupported scheme "${url.protocol}"; use https:, http: or file:`);
  }
}

function fileUrlToFolder(sourceUrl: string, url: URL): string {
  try {
    return fileURLToPath(url);
  } catch (err) {
    // e.g. file://server/share on POSIX, or an encoded "/" in the path.
    throw new FormatError(`"${sourceUrl}" is not a usable file: URL`, undefined, undefined, { cause: err });
  }
}
