import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The kernel's neighbour tables (ARP for IPv4, neighbour discovery for IPv6) are one for all
 * network namespaces each, their size the root namespace's `gc_thresh*` (1024 entries by
 * default): a lab of many VMs, each with its containers and their probes, fills them, and past
 * that the kernel refuses new entries ("neighbor table overflow": SSH to a VM times out, pings
 * between containers go unanswered). Room for this many entries a VM, beyond the default.
 */
export const NEIGHBOURS_PER_VM = 32;
export const NEIGHBOUR_TABLE = '/proc/sys/net/ipv4/neigh/default';
export const NEIGHBOUR_TABLE6 = '/proc/sys/net/ipv6/neigh/default';

/** A neighbour table: its sysctl prefix (for people) and the folder of its gc_thresh files. */
export interface NeighbourTable {
  sysctl: string;
  dir: string;
}

/** IPv4's, and IPv6's (a lab's VMs speak both); a machine without IPv6 has only the first (fitNeighbourTable passes over a missing one). */
export const NEIGHBOUR_TABLES: readonly NeighbourTable[] = [
  { sysctl: 'net.ipv4.neigh.default', dir: NEIGHBOUR_TABLE },
  { sysctl: 'net.ipv6.neigh.default', dir: NEIGHBOUR_TABLE6 },
];

/**
 * Raises each table's thresholds (never lowers them: another lab, or the machine's owner, may
 * want more) so that `vms` VMs fit: gc_thresh3 (the hard limit) to 1024 + vms × NEIGHBOURS_PER_VM,
 * gc_thresh2 to three quarters of it, gc_thresh1 to half. What it changed, for the user, or
 * nothing when the tables were big enough. A table the kernel does not have is passed over.
 */
export function fitNeighbourTable(vms: number, tables: readonly NeighbourTable[] = NEIGHBOUR_TABLES): string | undefined {
  const hard = 1024 + vms * NEIGHBOURS_PER_VM;
  const want = { gc_thresh1: Math.floor(hard / 2), gc_thresh2: Math.floor((hard * 3) / 4), gc_thresh3: hard };
  const said: string[] = [];
  for (const table of tables) {
    const changed: string[] = [];
    for (const [name, value] of Object.entries(want)) {
      const file = join(table.dir, name);
      let now: number;
      try {
        now = Number(readFileSync(file, 'utf8').trim());
      } catch {
        break; // no such table (a kernel without IPv6)
      }
      if (now >= value) continue;
      writeFileSync(file, `${value}\n`);
      changed.push(`${name} ${now} → ${value}`);
    }
    if (changed.length) said.push(`${table.sysctl}: ${changed.join(', ')}`);
  }
  return said.length ? `the kernel's neighbour tables made room for ${vms} VMs (${said.join('; ')})` : undefined;
}
