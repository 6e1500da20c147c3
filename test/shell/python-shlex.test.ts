/**
 * Python's shlex.split(text, comments) against Debian's python3 (the one ansible-core runs on):
 * the same words, or the same refusal (ValueError: an open quote or a backslash at the end).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShlexError, shlexSplit } from '../../src/shell/python-shlex.js';
import { runPython } from '../inventory/ansible/run-python.js';

type Split = string[] | 'refused';

function pythonSplits(texts: string[], comments: boolean): Split[] {
  return runPython<Split[]>(
    `import json, shlex, sys
def split(t):
    try: return shlex.split(t, comments=${comments ? 'True' : 'False'})
    except ValueError: return 'refused'
print(json.dumps([split(t) for t in json.load(sys.stdin)]))`,
    texts,
  );
}

function ourSplit(text: string, comments: boolean): Split {
  try {
    return shlexSplit(text, { comments }).map((w) => w.text);
  } catch (err) {
    if (err instanceof ShlexError) return 'refused';
    throw err;
  }
}

// prettier-ignore
const TABLE = [
  '',
  ' ',
  'a b',
  ' a  b ',
  'a\tb\nc\rd',
  'a\x0bb',
  'a\u00a0b',
  "'a b'",
  '"a b"',
  "''",
  '""',
  "a''b",
  'a""',
  '"a\\"b"',
  '"a\\\\b"',
  '"a\\b"',
  "'a\\b'",
  'a\\ b',
  'a\\',
  '\\',
  '"open',
  "'open",
  '\\\nx',
  'a\\\nb',
  '#c',
  'a #c',
  'a#c',
  "a'#'c",
  '"#"',
  '\\#a',
  'a # c\nb',
  "'x'#c",
  '#\n#',
  'é ü',
  'a=1 b="x y" c=\'z\'',
];

describe('shlexSplit', () => {
  for (const comments of [true, false]) {
    it(`splits a table and 3000 generated texts as shlex.split(comments=${comments ? 'True' : 'False'})`, () => {
      const piece = fc.constantFrom('a', 'b=1', ' ', '\t', '\n', '\r', "'", '"', '\\', '#', '=', 'é', '\x0b', "'x y'", '"p q"', '\\"', '\\\\');
      const texts = [
        ...TABLE,
        ...fc.sample(
          fc.array(piece, { maxLength: 8 }).map((ps) => ps.join('')),
          { numRuns: 3000, seed: comments ? 3 : 4 },
        ),
      ];
      const theirs = pythonSplits(texts, comments);
      expect(theirs.filter((t) => t === 'refused').length).toBeGreaterThan(300);
      const differ = texts
        .map((t, i) => ({ t, ours: ourSplit(t, comments), theirs: theirs[i] }))
        .filter((c) => JSON.stringify(c.ours) !== JSON.stringify(c.theirs));
      expect(differ.slice(0, 5)).toEqual([]);
    });
  }

  it('gives where each word starts, and where a refusal is', () => {
    expect(shlexSplit(`  h1 a="x y" 'b'=2`)).toEqual([
      { text: 'h1', at: 2 },
      { text: 'a=x y', at: 5 },
      { text: 'b=2', at: 13 },
    ]);
    expect(() => shlexSplit('w1 a="b c')).toThrow(expect.objectContaining({ at: 5 }));
    expect(() => shlexSplit('w1 a=b\\')).toThrow(expect.objectContaining({ at: 6 }));
  });
});
