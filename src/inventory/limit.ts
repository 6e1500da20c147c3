import { UsageError } from '../errors.js';
import type { Inventory, ResolvedHost } from './types.js';

/** `--limit a,b` or `a:b`: host and group names; the union of what they name. */
export function applyLimit(inv: Inventory, limit: string | undefined): ResolvedHost[] {
  if (limit === undefined) return inv.hosts;
  const names = limit.split(/[,:]/).map((s) => s.trim()).filter(Boolean);
  const wanted = new Set<string>();
  for (const name of names) {
    const group = inv.groups.get(name);
    if (group) for (const h of group) wanted.add(h);
    else if (inv.hosts.some((h) => h.name === name)) wanted.add(name);
    else throw new UsageError(`--limit: "${name}" is neither a host nor a group of the inventory`);
  }
  return inv.hosts.filter((h) => wanted.has(h.name));
}
