/** Python's whitespace, str.strip() and int(str), against Debian's python3 (the one ansible-core runs on). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pythonInt, pythonStrip } from '../../../src/inventory/ansible/python-str.js';
import { runPython } from './run-python.js';

describe('Python string rules', () => {
  it('strip() takes off what Python takes off, for every character of the BMP', () => {
    const chars = Array.from({ length: 0x10000 }, (_, cp) => String.fromCharCode(cp));
    const theirs = runPython<boolean[]>('import json, sys\nprint(json.dumps([(c + "a" + c).strip() == "a" for c in json.load(sys.stdin)]))', chars);
    const differ = chars.filter((c, i) => (pythonStrip(`${c}a${c}`) === 'a') !== theirs[i]).map((c) => c.charCodeAt(0).toString(16));
    expect(theirs.filter(Boolean).length).toBe(29); // the characters str.isspace() takes (U+FEFF is not one)
    expect(differ).toEqual([]);
  });

  it('int() as Python reads it: a table, and 3000 generated texts', () => {
    // prettier-ignore
    const table = [
      ' 12 ',
      '+1_000',
      '-\u0661\u0662',
      '\u{1D7D9}',
      '',
      '1__0',
      '_1',
      '1_',
      '0x10',
      '1.0',
      'a',
      '00',
      '-0',
      '+-1',
      '\u30001\u3000',
      '1'.repeat(4300),
      '1'.repeat(4301),
      '\u00b2',
      '\u2460',
    ];
    const piece = fc.constantFrom('0', '1', '9', '_', '+', '-', ' ', '\t', '\x1c', '\u0663', '\u09e7', '\uff15', '\u00b2', 'a', '.', 'x');
    const texts = [
      ...table,
      ...fc.sample(
        fc.array(piece, { minLength: 1, maxLength: 6 }).map((ps) => ps.join('')),
        { numRuns: 3000, seed: 7 },
      ),
    ];
    const theirs = runPython<(string | null)[]>(
      `import json, sys
def to_int(t):
    try: return str(int(t))
    except ValueError: return None
print(json.dumps([to_int(t) for t in json.load(sys.stdin)]))`,
      texts,
    );
    expect(theirs.filter((t) => t !== null).length).toBeGreaterThan(300);
    const differ = texts.map((t, i) => ({ t, ours: pythonInt(t)?.toString() ?? null, theirs: theirs[i] })).filter((c) => c.ours !== c.theirs);
    expect(differ.slice(0, 5)).toEqual([]);
  });
});
