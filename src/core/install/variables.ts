import { FormatError, UnsafePackageError } from '../errors';
import { compileVariablePattern, LIMITS, scanPlaceholders, type TemplateManifest } from '../format';

/**
 * Most bytes a rendered template may come to: twice what a package may unpack to. Without a cap,
 * 32 MiB of `{{a}}` with a 1000-character default would render to 6.7 GB (and crash the process).
 */
export const MAX_RENDERED_BYTES = 2 * LIMITS.maxUnpackedBytes;
/** Most placeholders one package may fill (a real template has hundreds): bounds the work per byte. */
export const MAX_PLACEHOLDERS = 100_000;

/** The bytes a rendering may still produce; shared by every file of one package. */
export class RenderBudget {
  readonly #valueBytes = new Map<string, number>();
  #placeholders = 0;

  constructor(public remaining = MAX_RENDERED_BYTES) {}

  /** Counts one filled placeholder, or throws past MAX_PLACEHOLDERS. */
  fill(): void {
    if (++this.#placeholders > MAX_PLACEHOLDERS) {
      throw new UnsafePackageError(`the template fills more than ${MAX_PLACEHOLDERS} placeholders; refusing to render it`);
    }
  }

  /** Takes `bytes` from the budget, or throws when that would exceed it. */
  charge(bytes: number): void {
    if (bytes > this.remaining) {
      throw new UnsafePackageError(`the template renders to more than ${MAX_RENDERED_BYTES} bytes; refusing to write it`);
    }
    this.remaining -= bytes;
  }

  /** UTF-8 size of a value, measured once per budget. */
  valueBytes(value: string): number {
    let n = this.#valueBytes.get(value);
    if (n === undefined) this.#valueBytes.set(value, (n = Buffer.byteLength(value, 'utf8')));
    return n;
  }
}

/**
 * The value of every variable the template declares: what the user provided, else the default.
 * A missing value, a value that does not match the variable's pattern, or a value for a variable
 * the template does not declare is a `FormatError` that names the variable, its prompt and its
 * pattern, so the user can tell which answer to fix.
 */
export function resolveVariables(manifest: TemplateManifest, provided: Record<string, string> = {}): Record<string, string> {
  const declared = new Set(manifest.variables.map((v) => v.name));
  const unknown = Object.keys(provided).filter((name) => !declared.has(name));
  if (unknown.length > 0) {
    const known = declared.size > 0 ? `it declares ${[...declared].join(', ')}` : 'it declares no variables';
    throw new FormatError(`${quoteList(unknown)} ${unknown.length === 1 ? 'is not a variable' : 'are not variables'} of template "${manifest.id}"; ${known}`, undefined, unknown[0]);
  }
  const entries = manifest.variables.map((v): [string, string] => {
    const given: unknown = Object.hasOwn(provided, v.name) ? provided[v.name] : undefined;
    const describe = `variable "${v.name}" (${v.prompt})${v.pattern !== undefined ? `, pattern ${v.pattern}` : ''}`;
    if (given !== undefined && typeof given !== 'string') throw new FormatError(`${describe}: the value must be a string`, undefined, v.name);
    const value = given ?? v.default;
    if (value === undefined) throw new FormatError(`${describe}: no value was given and it has no default`, undefined, v.name);
    if (v.pattern !== undefined && !compileVariablePattern(v.pattern).test(value)) {
      throw new FormatError(`${describe}: ${JSON.stringify(value)} does not match the pattern ${v.pattern}`, undefined, v.name);
    }
    return [v.name, value];
  });
  // fromEntries defines own properties, so even a variable named "__proto__" is kept as data.
  return Object.fromEntries(entries);
}

/**
 * Fills `{{name}}` and `{{ name }}` with `values[name]`. Placeholders whose name has no value
 * stay as written, and so does `${{ … }}`: that is GitHub Actions syntax, not ours. Values are
 * inserted once, never expanded again, so a value containing `{{x}}` stays literal.
 *
 * With a `budget`, the UTF-8 size of the result (`textBytes`: the text's own size, when known)
 * is charged as it is built, so a rendering that would exceed it stops early with an error.
 */
export function renderText(text: string, values: Record<string, string>, budget?: RenderBudget, textBytes?: number): string {
  let out = '';
  let last = 0;
  let bytes = budget ? (textBytes ?? Buffer.byteLength(text, 'utf8')) : 0;
  scanPlaceholders(text, (name, start, end) => {
    if (!Object.hasOwn(values, name)) return;
    const value = values[name]!;
    if (budget) {
      budget.fill();
      bytes += budget.valueBytes(value) - (end - start); // placeholders are ASCII
      if (bytes > budget.remaining) budget.charge(bytes);
    }
    out += text.slice(last, start) + value;
    last = end;
  });
  budget?.charge(bytes);
  return last === 0 ? text : out + text.slice(last);
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}
