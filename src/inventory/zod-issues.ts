import type { z } from 'zod';
import type { InventoryIssue } from '../errors.js';
import { showText } from '../shown.js';
import type { InventorySource, YamlPath } from './source.js';

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest of `known` to `word`, if at most `most` edits away (the first of equals). */
export function closest(word: string, known: readonly string[], most: number): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(word, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= most ? best : undefined;
}

/** The closest of `known` to `word`, if it is close enough to be a typo. */
export function didYouMean(word: string, known: readonly string[]): string {
  const best = closest(word, known, Math.max(2, Math.floor(word.length / 3)));
  return best !== undefined ? ` (did you mean "${best}"?)` : '';
}

/**
 * zod issues → inventory issues with positions. `base` is where `value` sits in the file;
 * `knownKeys(path)` names the keys allowed at a path, for did-you-mean hints.
 */
export function toInventoryIssues(
  error: z.ZodError,
  src: InventorySource,
  base: YamlPath,
  knownKeys: (path: readonly PropertyKey[]) => readonly string[],
): InventoryIssue[] {
  const out: InventoryIssue[] = [];
  for (const issue of error.issues) {
    const path = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = didYouMean(key, knownKeys(issue.path));
        out.push({ loc: src.locate([...path, key]), message: `unknown key ${showText(key)}${hint}` });
      }
      continue;
    }
    out.push({ loc: src.locate(path), message: issue.message });
  }
  return out;
}
