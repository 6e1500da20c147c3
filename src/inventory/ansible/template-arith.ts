import type { BinOp } from './template-ast.js';
import { LIMITS } from './template-limits.js';
import { fail, failUndefined, numOf, PyTuple, type Py, seqItems, strOf, typeName, Undef } from './template-values.js';

/** Python's arithmetic on template values: ints exact (bigint), floats IEEE, str and list `+` and `*`. */

function toFloat(n: bigint | number, pos: number): number {
  if (typeof n === 'number') return n;
  const f = Number(n);
  if (!Number.isFinite(f)) fail('int too large to convert to float', pos);
  return f;
}

const unsupported = (op: string, a: Py, b: Py, pos: number): never => fail(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`, pos);

function checkLength(n: number, pos: number, what: 'string' | 'list'): void {
  const max = what === 'string' ? LIMITS.stringLength : LIMITS.listLength;
  if (n > max) fail(`the result is longer than ${max} ${what === 'string' ? 'characters' : 'items'}`, pos);
}

function repeat(seq: Py, times: bigint, pos: number): Py {
  const n = times < 0n ? 0 : times > BigInt(LIMITS.stringLength) ? LIMITS.stringLength + 1 : Number(times);
  const s = strOf(seq);
  if (s !== undefined) {
    checkLength(s.length * n, pos, 'string');
    return s.repeat(n);
  }
  const items = seqItems(seq as Py[] | PyTuple);
  checkLength(items.length * n, pos, 'list');
  const out: Py[] = [];
  for (let i = 0; i < n; i++) out.push(...items);
  return Array.isArray(seq) ? out : new PyTuple(out);
}

function isSequence(v: Py): boolean {
  return strOf(v) !== undefined || Array.isArray(v) || v instanceof PyTuple;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function pyMod(a: bigint, b: bigint): bigint {
  const r = a % b;
  return r !== 0n && r < 0n !== b < 0n ? r + b : r;
}

function floatMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

export function binary(op: BinOp, a: Py, b: Py, pos: number): Py {
  if (a instanceof Undef) failUndefined(a);
  if (b instanceof Undef) failUndefined(b);
  const x = numOf(a);
  const y = numOf(b);
  if (x !== undefined && y !== undefined) return numeric(op, x, y, pos);
  if (op === '+') {
    const sa = strOf(a);
    const sb = strOf(b);
    if (sa !== undefined) {
      if (sb === undefined) fail(`can only concatenate str (not "${typeName(b)}") to str`, pos);
      checkLength(sa.length + sb.length, pos, 'string');
      return sa + sb;
    }
    if ((Array.isArray(a) && Array.isArray(b)) || (a instanceof PyTuple && b instanceof PyTuple)) {
      const items = [...seqItems(a), ...seqItems(b)];
      checkLength(items.length, pos, 'list');
      return Array.isArray(a) ? items : new PyTuple(items);
    }
    if (Array.isArray(a) || a instanceof PyTuple) fail(`can only concatenate ${typeName(a)} (not "${typeName(b)}") to ${typeName(a)}`, pos);
  }
  if (op === '*') {
    if (isSequence(a) && typeof y === 'bigint') return repeat(a, y, pos);
    if (isSequence(b) && typeof x === 'bigint') return repeat(b, x, pos);
    if (isSequence(a) || isSequence(b)) fail(`can't multiply sequence by non-int of type '${typeName(isSequence(a) ? b : a)}'`, pos);
  }
  if (op === '%' && strOf(a) !== undefined) fail("string formatting with % is not supported by cnet-remote's templates: use ~ to join text", pos);
  return unsupported(op, a, b, pos);
}

/** Python's ZeroDivisionError, worded by the operator and whether both operands are ints. */
const BY_ZERO: Partial<Record<BinOp, { int: string; float: string }>> = {
  '/': { int: 'division by zero', float: 'float division by zero' },
  '//': { int: 'integer division or modulo by zero', float: 'float floor division by zero' },
  '%': { int: 'integer modulo by zero', float: 'float modulo' },
};

function checkDivisor(op: BinOp, zero: boolean, operands: 'int' | 'float', pos: number): void {
  const words = BY_ZERO[op];
  if (words && zero) fail(words[operands], pos);
}

function numeric(op: BinOp, x: bigint | number, y: bigint | number, pos: number): Py {
  if (typeof x === 'bigint' && typeof y === 'bigint') {
    checkDivisor(op, y === 0n, 'int', pos);
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        if (x.toString(16).length + y.toString(16).length > LIMITS.stringLength / 8) fail('the integer result is too large', pos);
        return x * y;
      case '/':
        return toFloat(x, pos) / toFloat(y, pos);
      case '//':
        return floorDiv(x, y);
      case '%':
        return pyMod(x, y);
      case '**':
        if (y < 0n) {
          if (x === 0n) fail('0.0 cannot be raised to a negative power', pos);
          return toFloat(x, pos) ** toFloat(y, pos);
        }
        if (x === 0n || x === 1n || x === -1n || y === 0n) return x ** y;
        if (BigInt(x.toString(2).length) * y > 100_000n) fail('the integer result is too large', pos);
        return x ** y;
    }
  }
  const a = toFloat(x, pos);
  const b = toFloat(y, pos);
  let r: number;
  checkDivisor(op, b === 0, 'float', pos);
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '//':
      return Math.floor(a / b);
    case '%':
      return floatMod(a, b);
    case '**':
      if (a === 0 && b < 0) fail('0.0 cannot be raised to a negative power', pos);
      if (a < 0 && !Number.isInteger(b)) fail('a negative number to a fractional power is complex, which cnet-remote cannot use', pos);
      r = a ** b;
      if (!Number.isFinite(r) && Number.isFinite(a) && Number.isFinite(b)) fail('Numerical result out of range', pos);
      return r;
  }
}

export function unary(op: 'neg' | 'pos', a: Py, pos: number): Py {
  if (a instanceof Undef) failUndefined(a);
  const n = numOf(a);
  if (n === undefined) fail(`bad operand type for unary ${op === 'neg' ? '-' : '+'}: '${typeName(a)}'`, pos);
  if (op === 'pos') return n;
  return typeof n === 'bigint' ? -n : -n;
}
