import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { FormatError } from '../../../src/core/errors';
import { compileVariablePattern, MAX_PROGRAM, parseManifest, PatternError } from '../../../src/core/format';
import { mulberry32 } from '../../helpers/random';
import { sampleManifest } from '../publish/templateFixture';

const SAMPLES = resolve(__dirname, '../../../media/sample-templates');

/** What a pattern meant before: the native engine, anchored. Only safe on short values. */
function native(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`, 'u').test(value);
}

describe('compileVariablePattern: linear-time matching', () => {
  test('catastrophic backtracking patterns answer at once, and correctly', () => {
    // Each of these keeps a backtracking engine busy for longer than the universe's age on 5000 characters.
    const long = 'a'.repeat(5000);
    const cases: [string, string, boolean][] = [
      ['(a+)+$', `${long}!`, false],
      ['(a+)+$', long, true],
      ['(a|a)*b', long, false],
      ['(a|aa)*c', long, false],
      ['(.*a){20}', `${long}b`, false],
      ['(.*a){20}', long, true],
      ['([a-z]+)*[0-9]', `${long}!`, false],
      ['(?:a*)*b', long, false],
      ['(\\w+\\s?)*$', `${'word '.repeat(1000)}!`, false],
      ['^(([a-z])+.)+[A-Z]([a-z])+$', `${long}!`, false],
    ];
    for (const [pattern, value, expected] of cases) {
      assert.equal(compileVariablePattern(pattern).test(value), expected, `${pattern} on ${value.length} characters`);
    }
  });

  test('agrees with the native engine on the sample templates\' patterns and defaults', () => {
    let checked = 0;
    for (const dir of readdirSync(SAMPLES, { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      const manifest = JSON.parse(readFileSync(join(SAMPLES, dir.name, 'template.json'), 'utf8')) as { variables: { pattern?: string; default?: string }[] };
      for (const v of manifest.variables) {
        if (v.pattern === undefined) continue;
        const compiled = compileVariablePattern(v.pattern);
        for (const value of [v.default ?? '', '', 'x', 'MIT', '2026-11-01', 'https://github.com/acme/x', 'a b', 'lf', '1.2.3-rc.1', 'SEV2', '9', 'é']) {
          assert.equal(compiled.test(value), native(v.pattern, value), `${v.pattern} on ${JSON.stringify(value)}`);
        }
        if (v.default !== undefined) assert.ok(compiled.test(v.default), `${dir.name}: the default matches ${v.pattern}`);
        checked++;
      }
    }
    assert.ok(checked >= 40, `checked ${checked} sample patterns`);
  });

  test('agrees with the native engine on random patterns and values (differential, seeded)', () => {
    const random = mulberry32(9);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const atoms = ['a', 'b', '.', '[ab]', '[^a]', '\\d', '\\w', '\\s', '\\W', '[a-c]', 'é', '\\u{1F600}', '\\.', '-', '\\p{Lu}'];
    const gen = (depth: number): string => {
      const r = random();
      if (depth > 3 || r < 0.35) return pick(atoms);
      if (r < 0.5) return `(?:${gen(depth + 1)}|${gen(depth + 1)})`;
      if (r < 0.65) return `(${gen(depth + 1)}${gen(depth + 1)})`;
      if (r < 0.9) return `${wrap(gen(depth + 1))}${pick(['*', '+', '?', '{2}', '{0,2}', '{1,}', '*?', '+?', '{1,3}?'])}`;
      return `${gen(depth + 1)}${pick(['', '^', '$', '\\b', '\\B'])}${gen(depth + 1)}`;
    };
    const wrap = (p: string) => (/^(\(|\[|\\.$|.$|\\u\{|\\p\{)/u.test(p) && !/[*+?}]$/.test(p) ? p : `(?:${p})`);
    const alphabet = ['a', 'b', 'c', '1', ' ', '-', 'é', 'B', '😀', '\n', '_'];
    let compared = 0;
    for (let i = 0; i < 400; i++) {
      const pattern = `${gen(0)}${gen(0)}`;
      const compiled = compileVariablePattern(pattern);
      for (let j = 0; j < 25; j++) {
        const length = Math.floor(random() * 7);
        const value = Array.from({ length }, () => pick(alphabet)).join('');
        assert.equal(compiled.test(value), native(pattern, value), `${pattern} on ${JSON.stringify(value)}`);
        compared++;
      }
    }
    assert.equal(compared, 10_000);
  });

  test('keeps the JavaScript meaning of classes, escapes, "." and code points', () => {
    const cases: [string, string, boolean][] = [
      ['.', '😀', true], // one code point, as with the u flag
      ['..', '😀', false],
      ['.', '\n', false], // "." does not match line terminators
      ['[^]', '\n', true],
      ['\\s', '\u00a0', true], // Unicode white space
      ['\\d', '٣', false], // ASCII digits only
      ['\\p{L}+', 'Ünïcödé', true],
      ['\\P{L}', '1', true],
      ['\\uD83D\\uDE00', '😀', true],
      ['\\u{1F600}{2}', '😀😀', true],
      ['[\\b]', '\b', true], // backspace inside a class
      ['a\\bb', 'ab', false], // word boundary outside one
      ['\\bfoo\\b', 'foo', true],
      ['[\\]\\\\]+', ']\\', true],
      ['\\x41\\cJ\\0', 'A\n\0', true],
      ['(?<year>\\d{4})-\\d{2}', '2026-11', true], // a named group is just a group
      ['a^', 'a', false],
      ['$', '', true],
      ['[]', '', false],
    ];
    for (const [pattern, value, expected] of cases) {
      assert.equal(compileVariablePattern(pattern).test(value), expected, `${pattern} on ${JSON.stringify(value)}`);
      assert.equal(native(pattern, value), expected, `(native agrees) ${pattern}`);
    }
  });

  test('refuses what cannot run in linear time, saying why', () => {
    const refused: [string, RegExp][] = [
      ['(a)\\1', /backreference "\\1"/],
      ['(?<x>a)\\k<x>', /named backreference/],
      ['(?=a)a', /lookahead "\(\?="/],
      ['(?!a)b', /lookahead "\(\?!"/],
      ['(?<=a)b', /lookbehind "\(\?<="/],
      ['(?<!a)b', /lookbehind "\(\?<!"/],
      ['[a-z]{1,5000}', /too large/],
      ['((a{1,100}){1,100}){1,100}', /too large/],
      ['a{99999999999999999999}', /too large/],
    ];
    for (const [pattern, why] of refused) {
      assert.throws(() => compileVariablePattern(pattern), (err: unknown) => err instanceof PatternError && err instanceof FormatError && why.test(err.message), pattern);
    }
    for (const pattern of ['(', 'a{2,1}', '\\-', '{', 'a**', '(?i:a)']) {
      assert.throws(() => compileVariablePattern(pattern), /is not a valid regular expression/, pattern);
    }
    assert.doesNotThrow(() => compileVariablePattern(`[a-z]{1,${Math.floor(MAX_PROGRAM / 3) - 1}}`), 'just under the size limit');
  });

  test('template.json: an unsupported pattern is refused at pack and read time, naming the field', () => {
    const m = { ...sampleManifest(), variables: [{ name: 'x', prompt: 'X', pattern: '(a+)+(?=b)' }] };
    assert.throws(() => parseManifest(m), (err: unknown) => err instanceof FormatError && err.field === 'variables[0].pattern' && /lookahead/.test(err.message));
    const slow = { ...sampleManifest(), variables: [{ name: 'x', prompt: 'X', pattern: '(a+)+$', default: `${'a'.repeat(999)}` }] };
    assert.equal(parseManifest(slow).variables[0]!.pattern, '(a+)+$', 'an ambiguous but regular pattern is fine: it runs in linear time');
    const bad = { ...sampleManifest(), variables: [{ name: 'x', prompt: 'X', pattern: '(a+)+$', default: `${'a'.repeat(999)}!` }] };
    assert.throws(() => parseManifest(bad), /does not match the pattern/);
  });

  test('test() takes only strings and can be reused', () => {
    const p = compileVariablePattern('[a-z]+');
    assert.equal(p.source, '[a-z]+');
    assert.equal(p.test('abc'), true);
    assert.equal(p.test('abc1'), false);
    assert.equal(p.test('abc'), true, 'no state leaks between calls');
    assert.equal(p.test(42 as unknown as string), false);
  });
});

describe('template.json variable names', () => {
  test('names of Object.prototype members are refused, naming the field', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
      const m = { ...sampleManifest(), variables: [{ name, prompt: 'X' }] };
      assert.throws(() => parseManifest(m), (err: unknown) => err instanceof FormatError && err.field === 'variables[0].name' && /every JavaScript object already has/.test(err.message), name);
    }
    for (const name of ['proto', 'Constructor', 'toString2', '_proto_']) {
      assert.equal(parseManifest({ ...sampleManifest(), variables: [{ name, prompt: 'X' }] }).variables[0]!.name, name);
    }
  });
});
