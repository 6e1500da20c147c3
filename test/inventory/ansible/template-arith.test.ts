/**
 * Division by zero and its order against int-to-float conversion, as Python words and orders
 * them: each case evaluated by Debian's python3 (the one ansible-core runs on) and by binary().
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { BinOp } from '../../../src/inventory/ansible/template-ast.js';
import { binary } from '../../../src/inventory/ansible/template-arith.js';
import { Fail } from '../../../src/inventory/ansible/template-error.js';

const BIG = 10n ** 400n;
const CASES: [bigint | number, BinOp, bigint | number][] = [
  [1n, '/', 0n],
  [1n, '//', 0n],
  [1n, '%', 0n],
  [1.5, '/', 0n],
  [1n, '//', 0.0],
  [1.5, '%', -0.0],
  [BIG, '/', 0n],
  [BIG, '/', 0.0],
  [BIG, '%', 0.0],
];

/** A Python literal: an int as digits, a float with its point (-0.0 kept). */
function py(v: bigint | number): string {
  return typeof v === 'bigint' ? v.toString() : Object.is(v, -0) ? '-0.0' : Number.isInteger(v) ? `${v}.0` : String(v);
}

function pythonProblems(): string[] {
  const program = [
    'import sys',
    'for line in sys.stdin.read().splitlines():',
    '    try:',
    '        eval(line)',
    "        print('no error')",
    '    except Exception as e:',
    '        print(e)',
  ].join('\n');
  const input = CASES.map(([a, op, b]) => `${py(a)} ${op} ${py(b)}`).join('\n');
  return execFileSync('/usr/bin/python3', ['-c', program], { input, encoding: 'utf8' }).trimEnd().split('\n');
}

function ourProblem(a: bigint | number, op: BinOp, b: bigint | number): string {
  try {
    binary(op, a, b, 0);
  } catch (err) {
    expect(err).toBeInstanceOf(Fail);
    return (err as Fail).problem;
  }
  return 'no error';
}

describe('binary: division by zero', () => {
  it('says what Python says, in the same order as converting an int too large for a float', () => {
    const python = pythonProblems();
    expect(python).toHaveLength(CASES.length);
    const ours = CASES.map(([a, op, b]) => ourProblem(a, op, b));
    expect(ours).toEqual(python);
    expect(python).toContain('float floor division by zero');
    expect(python).toContain('int too large to convert to float');
  });
});
