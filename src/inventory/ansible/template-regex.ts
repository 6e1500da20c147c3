import { Fail } from './template-error.js';
import type { Budget } from './template-limits.js';
import { type Compiled, compilePattern, ESCAPES, type Inst, inClass, isAsciiLetter, isDigit, isOct, WORD } from './template-regex-compile.js';

/**
 * Python's re.sub for the regex_replace filter, on the subset template-regex-compile.ts reads.
 * Matching runs on a Pike VM (no backtracking: time linear in the text times the pattern, with
 * Python's leftmost-first choice among alternatives), charged to the rendering's budget, so a
 * hostile pattern cannot hang the run. Empty matches follow Python 3.7+ (one may follow a
 * non-empty match at the same place).
 */

/** Python's case-insensitive comparison of one character, approximated by simple case mapping. */
function fold(c: string): string {
  const l = c.toLowerCase();
  return Array.from(l).length === 1 ? l : c;
}

interface Thread {
  pc: number;
  caps: number[];
}

class Matcher {
  private chars: string[];
  private steps = 0;
  private seen: Int32Array;
  private stamp = 0;

  constructor(
    private re: Compiled,
    text: string,
    private flags: { ignorecase: boolean; multiline: boolean },
    private budget: Budget,
    private offset: number,
  ) {
    this.chars = Array.from(text);
    this.seen = new Int32Array(re.prog.length);
  }

  get length(): number {
    return this.chars.length;
  }

  slice(a: number, b: number): string {
    return this.chars.slice(a, b).join('');
  }

  private charMatches(inst: Inst, c: string): boolean {
    switch (inst.op) {
      case 'any':
        return c !== '\n';
      case 'char': {
        const p = String.fromCodePoint(inst.cp);
        return c === p || (this.flags.ignorecase && (fold(c) === fold(p) || c.toUpperCase() === p.toUpperCase()));
      }
      case 'set': {
        const { ranges, classes, negated } = inst.node;
        const candidates = this.flags.ignorecase ? [c, fold(c), c.toUpperCase()] : [c];
        const hit = candidates.some((x) => {
          const cp = x.codePointAt(0)!;
          return Array.from(x).length === 1 && (ranges.some(([lo, hi]) => cp >= lo && cp <= hi) || classes.some((k) => inClass(k, x)));
        });
        return hit !== negated;
      }
      default:
        return false;
    }
  }

  private holds(kind: Extract<Inst, { op: 'assert' }>['kind'], pos: number): boolean {
    const n = this.chars.length;
    const prev = this.chars[pos - 1];
    const next = this.chars[pos];
    switch (kind) {
      case 'start':
        return pos === 0;
      case 'end':
        return pos === n;
      case 'bol':
        return pos === 0 || (this.flags.multiline && prev === '\n');
      case 'eol':
        return pos === n || (this.flags.multiline ? next === '\n' : pos === n - 1 && next === '\n');
      case 'word':
      case 'notword': {
        const w = (c: string | undefined) => c !== undefined && WORD.test(c);
        return (w(prev) !== w(next)) === (kind === 'word');
      }
    }
  }

  private charge(n: number): void {
    this.steps += n;
    if (this.steps > 10_000) {
      this.budget.spend(this.steps, this.offset);
      this.steps = 0;
    }
  }

  /** Follows the non-consuming instructions from `pc`, adding threads to `list` in priority order. */
  private add(list: Thread[], stamp: number, pc0: number, caps0: number[], pos: number): void {
    const stack: Thread[] = [{ pc: pc0, caps: caps0 }];
    while (stack.length) {
      const { pc, caps } = stack.pop()!;
      if (this.seen[pc] === stamp) continue;
      this.seen[pc] = stamp;
      this.charge(1);
      const inst = this.re.prog[pc]!;
      switch (inst.op) {
        case 'jmp':
          stack.push({ pc: inst.x, caps });
          break;
        case 'split':
          stack.push({ pc: inst.y, caps }, { pc: inst.x, caps });
          break;
        case 'save': {
          const c = caps.slice();
          c[inst.n] = pos;
          stack.push({ pc: pc + 1, caps: c });
          break;
        }
        case 'assert':
          if (this.holds(inst.kind, pos)) stack.push({ pc: pc + 1, caps });
          break;
        default:
          list.push({ pc, caps });
      }
    }
  }

  /** The leftmost match at or after `start` (not an empty one at `start` when mustAdvance), as group spans. */
  search(start: number, mustAdvance: boolean): number[] | undefined {
    const n = this.chars.length;
    let clist: Thread[] = [];
    let stamp = ++this.stamp;
    let found: number[] | undefined;
    for (let sp = start; sp <= n; sp++) {
      if (found === undefined) {
        const caps = new Array<number>(2 * this.re.groups).fill(-1);
        caps[0] = sp;
        this.add(clist, stamp, 0, caps, sp);
      }
      const nlist: Thread[] = [];
      const nstamp = ++this.stamp;
      for (const t of clist) {
        this.charge(1);
        const inst = this.re.prog[t.pc]!;
        if (inst.op === 'match') {
          if (mustAdvance && t.caps[0] === start && sp === start) continue;
          found = t.caps.slice();
          found[1] = sp;
          break;
        }
        if (sp < n && this.charMatches(inst, this.chars[sp]!)) this.add(nlist, nstamp, t.pc + 1, t.caps, sp + 1);
      }
      if (nlist.length === 0 && found !== undefined) break;
      clist = nlist;
      stamp = nstamp;
    }
    return found;
  }
}

/** Python's replacement template: literal text, group numbers, or a refusal. */
type Piece = string | number;

function parseReplacement(repl: string, re: Compiled, offset: number): Piece[] {
  const fail = (problem: string): never => {
    throw new Fail(`regex_replace: ${problem} in replacement ${JSON.stringify(repl)}`, offset);
  };
  const cps = Array.from(repl);
  const out: Piece[] = [];
  const group = (g: number) => {
    if (g >= re.groups) fail(`invalid group reference ${g}`);
    out.push(g);
  };
  let i = 0;
  while (i < cps.length) {
    const c = cps[i++]!;
    if (c !== '\\') {
      out.push(c);
      continue;
    }
    if (i >= cps.length) fail('bad escape (end of pattern)');
    const d = cps[i++]!;
    if (d === 'g') {
      if (cps[i] !== '<') fail('missing <');
      const close = cps.indexOf('>', i);
      if (close < 0) fail('missing >, unterminated name');
      const name = cps.slice(i + 1, close).join('');
      i = close + 1;
      if (/^\d+$/.test(name)) group(Number(name));
      else if (re.names.has(name)) out.push(re.names.get(name)!);
      else if (/^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(name)) fail(`unknown group name ${JSON.stringify(name)}`);
      else fail(`bad character in group name ${JSON.stringify(name)}`);
    } else if (d === '0') {
      let oct = '';
      while (oct.length < 2 && isOct(cps[i])) oct += cps[i++];
      out.push(String.fromCodePoint(parseInt(oct || '0', 8)));
    } else if (isDigit(d)) {
      let digits = d;
      if (isDigit(cps[i])) {
        digits += cps[i++];
        if (isOct(d) && isOct(digits[1]) && isOct(cps[i])) {
          const v = parseInt(digits + cps[i++]!, 8);
          if (v > 0o377) fail('octal escape value outside of range 0-0o377');
          out.push(String.fromCodePoint(v));
          continue;
        }
      }
      group(Number(digits));
    } else if (ESCAPES[d] !== undefined) out.push(String.fromCodePoint(ESCAPES[d]));
    else if (d === 'b') out.push('\b');
    else if (d === '\\') out.push('\\');
    else if (isAsciiLetter(d)) fail(`bad escape \\${d}`);
    else out.push(`\\${d}`);
  }
  return out;
}

/** Python's re.sub(pattern, replacement, text, flags=…), charged to `budget`. */
export function regexSub(
  pattern: string,
  replacement: string,
  text: string,
  flags: { ignorecase: boolean; multiline: boolean },
  budget: Budget,
  offset: number,
  maxLength: number,
): string {
  const re = compilePattern(pattern, offset);
  const pieces = parseReplacement(replacement, re, offset);
  const m = new Matcher(re, text, flags, budget, offset);
  const out: string[] = [];
  let length = 0;
  const push = (s: string) => {
    length += s.length;
    if (length > maxLength) throw new Fail(`the result is longer than ${maxLength} characters`, offset);
    out.push(s);
  };
  let last = 0;
  let pos = 0;
  let mustAdvance = false;
  while (pos <= m.length) {
    const caps = m.search(pos, mustAdvance);
    if (!caps) break;
    const [b, e] = [caps[0]!, caps[1]!];
    push(m.slice(last, b));
    for (const p of pieces) {
      if (typeof p === 'string') push(p);
      else if (caps[2 * p]! >= 0) push(m.slice(caps[2 * p]!, caps[2 * p + 1]!));
    }
    last = e;
    mustAdvance = e === b;
    pos = e;
  }
  push(m.slice(last, m.length));
  return out.join('');
}
