import { expect, it } from 'vitest';
import { InventoryError, type InventoryIssue } from '../../src/errors.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { Inventory, ResolvedHost } from '../../src/inventory/types.js';

/** One text is `inv.yaml`; several are `inv1.yaml`, `inv2.yaml`, … merged in order. */
function sources(texts: string[]) {
  return texts.map((t, i) => parseSource(texts.length === 1 ? 'inv.yaml' : `inv${i + 1}.yaml`, t));
}

export function resolve(...texts: string[]): Inventory {
  return resolveInventory(sources(texts));
}

export function host(inv: Inventory, name: string): ResolvedHost {
  const h = inv.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name} in ${inv.hosts.map((x) => x.name).join(', ')}`);
  return h;
}

/** Runs `fn`, which must throw an InventoryError; returns its issues. */
export function issuesOf(fn: () => unknown): InventoryIssue[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InventoryError);
    return (err as InventoryError).issues;
  }
  throw new Error('expected an InventoryError, got none');
}

/** The issues of parsing and resolving these texts. */
export function issues(...texts: string[]): InventoryIssue[] {
  return issuesOf(() => resolveInventory(sources(texts)));
}

/** Exactly one issue. */
export function oneIssue(...texts: string[]): InventoryIssue {
  const all = issues(...texts);
  expect(all.map((i) => `${i.loc.file}:${i.loc.line}:${i.loc.col} ${i.loc.path}: ${i.message}`)).toHaveLength(1);
  return all[0]!;
}

/** Asserts position, path and a key part of the message. */
export function expectIssue(issue: InventoryIssue | undefined, line: number, col: number, path: string, message: string | RegExp, file = 'inv.yaml'): void {
  expect(issue, 'issue').toBeDefined();
  expect({ file: issue!.loc.file, line: issue!.loc.line, col: issue!.loc.col, path: issue!.loc.path }).toEqual({ file, line, col, path });
  if (typeof message === 'string') expect(issue!.message).toContain(message);
  else expect(issue!.message).toMatch(message);
}

/** An inventory text that must give exactly one issue, at `line`:`col` `path`, its message holding (or matching) `message`. */
export interface OneIssueCase {
  name: string;
  yaml: string;
  line: number;
  col: number;
  path: string;
  message: string | RegExp;
}

/** One test per case, named by its `name` as it is (it.each would quote and cut it): `expectIssue(oneIssue(yaml), line, col, path, message)`. */
export function itReportsOneIssue(cases: readonly OneIssueCase[]): void {
  for (const c of cases) {
    it(c.name, () => {
      expectIssue(oneIssue(c.yaml), c.line, c.col, c.path, c.message);
    });
  }
}
