/**
 * The INI plugin's `_parse_value` (ast.literal_eval, else the text itself) against Ansible's own
 * `InventoryModule._parse_value` run in Debian's python3 (ansible-core 2.14), through JSON as
 * `ansible-inventory --list` prints it: a table of values, and generated ones.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IniValueProblem, parseIniValue } from '../../../src/inventory/ansible/ini-value.js';
import { runPython } from './run-python.js';

type ValueOutcome = { value: unknown } | { refused: string };

/** The ini plugin's own _parse_value on each text, through JSON (as --list prints it), or its refusal. */
function ansibleValues(texts: string[]): ValueOutcome[] {
  const script = `
import json, math, sys
from ansible.plugins.inventory.ini import InventoryModule
def finite(v):
    # JSON has no infinity: written as a marker, as ours is
    if isinstance(v, float) and not math.isfinite(v): return {'$float': repr(v)}
    if isinstance(v, (list, tuple)): return [finite(x) for x in v]
    if isinstance(v, dict): return {k: finite(x) for k, x in v.items()}
    return v
out = []
for t in json.load(sys.stdin):
    try:
        out.append({'value': json.loads(json.dumps(finite(InventoryModule._parse_value(t)), ensure_ascii=False))})
    except Exception as e:
        out.append({'refused': '%s: %s' % (type(e).__name__, e)})
print(json.dumps(out))
`;
  return runPython<ValueOutcome[]>(script, texts);
}

/** Infinity and NaN as the Python side marks them */
const finite = (v: unknown): unknown =>
  typeof v === 'number' && !Number.isFinite(v)
    ? { $float: Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf' }
    : Array.isArray(v)
      ? v.map(finite)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, finite(x)]))
        : v;

function ourValue(text: string): ValueOutcome {
  try {
    return { value: finite(parseIniValue(text)) };
  } catch (err) {
    if (err instanceof IniValueProblem) return { refused: err.message };
    throw err;
  }
}

const agrees = (ours: ValueOutcome, theirs: ValueOutcome) =>
  'refused' in ours || 'refused' in theirs ? 'refused' in ours && 'refused' in theirs : isDeepStrictEqual(ours.value, theirs.value);

describe('parseIniValue (ast.literal_eval, else the text itself) against the ini plugin’s _parse_value', () => {
  // prettier-ignore
  const VALUES = [
    '5',
    '-0x10',
    '0b101',
    '0O17',
    '0_0',
    '07',
    '07.5',
    '07j',
    '1.',
    '.5',
    '1e3',
    '1E-2',
    '1_000.000_1',
    '1__0',
    '1_',
    '9'.repeat(30),
    '-(1)',
    '-(-1)',
    '--1',
    '-True',
    '+1.5',
    '- 1',
    '1+2j',
    '1-2',
    '(1)+2j',
    '1 + 2j + 3j',
    'True # c',
    'True#',
    'None',
    'none',
    'true',
    'yes',
    '...',
    'set()',
    'set( )',
    'set(())',
    'set',
    '[1, 2,]',
    '[1,,2]',
    '(1)',
    '()',
    '(1,)',
    '1,',
    '1, 2',
    ',',
    '[1][0]',
    '{}',
    '{1: 2, True: 3, 1.0: 4}',
    '{1.5: 0, None: 1, False: 2}',
    '{1e16: 1, 1e-5: 2, 0.1: 3, 123.0: 4, -0.0: 5}',
    "{'a': [1, {'b': (2, 3)}]}",
    '{**{}}',
    '[*()]',
    '{1: 2,}',
    '{1: 2 3: 4}',
    `'a' "b"`,
    "'a' b'b'",
    "f'x'",
    "u'x'",
    "Rb'x'",
    "ur'x'",
    "b'abc'",
    "b'\\xff'",
    "[b'a']",
    "b'\\400'",
    "'\\777'",
    "'\\d'",
    "'\\x4'",
    "'\\x41'",
    "b'\\xe2\\x82A'",
    "b'\\xf0\\x9f\\x98\\x80'",
    "b'\\xed\\xa0\\x80'",
    "b'\\xc0\\xaf'",
    "b'\\xf4\\x90'",
    "'\\u00e9'",
    "'\\U0001F600'",
    "'\\U00110000'",
    "b'\\u0041'",
    "r'\\n'",
    "'''x'''",
    "'''a'b'''",
    "''",
    '""',
    "'unclosed",
    "'a'\\",
    'a b',
    '',
    ' 5',
    '\t5',
    '5 ',
    'foo-bar',
    'http://x/?a=b',
    '1.2.3',
    '1 .real',
    'x if y else z',
    'lambda: 1',
    '[1 for x in y]',
    '{1, 2}',
    '{[1]: 2}',
    '{(1, [2]): 3}',
    '{(1, 2): 3}',
    '1j',
    '(1+2j)',
    '[1j]',
    '1if 1 else 2',
    'a=b',
    '=',
    '1:2',
    '0x',
    '1e',
    '['.repeat(200) + ']'.repeat(200),
    '['.repeat(201) + ']'.repeat(201),
    'x\0',
  ];

  it('reads each value of a table as Python does', () => {
    const theirs = ansibleValues(VALUES);
    const differ = VALUES.map((t, i) => ({ t, ours: ourValue(t), theirs: theirs[i]! })).filter((c) => !agrees(c.ours, c.theirs));
    expect(differ).toEqual([]);
  });

  it('reads generated literals as Python does (2000 values)', () => {
    // prettier-ignore
    const { value } = fc.letrec<{ atom: string; value: string; list: string; tuple: string; dict: string }>((tie) => ({
      atom: fc.constantFrom(
        '1',
        '-1',
        '+2',
        '- 3',
        '0x1F',
        '1_000',
        '1.5',
        '.5',
        '1e3',
        '-1e-3',
        '1e400',
        'True',
        'False',
        'None',
        "'a'",
        '"b c"',
        "b'x'",
        "'\\n'",
        "r'\\d'",
        "'a' 'b'",
        '07',
        '1j',
        '1+2j',
        'x',
        '()',
        '[]',
        '{}',
        'set()',
        '...',
        '-(1)',
        '(2)',
      ),
      value: fc.oneof({ depthSize: 'small' }, tie('atom'), tie('list'), tie('tuple'), tie('dict')),
      list: fc.tuple(fc.array(tie('value'), { maxLength: 3 }), fc.boolean()).map(([xs, comma]) => `[${xs.join(', ')}${comma && xs.length > 0 ? ',' : ''}]`),
      tuple: fc.array(tie('value'), { minLength: 1, maxLength: 3 }).map((xs) => `(${xs.join(',')}${xs.length === 1 ? ',' : ''})`),
      dict: fc.array(fc.tuple(tie('atom'), tie('value')), { maxLength: 3 }).map((ps) => `{${ps.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
    }));
    const texts = fc.sample(value, { numRuns: 2000, seed: 20261215 });
    const theirs = ansibleValues(texts);
    expect(theirs.filter((t, i) => 'value' in t && t.value !== texts[i]).length).toBeGreaterThan(800);
    expect(theirs.filter((t) => 'refused' in t).length).toBeGreaterThan(200);
    const differ = texts.map((t, i) => ({ t, ours: ourValue(t), theirs: theirs[i]! })).filter((c) => !agrees(c.ours, c.theirs));
    expect(differ.slice(0, 5)).toEqual([]);
  });

  it('reads generated values as Python does (3000 values)', () => {
    // prettier-ignore
    const piece = fc.constantFrom(
      '1',
      '0',
      '07',
      '1.5',
      '.5',
      '1e3',
      '0x1f',
      '1_0',
      '_',
      'j',
      '-',
      '+',
      ' ',
      ',',
      ':',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      "'a'",
      '"b"',
      "b'c'",
      "r'\\d'",
      "'\\x41'",
      "'\\n'",
      "b'\\xff'",
      "b'\\xe2\\x82'",
      "'\\u00e9'",
      'True',
      'False',
      'None',
      'set()',
      'x',
      '#',
      '...',
      '.',
      '=',
      'é',
      "'",
      '"',
      '\\',
    );
    const texts = fc.sample(
      fc.array(piece, { minLength: 1, maxLength: 8 }).map((ps) => ps.join('')),
      { numRuns: 3000, seed: 20261213 },
    );
    const theirs = ansibleValues(texts);
    // the generator reaches both outcomes: literals, and values that stay text
    expect(theirs.filter((t, i) => 'value' in t && t.value !== texts[i]).length).toBeGreaterThan(150);
    const differ = texts.map((t, i) => ({ t, ours: ourValue(t), theirs: theirs[i]! })).filter((c) => !agrees(c.ours, c.theirs));
    expect(differ.slice(0, 5)).toEqual([]);
  });
});
