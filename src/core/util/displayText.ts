/**
 * Everything that must never reach a terminal (or a notification, or a tree label) raw from text a
 * marketplace, a package or a server controls:
 * - `Cc`: C0 controls (ESC starts terminal escape sequences, BEL, BS, CR rewrites the line, …), DEL and
 *   the C1 controls U+0080–U+009F (U+009B is a one-byte CSI on some terminals, U+0085 a line break);
 * - `Cf`: invisible format characters: bidi embeddings, overrides and isolates (U+202A–U+202E,
 *   U+2066–U+2069, LRM, RLM, ALM) that make text read differently from what it is, zero-width
 *   characters, the BOM, soft hyphens, Unicode tag characters;
 * - `Zl`, `Zp`: U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR;
 * - `Cs`: lone surrogates, which no terminal can show and some turn into garbage.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export interface DisplayTextOptions {
  /** Keep line feeds as line breaks (for multi-line output); every other control is still escaped. */
  keepNewlines?: boolean;
  /** Cut the text to this many UTF-16 units (never inside a surrogate pair) and end it with "…". */
  maxLength?: number;
}

/**
 * Neutralises untrusted text before it is shown: every control, bidi, zero-width and line-separator
 * character becomes a visible JSON-style escape (`\u001b`, `\u202e`, `\r`), so what is shown is
 * exactly what is there and nothing can move the cursor, recolour, retitle or reorder the terminal.
 * The escapes are valid inside JSON strings, so JSON output stays valid JSON with the same value.
 * Ordinary text, accented letters, CJK and emoji pass unchanged.
 *
 * The CLI applies it to every line it writes; the VS Code layer should apply it to catalog,
 * package and server text before it reaches labels, tooltips and messages.
 */
export function displayText(text: string, opts: DisplayTextOptions = {}): string {
  let s = typeof text === 'string' ? text : String(text);
  let cut = false;
  if (opts.maxLength !== undefined && s.length > opts.maxLength) {
    let end = Math.max(0, opts.maxLength);
    // Do not split a surrogate pair: a lone high surrogate would be escaped as if the text had one.
    if (end > 0 && isHighSurrogate(s.charCodeAt(end - 1))) end--;
    s = s.slice(0, end);
    cut = true;
  }
  const safe = s.replace(UNSAFE, (ch) => {
    if (ch === '\n' && opts.keepNewlines) return ch;
    return SHORT_ESCAPES[ch] ?? escapeUnits(ch);
  });
  return cut ? `${safe}…` : safe;
}

/** Whether `text` would be shown unchanged by displayText (nothing to neutralise). */
export function isDisplaySafe(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const unsafe = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return !unsafe;
}

function escapeUnits(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
