/**
 * dumpAnsibleJson against the real Python json.dumps with ansible-inventory's arguments
 * (sort_keys=True, indent=4, ensure_ascii=False), on values whose text differs from
 * JSON.stringify's: integer-like keys, keys past U+FFFF, control characters, empty collections.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { byCodePoint, dumpAnsibleJson } from '../../../src/inventory/ansible/dump-json.js';

function python(value: unknown): string {
  const script = 'import json, sys\nprint(json.dumps(json.loads(sys.stdin.read()), sort_keys=True, indent=4, ensure_ascii=False), end="")';
  return execFileSync('python3', ['-c', script], { input: JSON.stringify(value), encoding: 'utf8' });
}

const VALUES: [string, unknown][] = [
  ['integer-like keys sort as text', { '10': 1, '9': 2, b: 3, A: 4, '': 5 }],
  ['keys past U+FFFF sort by code point, after U+FFxx', { '\u{1F600}': 1, '\uFF21': 2, z: 3 }],
  ['control characters, quotes, backslashes, non-ASCII', { s: 'a\u0001b\u001b[2J\t\n"\\é\u2028\u007f' }],
  ['empty collections, nested', { a: {}, b: [], c: [{}, [], [1, [2, { x: null }]]], d: { e: { f: true } } }],
  ['numbers', { i: 0, n: -12, f: 1.5, big: 123456789012, e: 1e21 }],
  ['a list at the top', [3, 'x', null, false]],
];

describe('dumpAnsibleJson = json.dumps(sort_keys=True, indent=4, ensure_ascii=False)', () => {
  it.each(VALUES)('%s', (_name, value) => {
    expect(dumpAnsibleJson(value)).toBe(python(value));
  });

  it('a value that says how JSON shows it (an inline vault value) is shown so', () => {
    const vault = { toJSON: () => ({ __ansible_vault: '$ANSIBLE_VAULT;1.1;AES256\n3338' }) };
    expect(dumpAnsibleJson({ secret: vault })).toBe('{\n    "secret": {\n        "__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256\\n3338"\n    }\n}');
  });

  it('NaN and the infinities as Python writes them; a date as its isoformat()', () => {
    expect(dumpAnsibleJson([Number.NaN, Infinity, -Infinity, new Date(Date.UTC(2024, 0, 31))])).toBe(
      '[\n    NaN,\n    Infinity,\n    -Infinity,\n    "2024-01-31"\n]',
    );
  });

  it('byCodePoint orders as Python compares strings', () => {
    expect(['\u{1F600}', '\uFF21', 'b', 'a', 'ab', ''].sort(byCodePoint)).toEqual(['', 'a', 'ab', 'b', '\uFF21', '\u{1F600}']);
  });
});
