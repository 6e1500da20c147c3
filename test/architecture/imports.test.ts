import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The one direction imports flow, as ARCHITECTURE.md draws it: its table of layers (read from it,
 * so the document and the code cannot part), each part of src/ in one; a module imports only from
 * its own part or from a part in a lower layer.
 */
const DOC = readFileSync(new URL('../../ARCHITECTURE.md', import.meta.url), 'utf8');
const LAYERS: readonly (readonly string[])[] = DOC.split('\n')
  .filter((l) => /^\| \d+ \|/.test(l))
  .map((l) => [...l.split('|')[2]!.matchAll(/`([^`]+?)\/?`/g)].map((m) => m[1]!));

const SRC = resolve(new URL('../../src', import.meta.url).pathname);
const layerOf = new Map(LAYERS.flatMap((parts, i) => parts.map((p) => [p, i] as const)));
const partOf = (file: string): string => relative(SRC, file).split('/')[0]!;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** every import of a module in src/ from another part: `from → to` */
function crossImports(): { from: string; to: string; file: string }[] {
  const out: { from: string; to: string; file: string }[] = [];
  for (const file of tsFiles(SRC)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bfrom '(\.{1,2}\/[^']+)'|\bimport\('(\.{1,2}\/[^']+)'\)/g)) {
      const target = resolve(dirname(file), (m[1] ?? m[2])!);
      const [from, to] = [partOf(file), partOf(target)];
      if (from !== to) out.push({ from, to: to.replace(/\.js$/, '.ts'), file: relative(SRC, file) });
    }
  }
  return out;
}

describe('imports', () => {
  const edges = crossImports();

  it('every part of src/ has its layer in ARCHITECTURE.md, and the document names every file it mentions as it is', () => {
    expect(LAYERS.length).toBeGreaterThan(10);
    const parts = new Set(readdirSync(SRC));
    expect([...parts].filter((p) => !layerOf.has(p)).sort()).toEqual([]);
    expect([...layerOf.keys()].filter((p) => !parts.has(p))).toEqual([]);
    const named = [...DOC.matchAll(/`(src\/[\w./*-]+)`/g)].map((m) => m[1]!.replace(/\/\*.*$/, ''));
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter((p) => !existsSync(resolve(SRC, '..', p)))).toEqual([]);
  });

  it('flow one way: from a part only to a lower layer', () => {
    expect(edges.length).toBeGreaterThan(100);
    const against = edges.filter((e) => layerOf.get(e.to)! >= layerOf.get(e.from)!).map((e) => `${e.file} → ${e.to}`);
    expect([...new Set(against)].sort()).toEqual([]);
  });
});
