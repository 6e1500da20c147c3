/** Python's str.splitlines() against Debian's python3 (the one ansible-core runs on). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pythonSplitLines } from '../../../src/inventory/ansible/python-lines.js';
import { runPython } from './run-python.js';

describe('pythonSplitLines', () => {
  it('cuts a table and 2000 generated texts where str.splitlines() does', () => {
    const table = [
      '',
      'a',
      '\n',
      '\n\n',
      'a\n',
      'a\r\nb',
      'a\r\rb',
      '\r\n\n',
      'a\n\r',
      'a\x0bb\x0cc\x1cd\x1de\x1ef\x1fg\x85h\u2028i\u2029j',
      'a\u0085',
      'x\u000b',
    ];
    const piece = fc.constantFrom('a', ' ', '\n', '\r', '\r\n', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\x1f', '\x85', '\u2028', '\u2029', '\u00a0', '\t');
    const texts = [
      ...table,
      ...fc.sample(
        fc.array(piece, { maxLength: 8 }).map((ps) => ps.join('')),
        { numRuns: 2000, seed: 11 },
      ),
    ];
    const theirs = runPython<string[][]>('import json, sys\nprint(json.dumps([t.splitlines() for t in json.load(sys.stdin)]))', texts);
    const differ = texts
      .map((t, i) => ({ t, ours: pythonSplitLines(t), theirs: theirs[i] }))
      .filter((c) => JSON.stringify(c.ours) !== JSON.stringify(c.theirs));
    expect(differ.slice(0, 5)).toEqual([]);
  });
});
