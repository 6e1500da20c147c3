import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { formatIssue, InventoryError } from '../../src/errors.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import type { Inventory } from '../../src/inventory/types.js';

/**
 * Inventories from YAML text, each written as inv.yaml to a folder of its own (no group_vars/ or
 * host_vars/ beside it) under a temporary root removed after the test file, and read with the real
 * loader. `issues` gives what loading refuses, each as the CLI prints it, paths relative to the file's folder.
 */
export function inventoryFiles(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let written = 0;
  const write = (text: string): string => {
    const dir = join(root, String(++written));
    mkdirSync(dir);
    const file = join(dir, 'inv.yaml');
    writeFileSync(file, text);
    return file;
  };
  const load = (text: string): Inventory => loadInventory([write(text)]);
  const issues = (text: string): string[] => {
    const file = write(text);
    try {
      loadInventory([file]);
    } catch (err) {
      if (!(err instanceof InventoryError)) throw err;
      return err.issues.map((i) => formatIssue(i).replaceAll(`${dirname(file)}/`, ''));
    }
    throw new Error('expected an InventoryError, got none');
  };
  return { write, load, issues };
}
