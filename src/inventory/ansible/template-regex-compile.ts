import { Fail } from './template-error.js';
import { isPySpace } from './template-values.js';

/**
 * A subset of Python's regular expressions, read and compiled to a Pike VM program (run by
 * template-regex.ts): literals, `.`, classes, `\d \w \s \b \A \Z` (Unicode, as Python's str
 * patterns), `^ $`, groups (numbered, `(?:…)`, `(?P<name>…)`), alternation, greedy and lazy
 * quantifiers. Back references, lookaround, inline flags, atomic groups and possessive
 * quantifiers are refused. Errors read as Python's re module words them.
 */

type Cls = 'd' | 'D' | 'w' | 'W' | 's' | 'S';
type RNode =
  | { t: 'char'; cp: number }
  | { t: 'any' }
  | { t: 'set'; ranges: [number, number][]; classes: Cls[]; negated: boolean }
  | { t: 'assert'; kind: 'bol' | 'eol' | 'start' | 'end' | 'word' | 'notword' }
  | { t: 'group'; index: number | null; body: RNode }
  | { t: 'alt'; items: RNode[] }
  | { t: 'seq'; items: RNode[] }
  | { t: 'repeat'; body: RNode; min: number; max: number; greedy: boolean };

const MAX_REPEAT = 1000;
const MAX_PROGRAM = 20_000;
export const ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
export const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
export const isOct = (c: string | undefined) => c !== undefined && c >= '0' && c <= '7';
export const isAsciiLetter = (c: string) => /^[A-Za-z]$/.test(c);

export const WORD = /[\p{L}\p{N}_]/u;
const DIGIT = /\p{Nd}/u;
export function inClass(cls: Cls, c: string): boolean {
  switch (cls) {
    case 'd':
      return DIGIT.test(c);
    case 'D':
      return !DIGIT.test(c);
    case 'w':
      return WORD.test(c);
    case 'W':
      return !WORD.test(c);
    case 's':
      return isPySpace(c);
    case 'S':
      return !isPySpace(c);
  }
}

class PatternParser {
  private i = 0;
  groups = 1;
  names = new Map<string, number>();
  private cps: string[];

  constructor(
    private pattern: string,
    private offset: number,
  ) {
    this.cps = Array.from(pattern);
  }

  private fail(problem: string): never {
    throw new Fail(`regex_replace: ${problem} in pattern ${JSON.stringify(this.pattern)}`, this.offset);
  }

  private unsupported(what: string): never {
    this.fail(`${what} is not supported by cnet-remote's regex_replace (Python's re has it; use a simpler pattern)`);
  }

  parse(): RNode {
    const node = this.parseAlt();
    if (this.i < this.cps.length) this.fail('unbalanced parenthesis');
    return node;
  }

  private peek(k = 0): string | undefined {
    return this.cps[this.i + k];
  }

  private parseAlt(): RNode {
    const items = [this.parseSeq()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.parseSeq());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private parseSeq(): RNode {
    const items: RNode[] = [];
    while (this.i < this.cps.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.parseAtom();
      if (atom === undefined) continue;
      items.push(this.parseQuantifier(atom));
    }
    return { t: 'seq', items };
  }

  /** `{m}`, `{m,}`, `{,n}`, `{m,n}` at the current position, else undefined (the `{` is a literal). */
  private braces(): { min: number; max: number; len: number } | undefined {
    const rest = this.cps.slice(this.i, this.i + 24).join('');
    const m = /^\{(\d*)(,?)(\d*)\}/.exec(rest);
    if (!m || (m[1] === '' && m[2] === '')) return undefined;
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[2] === '' ? min : m[3] === '' ? Infinity : Number(m[3]);
    return { min, max, len: m[0].length };
  }

  private parseQuantifier(atom: RNode): RNode {
    let node = atom;
    let quantified = false;
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === '*' || c === '+' || c === '?') {
        min = c === '+' ? 1 : 0;
        max = c === '?' ? 1 : Infinity;
        this.i++;
      } else if (c === '{' && this.braces()) {
        const b = this.braces()!;
        ({ min, max } = b);
        this.i += b.len;
        if (min > max) this.fail('min repeat greater than max repeat');
        if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.fail(`a repeat count above ${MAX_REPEAT}`);
      } else return node;
      if (quantified) this.fail('multiple repeat');
      if (node.t === 'assert') this.fail('nothing to repeat');
      let greedy = true;
      if (this.peek() === '?') {
        greedy = false;
        this.i++;
      } else if (this.peek() === '+') this.unsupported('a possessive quantifier');
      node = { t: 'repeat', body: node, min, max, greedy };
      quantified = true;
    }
  }

  private parseAtom(): RNode | undefined {
    const c = this.cps[this.i++]!;
    switch (c) {
      case '.':
        return { t: 'any' };
      case '^':
        return { t: 'assert', kind: 'bol' };
      case '$':
        return { t: 'assert', kind: 'eol' };
      case '[':
        return this.parseSet();
      case '(':
        return this.parseGroup();
      case '*':
      case '+':
      case '?':
        return this.fail('nothing to repeat');
      case '{':
        this.i--;
        if (this.braces() !== undefined) this.fail('nothing to repeat');
        this.i++;
        return { t: 'char', cp: 0x7b };
      case '\\':
        return this.parseEscape(false);
      default:
        return { t: 'char', cp: c.codePointAt(0)! };
    }
  }

  private parseGroup(): RNode | undefined {
    let index: number | null = null;
    if (this.peek() === '?') {
      const next = this.peek(1);
      if (next === ':') this.i += 2;
      else if (next === 'P' && this.peek(2) === '<') {
        this.i += 3;
        let name = '';
        while (this.i < this.cps.length && this.peek() !== '>') name += this.cps[this.i++];
        if (this.peek() !== '>') this.fail('missing >, unterminated name');
        this.i++;
        if (!/^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(name)) this.fail(`bad character in group name ${JSON.stringify(name)}`);
        if (this.names.has(name)) this.fail(`redefinition of group name ${JSON.stringify(name)}`);
        index = this.groups++;
        this.names.set(name, index);
      } else if (next === '#') {
        while (this.i < this.cps.length && this.peek() !== ')') this.i++;
        if (this.peek() !== ')') this.fail('missing ), unterminated comment');
        this.i++;
        return undefined;
      } else if (next === 'P' && this.peek(2) === '=') this.unsupported('a back reference (?P=…)');
      else if (next === '=' || next === '!') this.unsupported('a lookahead');
      else if (next === '<') this.unsupported('a lookbehind');
      else if (next === '>') this.unsupported('an atomic group');
      else if (next === '(') this.unsupported('a conditional group');
      else this.unsupported('an inline flag (?…)');
    } else index = this.groups++;
    const body = this.parseAlt();
    if (this.peek() !== ')') this.fail('missing ), unterminated subpattern');
    this.i++;
    return { t: 'group', index, body };
  }

  /** A code point after `\` given as hex, octal or a short escape, or undefined. */
  private codeEscape(c: string, inSet: boolean): number | undefined {
    if (c === 'x' || c === 'u' || c === 'U') {
      const len = c === 'x' ? 2 : c === 'u' ? 4 : 8;
      const hex = this.cps.slice(this.i, this.i + len).join('');
      if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) this.fail(`incomplete escape \\${c}${hex}`);
      this.i += len;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) this.fail(`bad escape \\${c}${hex}`);
      return cp;
    }
    if (c === '0') {
      let oct = '';
      while (oct.length < 2 && isOct(this.peek())) oct += this.cps[this.i++];
      return parseInt(oct || '0', 8);
    }
    if (isDigit(c)) {
      if (isOct(c) && isOct(this.peek()) && isOct(this.peek(1))) {
        const v = parseInt(c + this.cps[this.i]! + this.cps[this.i + 1]!, 8);
        if (v > 0o377) this.fail('octal escape value outside of range 0-0o377');
        this.i += 2;
        return v;
      }
      if (inSet) this.fail(`bad escape \\${c}`);
      this.unsupported('a back reference (\\1)');
    }
    if (inSet && c === 'b') return 8;
    if (ESCAPES[c] !== undefined) return ESCAPES[c];
    return undefined;
  }

  private parseEscape(inSet: boolean): RNode {
    if (this.i >= this.cps.length) this.fail('bad escape (end of pattern)');
    const c = this.cps[this.i++]!;
    if ('dDwWsS'.includes(c)) return { t: 'set', ranges: [], classes: [c as Cls], negated: false };
    if (!inSet) {
      if (c === 'A') return { t: 'assert', kind: 'start' };
      if (c === 'Z') return { t: 'assert', kind: 'end' };
      if (c === 'b') return { t: 'assert', kind: 'word' };
      if (c === 'B') return { t: 'assert', kind: 'notword' };
    }
    if (c === 'N') this.unsupported('\\N{…}');
    const cp = this.codeEscape(c, inSet);
    if (cp !== undefined) return { t: 'char', cp };
    if (isAsciiLetter(c) || isDigit(c)) this.fail(`bad escape \\${c}`);
    return { t: 'char', cp: c.codePointAt(0)! };
  }

  private parseSet(): RNode {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.i++;
    }
    const ranges: [number, number][] = [];
    const classes: Cls[] = [];
    let first = true;
    for (;;) {
      if (this.i >= this.cps.length) this.fail('unterminated character set');
      const c = this.cps[this.i]!;
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      const lo = this.setItem();
      if (typeof lo !== 'number') {
        classes.push(lo);
        continue;
      }
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.i++;
        const hi = this.setItem();
        if (typeof hi !== 'number') this.fail('bad character range');
        if (hi < lo) this.fail('bad character range');
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    return { t: 'set', ranges, classes, negated };
  }

  private setItem(): number | Cls {
    const c = this.cps[this.i++]!;
    if (c !== '\\') return c.codePointAt(0)!;
    const node = this.parseEscape(true);
    if (node.t === 'set') return node.classes[0]!;
    return (node as { cp: number }).cp;
  }
}

export type Inst =
  | { op: 'char'; cp: number }
  | { op: 'any' }
  | { op: 'set'; node: Extract<RNode, { t: 'set' }> }
  | { op: 'assert'; kind: Extract<RNode, { t: 'assert' }>['kind'] }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'save'; n: number }
  | { op: 'match' };

class Compiler {
  prog: Inst[] = [];

  constructor(
    private offset: number,
    private pattern: string,
  ) {}

  private emit(inst: Inst): number {
    if (this.prog.length >= MAX_PROGRAM) {
      throw new Fail(`regex_replace: the pattern ${JSON.stringify(this.pattern)} is too large once its repeats are expanded`, this.offset);
    }
    this.prog.push(inst);
    return this.prog.length - 1;
  }

  compile(n: RNode): void {
    switch (n.t) {
      case 'char':
        this.emit({ op: 'char', cp: n.cp });
        return;
      case 'any':
        this.emit({ op: 'any' });
        return;
      case 'set':
        this.emit({ op: 'set', node: n });
        return;
      case 'assert':
        this.emit({ op: 'assert', kind: n.kind });
        return;
      case 'seq':
        for (const item of n.items) this.compile(item);
        return;
      case 'group':
        if (n.index !== null) this.emit({ op: 'save', n: 2 * n.index });
        this.compile(n.body);
        if (n.index !== null) this.emit({ op: 'save', n: 2 * n.index + 1 });
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.items.forEach((item, k) => {
          if (k < n.items.length - 1) {
            const split = this.emit({ op: 'split', x: 0, y: 0 });
            (this.prog[split] as { x: number }).x = this.prog.length;
            this.compile(item);
            jumps.push(this.emit({ op: 'jmp', x: 0 }));
            (this.prog[split] as { y: number }).y = this.prog.length;
          } else this.compile(item);
        });
        for (const j of jumps) (this.prog[j] as { x: number }).x = this.prog.length;
        return;
      }
      case 'repeat': {
        for (let k = 0; k < n.min; k++) this.compile(n.body);
        if (n.max === Infinity) {
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          this.compile(n.body);
          this.emit({ op: 'jmp', x: split });
          this.setSplit(split, split + 1, this.prog.length, n.greedy);
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            splits.push(this.emit({ op: 'split', x: 0, y: 0 }));
            this.compile(n.body);
          }
          for (const s of splits) this.setSplit(s, s + 1, this.prog.length, n.greedy);
        }
      }
    }
  }

  private setSplit(at: number, body: number, out: number, greedy: boolean): void {
    this.prog[at] = greedy ? { op: 'split', x: body, y: out } : { op: 'split', x: out, y: body };
  }
}

export interface Compiled {
  prog: Inst[];
  groups: number;
  names: Map<string, number>;
}

export function compilePattern(pattern: string, offset: number): Compiled {
  const parser = new PatternParser(pattern, offset);
  const tree = parser.parse();
  const c = new Compiler(offset, pattern);
  c.compile(tree);
  c.prog.push({ op: 'match' });
  return { prog: c.prog, groups: parser.groups, names: parser.names };
}
