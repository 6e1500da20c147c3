import { UsageError } from '../errors.js';

/** `--shard K/N`: the K-th of N slices of a run's hosts (K from 1, as AWX's job slices). */
export interface Shard {
  index: number;
  count: number;
}

/** Past this a slice count is a typo, not a fleet (AWX allows no more slices than hosts either). */
const MAX_SHARDS = 100_000;

/** `K/N` → a shard; a UsageError that says what to write (Kubernetes' index is 0-based). */
export function parseShard(text: string): Shard {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [Number.NaN, Number.NaN];
  if (!m || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    const hint = m && index === 0 ? " (shards count from 1: Kubernetes' 0-based JOB_COMPLETION_INDEX is shard $((JOB_COMPLETION_INDEX + 1)))" : '';
    throw new UsageError(`--shard must be K/N with 1 ≤ K ≤ N ≤ ${MAX_SHARDS}, e.g. 2/4, got ${JSON.stringify(text)}${hint}`);
  }
  return { index, count };
}

/**
 * Names in natural order (`vm2` before `vm10`), the same on every machine: digits compared as
 * numbers, everything else by code unit, never the locale's collation (shards may run on
 * controllers with other Node or ICU versions, and must agree on the order).
 */
export function compareForShards(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const [x, y] = [pa[i]!, pb[i]!];
    if (x === y) continue;
    if (i % 2 === 1) {
      // a run of digits: the longer number (leading zeros aside) is the larger
      const [u, v] = [x.replace(/^0+/, ''), y.replace(/^0+/, '')];
      if (u.length !== v.length) return u.length - v.length;
      if (u !== v) return u < v ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The hosts of one shard, as AWX slices a job: the hosts in name order, the shard K taking every
 * N-th from the K-th on. Slices are disjoint, cover every host and differ in size by one at most;
 * a host keeps its slice while the set of names does not change. The hosts come back in the
 * order they were given (the inventory's).
 */
export function hostsOfShard<H extends { name: string }>(hosts: readonly H[], shard: Shard): H[] {
  const mine = new Set(
    hosts
      .map((h) => h.name)
      .sort(compareForShards)
      .filter((_, i) => i % shard.count === shard.index - 1),
  );
  return hosts.filter((h) => mine.has(h.name));
}

/** How many of `total` hosts shard K of N holds. */
export function shardSize(total: number, shard: Shard): number {
  return Math.floor(total / shard.count) + (shard.index <= total % shard.count ? 1 : 0);
}
