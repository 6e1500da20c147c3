import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fitNeighbourTable, NEIGHBOUR_TABLE } from '../../src/lab/neighbour-table.js';

/** a copy of the table's three files, with these values */
function table(values: [number, number, number]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cnet-neigh-'));
  for (const [i, v] of values.entries()) writeFileSync(join(dir, `gc_thresh${i + 1}`), `${v}\n`);
  dirs.push(dir);
  return dir;
}
const read = (dir: string) => [1, 2, 3].map((i) => Number(readFileSync(join(dir, `gc_thresh${i}`), 'utf8')));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('fitNeighbourTable', () => {
  it("raises the kernel's defaults (128, 512, 1024) to fit the VMs, and says what it changed", () => {
    const dir = table([128, 512, 1024]);
    expect(fitNeighbourTable(150, dir)).toBe(
      "the kernel's neighbour table made room for 150 VMs (net.ipv4.neigh.default: gc_thresh1 128 → 2912, gc_thresh2 512 → 4368, gc_thresh3 1024 → 5824)",
    );
    expect(read(dir)).toEqual([2912, 4368, 5824]);
    // a second lab as big: nothing to do
    expect(fitNeighbourTable(150, dir)).toBeUndefined();
  });

  it('never lowers what is there (another lab, or the machine owner, may want more)', () => {
    const dir = table([100_000, 200, 300_000]);
    expect(fitNeighbourTable(10, dir)).toBe("the kernel's neighbour table made room for 10 VMs (net.ipv4.neigh.default: gc_thresh2 200 → 1008)");
    expect(read(dir)).toEqual([100_000, 1008, 300_000]);
  });

  it("names the root namespace's table, the one the kernel sizes for every namespace", () => {
    expect(NEIGHBOUR_TABLE).toBe('/proc/sys/net/ipv4/neigh/default');
    expect(Number(readFileSync(join(NEIGHBOUR_TABLE, 'gc_thresh3'), 'utf8'))).toBeGreaterThan(0);
  });
});
