import { familyOf } from '../address/family.js';
import { gatherScript } from '../remote/gather.js';
import { parseFacts } from '../facts/parse-facts.js';
import type { HostFacts } from '../facts/types.js';
import type { ResolvedHost } from '../inventory/types.js';
import type { PlannedProbe } from '../verify/probe-plan.js';
import { probeScript } from '../remote/probe.js';
import { parseProbeOutput } from '../verify/probe-output.js';
import type { HostContext } from './host-context.js';

/** What a gather reads beyond the root namespace (and the namespaces the record lists, always): the namespaces and VXLAN devices the inventory names. */
export interface GatherScope {
  namespaces: string[];
  fdbDevices: string[];
  /** a read-back after our steps: nftables, which they never touch, as this earlier gather saw it */
  nftFrom?: HostFacts;
  /** the desired network has IPv6 subnets: ip6tables is read too (its NAT and FORWARD chains) */
  ipv6?: boolean;
}
export const scopeOf = (host: ResolvedHost): GatherScope => ({
  namespaces: host.network.namespaces.map((n) => n.name),
  fdbDevices: host.network.fabric?.vxlan ? [host.network.fabric.vxlan.device] : [],
  ipv6: host.network.bridges.some((b) => b.nets.some((net) => familyOf(net.subnet).name === 'ipv6')),
});
/** `down` needs only the root namespace, which namespaces exist, and those the record lists */
export const ROOT_ONLY: GatherScope = { namespaces: [], fdbDevices: [] };

/** One round trip: `prefix` (steps to apply, or nothing), the facts, and the probes if asked. */
export async function roundTrip(ctx: HostContext, prefix: string, probes: PlannedProbe[], scope = scopeOf(ctx.host)) {
  const res = await ctx.transport.run(
    prefix + gatherScript(scope.namespaces, scope.fdbDevices, { nft: !scope.nftFrom, ipv6: scope.ipv6 === true }) + probeScript(probes),
    {
      timeoutMs: ctx.execTimeoutMs,
      signal: ctx.signal,
    },
  );
  const read = parseFacts(res.stdout + (res.code === 0 ? '' : `\n${res.stderr}`), ctx.host.name);
  // other firewalls' chains (and firewalld's zones) as read before our own steps, which touch neither
  const from = scope.nftFrom;
  const facts = from?.nftChains ? { ...read, nftChains: from.nftChains, ...(from.firewalld ? { firewalld: from.firewalld } : {}) } : read;
  return { stdout: res.stdout, facts, probes: parseProbeOutput(res.stdout, probes.length) };
}

export type Round = Awaited<ReturnType<typeof roundTrip>>;
