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
  const safe = neutralise(s, opts.keepNewlines === true);
  return cut ? `${safe}…` : safe;
}

/** Whether `text` would be shown unchanged by displayText (nothing to neutralise). */
export function isDisplaySafe(text: string): boolean {
  return firstUnsafe(text, false, 0) === text.length;
}

/**
 * One pass over the UTF-16 units with a table for the Basic Multilingual Plane (built once from the
 * UNSAFE pattern), the pattern itself only for the rare astral characters. Safe runs are copied as
 * slices, so ordinary text costs one scan and no allocation beyond the result.
 */
function neutralise(s: string, keepNewlines: boolean): string {
  let at = firstUnsafe(s, keepNewlines, 0);
  if (at === s.length) return s;
  // Pieces are joined a block at a time: appending with += would build a rope of millions of nodes
  // (hundreds of MB for a few MB of hostile text); a block's array of shared strings is small.
  const blocks: string[] = [];
  let parts: string[] = [];
  let from = 0;
  while (at < s.length) {
    const unit = s.charCodeAt(at);
    const pair = isHighSurrogate(unit) && isLowSurrogate(s.charCodeAt(at + 1));
    if (at > from) parts.push(s.slice(from, at));
    parts.push(pair ? escapeUnits(s.slice(at, at + 2)) : escapeUnit(unit));
    from = at + (pair ? 2 : 1);
    if (parts.length >= 8192) {
      blocks.push(parts.join(''));
      parts = [];
    }
    at = firstUnsafe(s, keepNewlines, from);
  }
  parts.push(s.slice(from));
  blocks.push(parts.join(''));
  return blocks.join('');
}

const unitEscapes: string[] = [];

function escapeUnit(unit: number): string {
  return (unitEscapes[unit] ??= SHORT_ESCAPES[String.fromCharCode(unit)] ?? escapeUnits(String.fromCharCode(unit)));
}

/** Index of the first character to neutralise at or after `from`, or `s.length`. */
function firstUnsafe(s: string, keepNewlines: boolean, from: number): number {
  const bmp = unsafeTable();
  for (let i = from; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (isHighSurrogate(unit) && isLowSurrogate(s.charCodeAt(i + 1))) {
      UNSAFE.lastIndex = 0;
      const unsafe = UNSAFE.test(s.slice(i, i + 2));
      UNSAFE.lastIndex = 0;
      if (unsafe) return i;
      i++;
      continue;
    }
    if (bmp[unit] === 1 && !(keepNewlines && unit === 0x0a)) return i;
  }
  return s.length;
}

let table: Uint8Array | undefined;

/** 1 for every BMP code unit that UNSAFE matches on its own (lone surrogates included). */
function unsafeTable(): Uint8Array {
  if (!table) {
    const single = new RegExp(`^${UNSAFE.source}$`, 'u');
    table = new Uint8Array(0x10000);
    for (let c = 0; c < 0x10000; c++) if (single.test(String.fromCharCode(c))) table[c] = 1;
  }
  return table;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function escapeUnits(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
