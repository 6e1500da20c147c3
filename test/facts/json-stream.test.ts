import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJsonStream } from '../../src/facts/json-stream.js';
import { splitSections } from '../../src/facts/parse-facts.js';

describe('parseJsonStream', () => {
  it('splits values printed back to back, with or without whitespace between them', () => {
    expect(parseJsonStream('[1,2][3]\n{"a":[4]}\n\n[]')).toEqual([[1, 2], [3], { a: [4] }, []]);
  });

  it('parses values spread over several lines (pretty-printed) and values sharing a line', () => {
    expect(parseJsonStream('[\n  {"a": 1},\n  {"b": "x]"}\n]\n[2]\n')).toEqual([[{ a: 1 }, { b: 'x]' }], [2]]);
    expect(parseJsonStream('[1]\n[2][3]\n')).toEqual([[1], [2], [3]]);
  });

  it('returns nothing for empty or blank text', () => {
    expect(parseJsonStream('')).toEqual([]);
    expect(parseJsonStream(' \n\t\n')).toEqual([]);
  });

  it('ignores brackets and quotes inside strings, escapes included', () => {
    const text = '[{"n":"a]b}c","m":"say \\"[hi]\\"","b":"back\\\\"}][{"x":"{"}]';
    expect(parseJsonStream(text)).toEqual([[{ n: 'a]b}c', m: 'say "[hi]"', b: 'back\\' }], [{ x: '{' }]]);
  });

  it('parses nested values as one', () => {
    expect(parseJsonStream('[{"a":{"b":[{"c":[]}]}}]')).toEqual([[{ a: { b: [{ c: [] }] } }]]);
  });

  it('rejects truncated JSON', () => {
    expect(() => parseJsonStream('[1,2][{"a":')).toThrow(/truncated JSON/);
    expect(() => parseJsonStream('[{"a":"unterminated')).toThrow(/truncated JSON/);
  });

  it('rejects an unbalanced closing bracket', () => {
    expect(() => parseJsonStream('[1]]')).toThrow(/unbalanced JSON at offset 3/);
  });

  it('rejects text outside the JSON values, quoting it', () => {
    expect(() => parseJsonStream('[1]\nError: Device "x" does not exist.\n')).toThrow(/unexpected text outside JSON at offset 4: "Error: Device/);
    expect(() => parseJsonStream('42')).toThrow(/outside JSON/);
  });

  it('rejects a bare string between values instead of silently dropping it', () => {
    expect(() => parseJsonStream('"oops"')).toThrow(/outside JSON/);
    expect(() => parseJsonStream('[1] "x" [2]')).toThrow(/outside JSON at offset 4/);
  });

  it('reads the four arrays of a recorded root `ip -batch` section (links, addresses, routes, namespaces)', () => {
    const sections = splitSections(readFileSync(new URL('../fixtures/facts/converged.txt', import.meta.url), 'utf8'));
    const values = parseJsonStream(sections.get('root')!);
    expect(values).toHaveLength(4);
    for (const v of values) expect(Array.isArray(v)).toBe(true);
  });
});
