import { createHash } from 'node:crypto';
import type { ResolvedHost } from './types.js';

/** JSON with every object's keys sorted and bigints as text: the same value, the same text. */
function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What a run was asked to work on, as one hash: the hosts (after --limit, before --shard) by
 * name, with the network each should have and its probe targets. Shards of one run share it, so
 * `report merge` can refuse results of another inventory or limit. Connections (addresses, users,
 * passwords) are left out: they change nothing shards must agree on, and a secret goes into no hash
 * that a result file carries.
 */
export function inventoryFingerprint(hosts: readonly ResolvedHost[]): string {
  const hash = createHash('sha256');
  for (const h of [...hosts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    hash.update(canonicalJson({ name: h.name, network: h.network, probeTarget: h.probeTarget }));
    hash.update('\n');
  }
  return `sha256:${hash.digest('hex')}`;
}
