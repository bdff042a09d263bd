import { FormatError } from '../errors';

/** Parses an absolute http: or https: URL, or throws a FormatError naming it. */
export function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new FormatError(`"${url}" is not a valid URL`, undefined, undefined, { cause: err });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new FormatError(`"${url}" is not an http: or https: URL`);
  return parsed;
}
