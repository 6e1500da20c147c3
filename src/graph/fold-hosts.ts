import { compareHostNames } from '../result/host-order.js';
import type { GraphHost, GraphModel } from './model.js';

/**
 * A fleet drawn once per topology: hosts whose pictures are the same apart from what is
 * necessarily each host's own are folded into one host standing for all of them (`group`).
 *
 * Each host's own: its name, its management address and its element ids (`h3_br0` is `h0_br0` on
 * another host). Everything else counts: bridges, subnets, gateways, namespaces and their
 * addresses, veth names, NAT; in live mode every element's state and notes, the host's own notes
 * and its number of mismatches, so a host that drifted is drawn on its own (or with the hosts that
 * drifted in just the same way), and a host without facts apart from those with them. A fabric
 * member is never folded: its subnet, underlay address and edges to its peers are its own.
 *
 * The folded host is the group's first host in the model's order, at that place, with its ids;
 * groups of one are left as they were, so a model whose hosts all differ comes back unchanged.
 */
export function foldHosts(model: GraphModel): GraphModel {
  const byKey = new Map<string, GraphHost[]>();
  const order: GraphHost[][] = [];
  for (const h of model.hosts) {
    const key = topologyKey(h);
    const same = key === undefined ? undefined : byKey.get(key);
    if (same) same.push(h);
    else {
      const group = [h];
      order.push(group);
      if (key !== undefined) byKey.set(key, group);
    }
  }
  if (order.length === model.hosts.length) return model;
  return { ...model, hosts: order.map(fold) };
}

function fold(hosts: GraphHost[]): GraphHost {
  const first = hosts[0]!;
  if (hosts.length === 1) return first;
  const { address: _, ...rest } = first;
  return { ...rest, group: hosts.map((h) => h.name).sort(compareHostNames) };
}

/** The keys whose values are element ids, `h3_br0`: compared without the host's part. */
const ID_KEYS = new Set(['id', 'from', 'to']);

/** What a host's picture shows apart from what is its own; undefined: never folded (a fabric member). */
export function topologyKey(h: GraphHost): string | undefined {
  if (h.fabric) return undefined;
  const { id, name: _name, address: _address, group: _group, ...rest } = h;
  const prefix = `${id}_`;
  return JSON.stringify(rest, (key, value: unknown) => {
    if (ID_KEYS.has(key) && typeof value === 'string' && value.startsWith(prefix)) return value.slice(prefix.length);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      // the same keys in one order, however an element was filled in
      return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return value;
  });
}
