import { FormatError } from '../errors';
import { utf8 } from './encoding';
import { LIMITS, MANIFEST_NAME } from './limits';
import { checkEntryPath } from './safePath';
import { Fields, SEMVER, SLUG, TEMPLATE_ID, VARIABLE_NAME, parseJsonBytes } from './validate';
import { compileVariablePattern, type VariablePattern } from './variablePattern';

export interface TemplateVariable {
  name: string;
  prompt: string;
  default?: string;
  /**
   * A regular expression the whole value must match: ECMAScript syntax without backreferences or
   * lookaround, matched in linear time (see variablePattern.ts).
   */
  pattern?: string;
}

/** template.json: what a template is and what it asks the user for. */
export interface TemplateManifest {
  /** The catalog id; a package keeps the same id across versions. */
  id: string;
  name: string;
  version: string;
  description: string;
  category: string;
  tags: string[];
  author: string;
  /** Folder, relative to the workspace folder, that the files are written below; may use {{variables}}. */
  targetFolder: string;
  variables: TemplateVariable[];
}

/**
 * `{{name}}` or `{{ name }}`; only declared variable names are replaced, anything else stays as
 * written. `${{ … }}` (GitHub Actions expressions) is never a placeholder.
 */
export const PLACEHOLDER = /(?<!\$)\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Calls `visit` with the name, start and end of every placeholder in `text`: exactly the matches
 * of PLACEHOLDER, in one linear pass without a match object per placeholder (a file can hold millions).
 */
export function scanPlaceholders(text: string, visit: (name: string, start: number, end: number) => void): void {
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open < 0) return;
    from = open + 1; // on failure the next try starts at the second brace, as the regex does
    if (open > 0 && text.charCodeAt(open - 1) === 0x24 /* $ */) continue;
    let i = skipSpace(text, open + 2);
    const nameStart = i;
    if (!isIdentifierStart(text.charCodeAt(i))) continue;
    i++;
    while (isIdentifierPart(text.charCodeAt(i))) i++;
    const nameEnd = i;
    i = skipSpace(text, i);
    if (text.charCodeAt(i) !== 0x7d || text.charCodeAt(i + 1) !== 0x7d) continue;
    visit(text.slice(nameStart, nameEnd), open, i + 2);
    from = i + 2;
  }
}

function isIdentifierStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || (c >= 0x30 && c <= 0x39);
}

/** Past the `\s` characters (JavaScript's definition) at `i`. */
function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function isSpace(c: number): boolean {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}


/** Names of Object.prototype members (`__proto__`, `constructor`, `toString`, …): not variable names. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

export function parseManifest(value: unknown, file = MANIFEST_NAME): TemplateManifest {
  const f = Fields.root(value, file);
  const id = f.string('id', { pattern: TEMPLATE_ID, max: 100, hint: 'a lowercase id like "readme" or "acme.api-reference"' });
  const name = f.string('name', { min: 1, max: 100 });
  const version = f.string('version', { pattern: SEMVER, max: 64, hint: 'a semantic version like 1.2.0' });
  const description = f.string('description', { max: 1000 });
  const category = f.string('category', { pattern: SLUG, max: 32, hint: 'a lowercase slug like "documentation"' });
  const tags = f.array('tags', { max: LIMITS.maxTags }).map((tag, i) => {
    if (typeof tag !== 'string' || !SLUG.test(tag) || tag.length > 32) {
      throw new FormatError('a tag is a lowercase slug of at most 32 characters', file, `tags[${i}]`);
    }
    return tag;
  });
  const author = f.string('author', { min: 1, max: 100 });
  const targetFolder = f.has('targetFolder') ? f.string('targetFolder', { min: 1, max: 200 }) : '.';
  if (targetFolder !== '.') {
    const problem = checkEntryPath(targetFolder.replace(PLACEHOLDER, 'x'));
    if (problem) f.fail('targetFolder', problem);
  }
  const seen = new Set<string>();
  const variables = f.array('variables', { max: LIMITS.maxVariables }).map((item, i) => {
    const v = f.item('variables', i, item);
    const varName = v.string('name', { pattern: VARIABLE_NAME, max: 64, hint: 'an identifier like projectName' });
    // Code that collects values in a plain object ({}[name] = value) would lose "__proto__" or
    // shadow "toString"; such names are refused everywhere rather than handled in some places.
    if (PROTOTYPE_KEYS.has(varName)) v.fail('name', `"${varName}" is a name every JavaScript object already has; choose another`);
    if (seen.has(varName)) v.fail('name', `duplicate variable "${varName}"`);
    seen.add(varName);
    const variable: TemplateVariable = { name: varName, prompt: v.string('prompt', { min: 1, max: 200 }) };
    const dflt = v.optionalString('default', { max: 1000 });
    const pattern = v.optionalString('pattern', { max: 500 });
    if (pattern !== undefined) {
      let re: VariablePattern | undefined;
      try {
        re = compileVariablePattern(pattern);
      } catch (err) {
        v.fail('pattern', (err as Error).message);
      }
      if (dflt !== undefined && re && !re.test(dflt)) v.fail('default', `${JSON.stringify(dflt)} does not match the pattern ${pattern}`);
      variable.pattern = pattern;
    }
    if (dflt !== undefined) variable.default = dflt;
    return variable;
  });
  return { id, name, version, description, category, tags, author, targetFolder, variables };
}

export function parseManifestBytes(bytes: Uint8Array, file = MANIFEST_NAME): TemplateManifest {
  if (bytes.length > LIMITS.maxManifestBytes) throw new FormatError(`is larger than ${LIMITS.maxManifestBytes} bytes`, file);
  return parseManifest(parseJsonBytes(bytes, file), file);
}

export function serializeManifest(m: TemplateManifest): Uint8Array {
  const variables = m.variables.map((v) => ({
    name: v.name,
    prompt: v.prompt,
    ...(v.default !== undefined ? { default: v.default } : {}),
    ...(v.pattern !== undefined ? { pattern: v.pattern } : {}),
  }));
  const ordered = {
    id: m.id, name: m.name, version: m.version, description: m.description, category: m.category,
    tags: m.tags, author: m.author, targetFolder: m.targetFolder, variables,
  };
  return utf8.encode(JSON.stringify(ordered, null, 2) + '\n');
}
