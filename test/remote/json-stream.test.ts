import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJsonStream } from '../../src/remote/json-stream.js';
import { splitSections } from '../../src/remote/markers.js';

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

  it('reads what iproute2 prints for names and aliases holding control characters (recorded: record-hostile.sh)', () => {
    const [links] = parseJsonStream(readFileSync(new URL('../fixtures/facts/hostile-link.json', import.meta.url), 'utf8')) as {
      ifname: string;
      ifalias?: string;
    }[][];
    expect(links!.map((l) => l.ifname)).toEqual(['lo', 'a\u001bb', 'q\u007fx', 'ué', 'v\ufffdw', 'q"b\\c', 'c\u0001d', 'plain0', 'h\u001bx']);
    const alias = new Map(links!.map((l) => [l.ifname, l.ifalias]));
    expect(alias.get('a\u001bb')).toBe('\u001b[2J\u001b]52;c;aGk=\u0007');
    expect(alias.get('plain0')).toBe('esc\u001b]0;pwned\u0007 nl\nx del\u007f hi\ufffd\ufffd q"b\\c tab\tz cr\rend');
    expect(alias.get('c\u0001d')).toBe('cnet-remote');
    expect(alias.get('ué')).toBe('bidi \u202e rlo c1 \u009b end');
  });

  it('an object that still cannot be read is named by its interface', () => {
    const line = readFileSync(new URL('../fixtures/facts/hostile-link.json', import.meta.url), 'utf8');
    // a value cut short inside the object of "q\"b\\c": not JSON however it is escaped
    const broken = line.replace('"ifname":"q\\"b\\\\c","flags":', '"ifname":"q\\"b\\\\c","flags":,');
    expect(broken).not.toBe(line);
    expect(() => parseJsonStream(broken)).toThrow(/^interface "q\\"b\\\\c": /);
    const esc = line.replace('"ifname":"a\u001bb","flags":', '"ifname":"a\u001bb","flags":,');
    expect(() => parseJsonStream(esc)).toThrow(/^interface "a\\u001bb": /);
  });
});
