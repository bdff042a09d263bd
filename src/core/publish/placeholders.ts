import { scanPlaceholders } from '../format';

/**
 * The `{{name}}` placeholders in `text` whose name is not declared. `${{ … }}` is GitHub Actions
 * syntax, not ours, so a placeholder right after a `$` does not count.
 */
export function undeclaredPlaceholders(text: string, declared: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  scanPlaceholders(text, (name, start, end) => {
    if (!declared.has(name)) found.add(text.slice(start, end));
  });
  return [...found];
}

/** Text files get placeholders filled in; anything else (invalid UTF-8, or containing NUL) is copied as is. */
export function decodeTextFile(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
