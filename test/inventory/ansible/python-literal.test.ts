/**
 * Python's ast.literal_eval as python-literal.ts reads it, against Debian's python3 (the one
 * ansible-core runs on): both forms Ansible uses — `literal_eval(text)` (the INI plugin: leading
 * spaces and tabs stripped) and `literal_eval(ast.parse(text, mode='eval'))` after Ansible's own
 * Json2Python (templates: true/false/null) — over a table and generated texts, one line and several.
 * Compared: the value, tagged with its Python type; or the refusal (ValueError or SyntaxError:
 * no literal; TypeError: an unhashable key or member). Left out: a text on which Python runs out of
 * stack (RecursionError: Json2Python walks a deep tree by recursion), which is no rule of the language.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiteralProblem, literalEval, literalEvalParsed, type PyLiteral } from '../../../src/inventory/ansible/python-literal.js';
import { floatRepr } from '../../../src/inventory/ansible/template-values.js';
import { runPython } from './run-python.js';

type Tagged = { [k: string]: unknown } | 'not a literal' | 'TypeError' | 'RecursionError';

const PY = `
import ast, json, sys
from ansible.template.native_helpers import Json2Python
def tag(v):
    if isinstance(v, bool): return {'bool': v}
    if v is None: return {'none': True}
    if isinstance(v, int): return {'int': str(v)}
    if isinstance(v, float): return {'float': repr(v)}
    if isinstance(v, complex): return {'complex': True}
    if isinstance(v, str): return {'str': v}
    if isinstance(v, bytes): return {'bytes': list(v)}
    if v is Ellipsis: return {'ellipsis': True}
    if isinstance(v, tuple): return {'tuple': [tag(x) for x in v]}
    if isinstance(v, list): return {'list': [tag(x) for x in v]}
    if isinstance(v, set): return {'set': True}
    if isinstance(v, dict): return {'dict': [[tag(k), tag(x)] for k, x in v.items()]}
    raise Exception('untagged %r' % (v,))
def read(t, form):
    try:
        if form == 'str': return tag(ast.literal_eval(t))
        return tag(ast.literal_eval(ast.fix_missing_locations(Json2Python().visit(ast.parse(t, mode='eval')))))
    except (ValueError, SyntaxError): return 'not a literal'
    except TypeError: return 'TypeError'
    except RecursionError: return 'RecursionError'
texts, form = json.load(sys.stdin)
print(json.dumps([read(t, form) for t in texts]))
`;

/** a value's identity as Python compares dict keys (1 == 1.0 == True); a complex number equals none */
function ident(p: PyLiteral): string {
  if (p.t === 'int') return `n${p.v}`;
  if (p.t === 'bool') return `n${p.v ? 1 : 0}`;
  if (p.t === 'float') return Number.isInteger(p.v) ? `n${BigInt(p.v)}` : `f${p.v}`;
  if (p.t === 'tuple') return `t(${p.items.map(ident).join(',')})`;
  if (p.t === 'str' || p.t === 'bytes') return `${p.t}${JSON.stringify(p.v)}`;
  return p.t === 'complex' ? `c${Math.random()}` : p.t;
}

function tag(p: PyLiteral): Record<string, unknown> {
  switch (p.t) {
    case 'int':
      return { int: p.v.toString() };
    case 'float':
      return { float: floatRepr(p.v) };
    case 'bool':
    case 'str':
    case 'bytes':
      return { [p.t]: p.v };
    case 'tuple':
    case 'list':
      return { [p.t]: p.items.map(tag) };
    case 'dict': {
      // Python keeps a key's first spelling and its last value
      const byKey = new Map<string, [PyLiteral, PyLiteral]>();
      for (const [k, v] of p.entries) byKey.set(ident(k), [byKey.get(ident(k))?.[0] ?? k, v]);
      return { dict: [...byKey.values()].map(([k, v]) => [tag(k), tag(v)]) };
    }
    default:
      return { [p.t]: true };
  }
}

type Form = 'str' | 'parsed';

function ours(text: string, form: Form): Tagged {
  try {
    const v = form === 'str' ? literalEval(text) : literalEvalParsed(text, { jsonNames: true });
    return v === undefined ? 'not a literal' : tag(v);
  } catch (err) {
    if (err instanceof LiteralProblem) return 'TypeError';
    throw err;
  }
}

function differences(texts: string[], form: Form): { t: string; ours: Tagged; theirs: Tagged }[] {
  const theirs = runPython<Tagged[]>(PY, [texts, form]);
  // the texts reach both outcomes: literals, and texts that are none
  expect(theirs.filter((t) => typeof t !== 'string').length).toBeGreaterThan(texts.length / 20);
  return texts
    .map((t, i) => ({ t: JSON.stringify(t), ours: ours(t, form), theirs: theirs[i]! }))
    .filter((c) => c.theirs !== 'RecursionError' && JSON.stringify(c.ours) !== JSON.stringify(c.theirs));
}

// prettier-ignore
const TABLE = [
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
  '1e400',
  '-1e400',
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
  `${'-'.repeat(500)}1`,
  'True # c',
  'True#',
  'None',
  'none',
  'true',
  'false',
  'null',
  '[true, null]',
  '{"a": false}',
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
  "{'a': 1, 'a': 2}",
  '{1.5: 0, None: 1, False: 2}',
  "{'a': [1, {'b': (2, 3)}]}",
  '{**{}}',
  '[*()]',
  '{1: 2,}',
  '{1: 2 3: 4}',
  '{[]: 1, 2: x}',
  '{1: x, []: 2}',
  '{(1, [2]): 3}',
  '{[1]}',
  '{1, [2]}',
  `'a' "b"`,
  "'a' b'b'",
  "f'x'",
  "u'x'",
  "Rb'x'",
  "ur'x'",
  "b'abc'",
  "b'\\xff'",
  "b'\\400'",
  "'\\777'",
  "'\\d'",
  "'\\x4'",
  "'\\x41'",
  "b'\\u0041'",
  "r'\\n'",
  "'\\u00e9'",
  "'\\U0001F600'",
  "'\\U00110000'",
  "'''x'''",
  "'''a'b'''",
  "''",
  '""',
  "'unclosed",
  "'a'\\",
  "b'é'",
  "'é'",
  'é',
  'x\0',
  '"\udc80"',
  'a b',
  '',
  ' ',
  ' 5',
  '\t5',
  '\f5',
  ' \f5',
  '\f 5',
  '5 ',
  '1.2.3',
  '1 .real',
  '1if 1 else 2',
  'x if y else z',
  'lambda: 1',
  '[1 for x in y]',
  '1:2',
  '0x',
  '1e',
  '1²',
  '1 ²',
  '['.repeat(200) + ']'.repeat(200),
  '['.repeat(201) + ']'.repeat(201),
  `${'['.repeat(199)}set()${']'.repeat(199)}`,
  `${'['.repeat(200)}set()${']'.repeat(200)}`,
  ']',
  '[)',
  // several lines, as a rendered template may be
  '1\n',
  '1\n\n',
  '1\n  ',
  '1\n \f',
  '1\n\f ',
  '1\n\t',
  '1\n#c',
  '1\n  #c',
  '1\n  \n',
  '\n1',
  '\n 1',
  '  \n1',
  '#c\n 1',
  '#c\n1',
  '1\n2',
  '[1,\n 2]',
  '[1,\n\n  # c\n 3]',
  '1\\\n',
  '1\\\n ',
  '1 \\\n  +0j',
  '\\\n1',
  ' \\\n1',
  '[1,\\\n2]',
  '\\\n\n1',
  '\\\n 1',
  '\\\n\n 1',
  '1\n\\\n',
  '1\n\\\n\n',
  '1\n\\\n2',
  '1\n \\\n\n',
  '\\\n#c\n1',
  '\\\n\\\n1',
  ' \\\n 1',
  '\\\n  \n1',
  '1\n\\\n ',
  '1\n\\\n#c',
  '\\\n',
  '\\\n\n',
  '1 \\\n\n',
  '1\\\n\n2',
  '#c\n\\\n\r1_0',
  '  \\\n\\\n1',
  '\f\\\n 1',
  '1 #c\\\n',
  '[1\n  ]',
  '[1,\n 2]  \n  ',
  "['a\n']",
  "'''a\nb'''",
  "'a\\\nb'",
  "r'a\\\nb'",
  '[1,\r 2]',
  "'''a\rb'''",
  "'''a\r\nb'''",
  "b'''a\rb'''",
  '1\r\n',
  '1\r\n  ',
  '{1:2}\n\n',
  '\\x',
  '1 \\ 2',
];

describe('literal_eval as Python 3.11 reads it', () => {
  for (const form of ['str', 'parsed'] as const) {
    describe(form === 'str' ? 'literal_eval(text) (INI values)' : "literal_eval(Json2Python(ast.parse(text, mode='eval'))) (templates)", () => {
      it('reads each text of a table as Python does', () => {
        expect(differences(TABLE, form)).toEqual([]);
      });

      it('reads 2000 generated literals as Python does', () => {
        // prettier-ignore
        const { value } = fc.letrec<{ atom: string; key: string; value: string; list: string; tuple: string; dict: string; set: string }>((tie) => ({
          key: fc.constantFrom(
            '1',
            '-1',
            '0x1F',
            '1.0',
            '-0.0',
            '1.5',
            '1e3',
            'True',
            'False',
            'None',
            'true',
            'null',
            "'a'",
            '"a"',
            "b'x'",
            '()',
            '(1,)',
            '(1, [])',
            '[]',
            '{}',
            'x',
          ),
          atom: fc.oneof(
            tie('key'),
            fc.constantFrom(
              '+2',
              '- 3',
              '1_000',
              '.5',
              '-1e-3',
              '1e400',
              '"b c"',
              "'\\n'",
              "r'\\d'",
              "'a' 'b'",
              '07',
              '1j',
              '1+2j',
              'set()',
              '...',
              '-(1)',
              '(2)',
              'false',
            ),
          ),
          value: fc.oneof({ depthSize: 'small' }, tie('atom'), tie('list'), tie('tuple'), tie('dict'), tie('set')),
          list: fc.tuple(fc.array(tie('value'), { maxLength: 3 }), fc.boolean()).map(([xs, comma]) => `[${xs.join(', ')}${comma && xs.length > 0 ? ',' : ''}]`),
          tuple: fc.array(tie('value'), { minLength: 1, maxLength: 3 }).map((xs) => `(${xs.join(',')}${xs.length === 1 ? ',' : ''})`),
          dict: fc.array(fc.tuple(tie('key'), tie('value')), { maxLength: 3 }).map((ps) => `{${ps.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
          set: fc.array(tie('key'), { minLength: 1, maxLength: 3 }).map((xs) => `{${xs.join(', ')}}`),
        }));
        const texts = fc.sample(value, { numRuns: 2000, seed: form === 'str' ? 20261215 : 20261217 });
        expect(differences(texts, form).slice(0, 5)).toEqual([]);
      });

      it('reads 3000 generated texts of pieces, some over several lines, as Python does', () => {
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
          "'\\u00e9'",
          'True',
          'False',
          'None',
          'true',
          'null',
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
          '\n',
          '\r\n',
          '\r',
          '\n ',
          '\t',
          '\f',
          '\\\n',
          '#c\n',
          "'''",
          "'''t'''",
        );
        const texts = fc.sample(
          fc.array(piece, { minLength: 1, maxLength: 8 }).map((ps) => ps.join('')),
          { numRuns: 3000, seed: form === 'str' ? 20261213 : 20261218 },
        );
        expect(differences(texts, form).slice(0, 5)).toEqual([]);
      });
    });
  }

  it('refuses a \\N{…} escape (Python reads it by the character’s name), and counts the characters it reads', () => {
    expect(() => literalEval("'\\N{BULLET}'")).toThrow(LiteralProblem);
    expect(literalEval("b'\\N{BULLET}'")).toEqual({ t: 'bytes', v: [...Buffer.from('\\N{BULLET}')] });
    let read = 0;
    literalEvalParsed("[1, 'ab']", { spend: (n) => (read += n) });
    expect(read).toBe(9);
  });
});
