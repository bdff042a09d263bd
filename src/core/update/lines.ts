/**
 * Splits text into lines that keep their terminator ("\n", or "\r\n" since "\r" stays on the line),
 * so joining them gives the text back byte for byte: CRLF files stay CRLF, mixed endings stay mixed
 * and a missing final newline stays missing (the last line simply has no terminator).
 */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) break;
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** The line ending conflict markers use: the first one found in the given texts, else "\n". */
export function lineEnding(...texts: string[]): string {
  for (const text of texts) {
    const nl = text.indexOf('\n');
    if (nl !== -1) return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
  }
  return '\n';
}

const TEXT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The content as text, or undefined when it is binary: a NUL byte or invalid UTF-8 (the same rule
 * the installer uses to decide whether to fill placeholders). The BOM is kept.
 */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return TEXT.decode(bytes);
  } catch {
    return undefined;
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
