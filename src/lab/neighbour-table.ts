import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The kernel's neighbour (ARP) table is one for all network namespaces, its size the root
 * namespace's `gc_thresh*` (1024 entries by default): a lab of many VMs, each with its containers
 * and their probes, fills it, and past it the kernel refuses new entries ("neighbor table
 * overflow": SSH to a VM times out, pings between containers go unanswered). Room for this many
 * entries a VM, beyond the default.
 */
export const NEIGHBOURS_PER_VM = 32;
export const NEIGHBOUR_TABLE = '/proc/sys/net/ipv4/neigh/default';

/**
 * Raises the table's thresholds (never lowers them: another lab, or the machine's owner, may want
 * more) so that `vms` VMs fit: gc_thresh3 (the hard limit) to 1024 + vms × NEIGHBOURS_PER_VM,
 * gc_thresh2 to three quarters of it, gc_thresh1 to half. What it changed, for the user, or
 * nothing when the table was big enough.
 */
export function fitNeighbourTable(vms: number, dir = NEIGHBOUR_TABLE): string | undefined {
  const hard = 1024 + vms * NEIGHBOURS_PER_VM;
  const want = { gc_thresh1: Math.floor(hard / 2), gc_thresh2: Math.floor((hard * 3) / 4), gc_thresh3: hard };
  const changed: string[] = [];
  for (const [name, value] of Object.entries(want)) {
    const file = join(dir, name);
    const now = Number(readFileSync(file, 'utf8').trim());
    if (now >= value) continue;
    writeFileSync(file, `${value}\n`);
    changed.push(`${name} ${now} → ${value}`);
  }
  return changed.length ? `the kernel's neighbour table made room for ${vms} VMs (net.ipv4.neigh.default: ${changed.join(', ')})` : undefined;
}
