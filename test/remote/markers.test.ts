import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKERS, splitSections } from '../../src/remote/markers.js';
import { PROGRAMS_DIR, programSource } from '../../src/remote/program.js';

const src = new URL('../../src/', import.meta.url).pathname;
const tsFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('the marker vocabulary', () => {
  it('is what the programs write: every `mark NAME` of every program, and nothing else', () => {
    const written = new Set<string>();
    for (const f of readdirSync(PROGRAMS_DIR).filter((f) => f.endsWith('.sh'))) {
      for (const line of programSource(f).split('\n')) {
        if (line.trimStart().startsWith('#')) continue;
        for (const m of line.matchAll(/\bmark ([a-z][a-z0-9-]*)/g)) written.add(m[1]!);
      }
    }
    expect([...written].sort()).toEqual([...MARKERS].sort());
  });

  it('is what the readers look for: every section name a reader in src/ asks for is written by a program', () => {
    const asked = new Set<string>();
    for (const file of tsFiles(src)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/sections\.(?:get|has)\((['`])([a-z][a-z0-9-]*)/g)) asked.add(m[2]!);
      for (const m of text.matchAll(/splitSections\([^)]*\)\.(?:get|has)\((['`])([a-z][a-z0-9-]*)/g)) asked.add(m[2]!);
      for (const m of text.matchAll(/\bout\.(?:get|has)\('([a-z][a-z0-9-]*)'\)/g)) asked.add(m[1]!);
      for (const m of text.matchAll(/\b(?:word|need)\('([a-z][a-z0-9-]*)'\)/g)) asked.add(m[1]!);
    }
    expect(asked.size).toBeGreaterThanOrEqual(20);
    for (const name of asked) expect(MARKERS, name).toContain(name);
  });
});

describe('splitSections', () => {
  it('splits on lines that start with @@; a line that is not a marker is body text, whatever it holds', () => {
    const out = splitSections('before\n@@root\na\n@@x@@\n@@ns pb\nb @@c\n\n@@end');
    expect([...out]).toEqual([
      ['root', 'a'],
      ['x@@', ''],
      ['ns pb', 'b @@c\n'],
      ['end', ''],
    ]);
  });
});
