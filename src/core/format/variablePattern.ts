import { FormatError } from '../errors';

/**
 * Variable patterns (template.json `variables[].pattern`) with linear-time matching.
 *
 * A pattern is ECMAScript regular expression syntax (the `u` flag's strict grammar) restricted to
 * what a finite automaton can match: characters, escapes, classes, `.`, groups, alternation,
 * quantifiers (greedy or lazy: for a whole-value test they mean the same), `^`, `$`, `\b`, `\B`.
 * Backreferences and lookaround are refused, as are repetitions that would unroll into more than
 * MAX_PROGRAM instructions. The pattern must match the whole value, as `^(?:pattern)$` would.
 *
 * Matching simulates the automaton (Thompson's construction, Pike's VM without captures): every
 * state is visited at most once per input character, so `test` costs O(value length × program
 * size) whatever the pattern, where a backtracking engine needs exponential time on `(a+)+$`.
 * Single characters are still judged by the native engine (a class or escape compiled on its own
 * and run against one code point, which cannot backtrack), so classes, `\p{…}`, `\s` and `.` mean
 * exactly what they mean in JavaScript.
 */
export interface VariablePattern {
  /** The pattern as written in template.json. */
  readonly source: string;
  /** Whether the whole `value` matches. Linear in `value.length`. */
  test(value: string): boolean;
}

/** Instructions a pattern may compile to; `x{1000}` counts 1000 times. */
export const MAX_PROGRAM = 2000;
/** Longest pattern source accepted (template.json allows 500 characters). */
export const MAX_PATTERN_LENGTH = 1000;

const LINEAR = 'variable patterns must match in linear time, so they support characters, classes, groups, alternation and quantifiers only';

/** Thrown for a pattern that is not valid, or uses a feature variable patterns do not support. */
export class PatternError extends FormatError {
  constructor(message: string) {
    super(message);
  }
}

/** Compiles a variable pattern; throws PatternError when it is invalid or unsupported. */
export function compileVariablePattern(pattern: string): VariablePattern {
  if (typeof pattern !== 'string') throw new PatternError('a pattern must be a string');
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PatternError(`is longer than ${MAX_PATTERN_LENGTH} characters`);
  try {
    // The native parser decides what is valid syntax; the parser below only has to understand it.
    new RegExp(pattern, 'u');
  } catch (err) {
    throw new PatternError(`is not a valid regular expression: ${(err as Error).message}`);
  }
  const ast = new Parser(pattern).parse();
  const size = programSize(ast);
  if (size > MAX_PROGRAM) {
    throw new PatternError(`is too large: it unrolls into more than ${MAX_PROGRAM} steps (use smaller repetition counts, e.g. "+" instead of "{1,5000}")`);
  }
  const program = new Compiler().compile(ast);
  return new CompiledPattern(pattern, program);
}

// ---- Syntax tree ---------------------------------------------------------------------------------

type CharTest = (ch: string) => boolean;

type Node =
  | { type: 'char'; matcher: number }
  | { type: 'seq'; items: Node[] }
  | { type: 'alt'; options: Node[] }
  | { type: 'repeat'; node: Node; min: number; max: number }
  | { type: 'assert'; kind: Assertion };

type Assertion = 'start' | 'end' | 'word' | 'notWord';

/**
 * A recursive-descent parser for the `u`-mode grammar, run only on patterns the native parser
 * accepted, so it can be short: it never has to diagnose a syntax error, only spot the
 * unsupported constructs.
 */
class Parser {
  #pos = 0;
  readonly matchers: CharTest[] = [];
  readonly #literalIds = new Map<string, number>();
  readonly #nativeIds = new Map<string, number>();
  #depth = 0;

  constructor(private readonly src: string) {}

  parse(): Node & { matchers: CharTest[] } {
    const node = this.#disjunction();
    if (this.#pos !== this.src.length) throw new PatternError(`has an unexpected "${this.src[this.#pos]}" at ${this.#pos}`);
    return Object.assign(node, { matchers: this.matchers });
  }

  #disjunction(): Node {
    const options = [this.#alternative()];
    while (this.src[this.#pos] === '|') {
      this.#pos++;
      options.push(this.#alternative());
    }
    return options.length === 1 ? options[0]! : { type: 'alt', options };
  }

  #alternative(): Node {
    const items: Node[] = [];
    while (this.#pos < this.src.length && this.src[this.#pos] !== '|' && this.src[this.#pos] !== ')') {
      items.push(this.#term());
    }
    return items.length === 1 ? items[0]! : { type: 'seq', items };
  }

  #term(): Node {
    const ch = this.src[this.#pos]!;
    if (ch === '^') {
      this.#pos++;
      return { type: 'assert', kind: 'start' };
    }
    if (ch === '$') {
      this.#pos++;
      return { type: 'assert', kind: 'end' };
    }
    if (ch === '\\' && (this.src[this.#pos + 1] === 'b' || this.src[this.#pos + 1] === 'B')) {
      this.#pos += 2;
      return { type: 'assert', kind: this.src[this.#pos - 1] === 'b' ? 'word' : 'notWord' };
    }
    const atom = this.#atom();
    return this.#quantified(atom);
  }

  #atom(): Node {
    const src = this.src;
    const ch = src[this.#pos]!;
    if (ch === '(') return this.#group();
    if (ch === '[') {
      const end = this.#classEnd(this.#pos);
      const text = src.slice(this.#pos, end);
      this.#pos = end;
      return this.#native(text);
    }
    if (ch === '.') {
      this.#pos++;
      return this.#native('.');
    }
    if (ch === '\\') return this.#escape();
    const cp = src.codePointAt(this.#pos)!;
    const literal = String.fromCodePoint(cp);
    this.#pos += literal.length;
    return this.#literal(literal);
  }

  #group(): Node {
    const src = this.src;
    const start = this.#pos;
    this.#pos++;
    if (src[this.#pos] === '?') {
      const next = src[this.#pos + 1];
      if (next === ':') {
        this.#pos += 2;
      } else if (next === '=' || next === '!') {
        throw unsupported(`lookahead "(?${next}"`);
      } else if (next === '<' && (src[this.#pos + 2] === '=' || src[this.#pos + 2] === '!')) {
        throw unsupported(`lookbehind "(?<${src[this.#pos + 2]}"`);
      } else if (next === '<') {
        // A named group is an ordinary group here: nothing reads captures.
        const close = src.indexOf('>', this.#pos);
        this.#pos = close + 1;
      } else {
        throw unsupported(`the group syntax "${src.slice(start, this.#pos + 2)}"`);
      }
    }
    // Nesting is bounded by the pattern's length; this keeps the recursion shallow regardless.
    if (++this.#depth > 100) throw new PatternError('nests groups more than 100 deep');
    const inner = this.#disjunction();
    this.#depth--;
    this.#pos++; // ')'
    return inner;
  }

  #escape(): Node {
    const src = this.src;
    const start = this.#pos;
    const c = src[this.#pos + 1]!;
    if (c >= '1' && c <= '9') throw unsupported(`the backreference "\\${c}"`);
    if (c === 'k') throw unsupported('the named backreference "\\k<…>"');
    let end = this.#pos + 2;
    if ((c === 'p' || c === 'P') || (c === 'u' && src[this.#pos + 2] === '{')) {
      end = src.indexOf('}', this.#pos) + 1;
    } else if (c === 'u') {
      end = this.#pos + 6;
      // "\uD83D\uDE00" is one code point in u mode.
      const high = parseInt(src.slice(this.#pos + 2, end), 16);
      if (high >= 0xd800 && high <= 0xdbff && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(src.slice(end, end + 6))) end += 6;
    } else if (c === 'x') {
      end = this.#pos + 4;
    } else if (c === 'c') {
      end = this.#pos + 3;
    }
    this.#pos = end;
    return this.#native(src.slice(start, end));
  }

  /** One past the `]` closing the class that starts at `start` (u mode: no nested classes). */
  #classEnd(start: number): number {
    let i = start + 1;
    if (this.src[i] === '^') i++;
    while (this.src[i] !== ']') i += this.src[i] === '\\' ? 2 : 1;
    return i + 1;
  }

  #quantified(atom: Node): Node {
    const src = this.src;
    const ch = src[this.#pos];
    let min: number;
    let max: number;
    if (ch === '*') [min, max] = [0, Infinity];
    else if (ch === '+') [min, max] = [1, Infinity];
    else if (ch === '?') [min, max] = [0, 1];
    else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(this.#pos, this.#pos + 32));
      if (!m) throw new PatternError(`has a repetition count that is too large at ${this.#pos}`);
      min = count(m[1]!);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : count(m[3]!);
      this.#pos += m[0].length - 1;
    } else {
      return atom;
    }
    this.#pos++;
    if (src[this.#pos] === '?') this.#pos++; // lazy: the same set of matching values
    return { type: 'repeat', node: atom, min, max };
  }

  #literal(ch: string): Node {
    let id = this.#literalIds.get(ch);
    if (id === undefined) {
      id = this.matchers.push((c) => c === ch) - 1;
      this.#literalIds.set(ch, id);
    }
    return { type: 'char', matcher: id };
  }

  /** A class, escape or `.`, judged by the native engine one code point at a time. */
  #native(text: string): Node {
    let id = this.#nativeIds.get(text);
    if (id === undefined) {
      const re = new RegExp(`^(?:${text})$`, 'u');
      id = this.matchers.push((c) => re.test(c)) - 1;
      this.#nativeIds.set(text, id);
    }
    return { type: 'char', matcher: id };
  }
}

function count(digits: string): number {
  // Beyond this the program would be far over MAX_PROGRAM anyway.
  return digits.length > 6 ? 1e7 : Number(digits);
}

function unsupported(what: string): PatternError {
  return new PatternError(`uses ${what}, which variable patterns do not support: ${LINEAR}`);
}

/** Instructions `node` compiles to; stops counting past MAX_PROGRAM so it cannot overflow. */
function programSize(node: Node): number {
  switch (node.type) {
    case 'char':
    case 'assert':
      return 1;
    case 'seq':
      return node.items.reduce((n, item) => Math.min(n + programSize(item), MAX_PROGRAM + 1), 0);
    case 'alt':
      return node.options.reduce((n, option) => Math.min(n + programSize(option) + 2, MAX_PROGRAM + 1), 0);
    case 'repeat': {
      const inner = programSize(node.node);
      const copies = node.max === Infinity ? node.min + 1 : node.max;
      return Math.min(copies * (inner + 2) + 1, MAX_PROGRAM + 1);
    }
  }
}

// ---- Program -------------------------------------------------------------------------------------

const enum Op {
  Char,
  Split,
  Jump,
  Assert,
  Match,
}

interface Program {
  op: Uint8Array;
  /** Char: matcher index; Split, Jump: first target; Assert: kind index. */
  a: Int32Array;
  /** Split: second target. */
  b: Int32Array;
  matchers: CharTest[];
}

const ASSERTIONS: readonly Assertion[] = ['start', 'end', 'word', 'notWord'];

class Compiler {
  readonly #op: number[] = [];
  readonly #a: number[] = [];
  readonly #b: number[] = [];

  compile(ast: Node & { matchers: CharTest[] }): Program {
    this.#emit(ast);
    this.#push(Op.Match, 0, 0);
    return { op: Uint8Array.from(this.#op), a: Int32Array.from(this.#a), b: Int32Array.from(this.#b), matchers: ast.matchers };
  }

  #push(op: Op, a: number, b: number): number {
    this.#op.push(op);
    this.#a.push(a);
    this.#b.push(b);
    return this.#op.length - 1;
  }

  #emit(node: Node): void {
    switch (node.type) {
      case 'char':
        this.#push(Op.Char, node.matcher, 0);
        return;
      case 'assert':
        this.#push(Op.Assert, ASSERTIONS.indexOf(node.kind), 0);
        return;
      case 'seq':
        for (const item of node.items) this.#emit(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.options.forEach((option, i) => {
          const last = i === node.options.length - 1;
          const split = last ? -1 : this.#push(Op.Split, this.#op.length + 1, -1);
          this.#emit(option);
          if (!last) {
            jumps.push(this.#push(Op.Jump, -1, 0));
            this.#b[split] = this.#op.length;
          }
        });
        for (const j of jumps) this.#a[j] = this.#op.length;
        return;
      }
      case 'repeat':
        this.#repeat(node.node, node.min, node.max);
        return;
    }
  }

  #repeat(node: Node, min: number, max: number): void {
    for (let i = 0; i < min; i++) this.#emit(node);
    if (max === Infinity) {
      // loop: split body, out; body; jump loop
      const loop = this.#push(Op.Split, this.#op.length + 1, -1);
      this.#emit(node);
      this.#push(Op.Jump, loop, 0);
      this.#b[loop] = this.#op.length;
      return;
    }
    // x{0,k}: split body, out; body; split body, out; body; … out:
    const splits: number[] = [];
    for (let i = min; i < max; i++) {
      splits.push(this.#push(Op.Split, this.#op.length + 1, -1));
      this.#emit(node);
    }
    for (const s of splits) this.#b[s] = this.#op.length;
  }
}

const WORD = /^[A-Za-z0-9_]$/;

class CompiledPattern implements VariablePattern {
  readonly #program: Program;
  // Scratch space, allocated once: two lists of states, a visited stamp per state, a stack for
  // closures and a per-position memo of each character test.
  readonly #lists: [Int32Array, Int32Array];
  readonly #stamp: Uint32Array;
  #generation = 0;
  readonly #stack: Int32Array;
  readonly #memoStamp: Uint32Array;
  readonly #memo: Uint8Array;

  constructor(
    readonly source: string,
    program: Program,
  ) {
    this.#program = program;
    const n = program.op.length;
    this.#lists = [new Int32Array(n), new Int32Array(n)];
    this.#stamp = new Uint32Array(n);
    // Every state is pushed by at most two others (a split) or as a start: 3 × size bounds the stack.
    this.#stack = new Int32Array(n * 3 + 2);
    this.#memoStamp = new Uint32Array(program.matchers.length);
    this.#memo = new Uint8Array(program.matchers.length);
  }

  test(value: string): boolean {
    if (typeof value !== 'string') return false;
    const { op, a, matchers } = this.#program;
    const memoStamp = this.#memoStamp;
    const memo = this.#memo;
    let [current, next] = this.#lists;
    current[0] = 0;
    let count = this.#closure(current, 1, next, value, 0);
    [current, next] = [next, current];
    let pos = 0;
    while (pos < value.length) {
      if (count === 0) return false;
      const cp = value.codePointAt(pos)!;
      const ch = cp > 0xffff ? value.slice(pos, pos + 2) : value[pos]!;
      const gen = this.#nextGeneration();
      let advanced = 0;
      for (let i = 0; i < count; i++) {
        const pc = current[i]!;
        if (op[pc] !== Op.Char) continue;
        const m = a[pc]!;
        if (memoStamp[m] !== gen) {
          memoStamp[m] = gen;
          memo[m] = matchers[m]!(ch) ? 1 : 0;
        }
        if (memo[m] === 1) next[advanced++] = pc + 1;
      }
      pos += ch.length;
      // The closure reads the advanced states from `next` and writes the new list over `current`.
      count = this.#closure(next, advanced, current, value, pos);
    }
    for (let i = 0; i < count; i++) if (op[current[i]!] === Op.Match) return true;
    return false;
  }

  #nextGeneration(): number {
    if (++this.#generation === 0xffffffff) {
      this.#stamp.fill(0);
      this.#memoStamp.fill(0);
      this.#generation = 1;
    }
    return this.#generation;
  }

  /**
   * Writes into `out` every Char or Match state reachable from `starts[0..count)` without
   * consuming input, at `pos`, each once; returns how many.
   */
  #closure(starts: Int32Array, count: number, out: Int32Array, value: string, pos: number): number {
    const { op, a, b } = this.#program;
    const stamp = this.#stamp;
    const stack = this.#stack;
    const gen = this.#nextGeneration();
    let n = 0;
    let top = 0;
    for (let i = count - 1; i >= 0; i--) stack[top++] = starts[i]!;
    while (top > 0) {
      const pc = stack[--top]!;
      if (stamp[pc] === gen) continue;
      stamp[pc] = gen;
      switch (op[pc]) {
        case Op.Jump:
          stack[top++] = a[pc]!;
          break;
        case Op.Split:
          stack[top++] = b[pc]!;
          stack[top++] = a[pc]!;
          break;
        case Op.Assert:
          if (assertionHolds(ASSERTIONS[a[pc]!]!, value, pos)) stack[top++] = pc + 1;
          break;
        default:
          out[n++] = pc;
      }
    }
    return n;
  }
}

function assertionHolds(kind: Assertion, value: string, pos: number): boolean {
  switch (kind) {
    case 'start':
      return pos === 0;
    case 'end':
      return pos === value.length;
    case 'word':
    case 'notWord': {
      const before = pos > 0 && WORD.test(value[pos - 1]!);
      const after = pos < value.length && WORD.test(value[pos]!);
      return (before !== after) === (kind === 'word');
    }
  }
}
