import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fitNeighbourTable, NEIGHBOUR_TABLE, NEIGHBOUR_TABLE6, NEIGHBOUR_TABLES } from '../../src/lab/neighbour-table.js';

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
  const v4 = (dir: string) => ({ sysctl: 'net.ipv4.neigh.default', dir });
  const v6 = (dir: string) => ({ sysctl: 'net.ipv6.neigh.default', dir });

  it("raises the kernel's defaults (128, 512, 1024) to fit the VMs, IPv4's and IPv6's, and says what it changed", () => {
    const [a, b] = [table([128, 512, 1024]), table([128, 512, 1024])];
    expect(fitNeighbourTable(150, [v4(a), v6(b)])).toBe(
      "the kernel's neighbour tables made room for 150 VMs (net.ipv4.neigh.default: gc_thresh1 128 → 2912, gc_thresh2 512 → 4368, gc_thresh3 1024 → 5824; " +
        'net.ipv6.neigh.default: gc_thresh1 128 → 2912, gc_thresh2 512 → 4368, gc_thresh3 1024 → 5824)',
    );
    expect([read(a), read(b)]).toEqual([
      [2912, 4368, 5824],
      [2912, 4368, 5824],
    ]);
    // a second lab as big: nothing to do
    expect(fitNeighbourTable(150, [v4(a), v6(b)])).toBeUndefined();
  });

  it('never lowers what is there (another lab, or the machine owner, may want more)', () => {
    const dir = table([100_000, 200, 300_000]);
    expect(fitNeighbourTable(10, [v4(dir)])).toBe("the kernel's neighbour tables made room for 10 VMs (net.ipv4.neigh.default: gc_thresh2 200 → 1008)");
    expect(read(dir)).toEqual([100_000, 1008, 300_000]);
  });

  it('passes over a table the kernel does not have (IPv6 on a kernel without it)', () => {
    const dir = table([128, 512, 1024]);
    expect(fitNeighbourTable(1, [v4(dir), v6(join(dir, 'missing'))])).toBe(
      "the kernel's neighbour tables made room for 1 VMs (net.ipv4.neigh.default: gc_thresh1 128 → 528, gc_thresh2 512 → 792, gc_thresh3 1024 → 1056)",
    );
  });

  it("names the root namespace's tables, the ones the kernel sizes for every namespace", () => {
    expect(NEIGHBOUR_TABLES.map((t) => t.dir)).toEqual([NEIGHBOUR_TABLE, NEIGHBOUR_TABLE6]);
    expect(NEIGHBOUR_TABLE).toBe('/proc/sys/net/ipv4/neigh/default');
    expect(NEIGHBOUR_TABLE6).toBe('/proc/sys/net/ipv6/neigh/default');
    for (const t of NEIGHBOUR_TABLES) expect(Number(readFileSync(join(t.dir, 'gc_thresh3'), 'utf8'))).toBeGreaterThan(0);
  });
});
