import { FormatError } from '../errors';
import { compileVariablePattern, PLACEHOLDER, type TemplateManifest } from '../format';

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
 */
export function renderText(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (match: string, name: string, offset: number) =>
    text[offset - 1] === '$' || !Object.hasOwn(values, name) ? match : values[name]!,
  );
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}
