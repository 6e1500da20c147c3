import type { HostFacts } from '../facts/types.js';
import { findLink } from '../facts/types.js';
import { type Cidr, familyOf, familyOfText, formatCidr } from '../address/family.js';
import { forwardingOn, firewallFor } from '../plan/assess-forwarding.js';
import type { DesiredNetwork, FabricSpec } from '../inventory/types.js';
import { acceptFix, acceptNetFix, forwardVerdict } from '../firewall/forward-path.js';
import { natRuleOf } from '../firewall/nat-rule.js';
import { nftAcceptFix, nftForwardDrops } from '../firewall/nft-chains.js';
import { routeMatches, routesTo, ZERO_MAC } from '../plan/assess-fabric.js';
import { quoteArgv } from '../shell/quote.js';
import type { PlannedProbe } from './probe-plan.js';
import type { ProbeOutcome } from './probe-output.js';
import { trustedZoneFix, zoneWords } from '../firewall/firewalld.js';
import { bridgedThroughFirewall, fabricForward, firewalldRejects } from './warnings.js';

/** The family's forwarding is off: the command that turns it on. */
const forwardingOff = (c: Cidr): string => {
  const { sysctl } = familyOf(c).forwarding;
  return `forwarding is off on the host (${sysctl}=0): ${quoteArgv(['sysctl', '-w', `${sysctl}=1`])}`;
};

const hasAddress = (link: { addresses: { local: string }[] } | undefined, a: string) => link?.addresses.some((x) => x.local === a) ?? false;

/**
 * The likely cause of a failed probe, hop by hop from what the facts show: the source side, the
 * bridge, the target side, ARP, then forwarding, the FORWARD chain and NAT for the upstream.
 */
export function diagnose(p: PlannedProbe, outcome: ProbeOutcome, desired: DesiredNetwork, facts: HostFacts): string {
  const src = p.netns ? desired.namespaces.find((n) => n.name === p.netns) : undefined;
  const bridgeName = src?.bridge ?? desired.namespaces.find((n) => n.name === p.to)?.bridge ?? '';
  const bridge = desired.bridges.find((b) => b.name === bridgeName);
  // the probe's family: its bridge net, and each namespace's address in it
  const family = familyOfText(p.target);
  const i = bridge ? bridge.nets.findIndex((net) => familyOf(net.subnet) === family) : -1;
  const net = bridge?.nets[i];
  if (!bridge || !net) return 'the probe names nothing the inventory defines';
  const br = findLink(facts.root, bridge.name);
  const fwd = { name: bridge.name, subnet: net.subnet };

  if (src) {
    if (!facts.netns.has(src.name)) return `namespace ${src.name} is missing (cnet-remote up recreates it)`;
    const inner = facts.namespaces.get(src.name);
    const nsIf = findLink(inner, src.nsIf);
    if (!nsIf) return `${src.nsIf} is missing in ${src.name} (cnet-remote up recreates it)`;
    if (!nsIf.up) return `${src.nsIf} in ${src.name} is down: ${quoteArgv(['ip', '-n', src.name, 'link', 'set', 'dev', src.nsIf, 'up'])}`;
    if (!hasAddress(nsIf, src.addresses[i]!)) return `${src.name} has lost its address ${src.addresses[i]} (cnet-remote up restores it)`;
    const hostIf = findLink(facts.root, src.hostIf);
    if (!hostIf?.up || hostIf.master !== bridge.name)
      return `${src.hostIf} is ${hostIf ? `down or not a port of ${bridge.name}` : 'missing'} (cnet-remote up repairs it)`;
    if (p.kind === 'upstream' || p.kind === 'fabric') {
      const def = inner?.routes.some((r) => r.family === family.ipName && r.dst === 'default' && r.table === 'main' && r.gateway === net.address);
      if (!def)
        return `no route: ${src.name} has no default route via ${net.address}: ${quoteArgv(['ip', '-n', src.name, 'route', 'replace', 'default', 'via', net.address, 'dev', src.nsIf])}`;
    }
  }
  if (!br) return `bridge ${bridge.name} is missing (cnet-remote up recreates it)`;
  if (!br.up) return `bridge ${bridge.name} is down: ${quoteArgv(['ip', 'link', 'set', 'dev', bridge.name, 'up'])}`;

  if (p.kind === 'peer' || p.kind === 'host') {
    const dst = desired.namespaces.find((n) => n.name === p.to)!;
    if (p.kind === 'host' && !hasAddress(br, net.address))
      return `no route: the host has no address on ${bridge.name} (cnet-remote up restores ${net.address})`;
    const dstIf = findLink(facts.namespaces.get(dst.name), dst.nsIf);
    if (!facts.netns.has(dst.name) || !dstIf?.up || !hasAddress(dstIf, dst.addresses[i]!)) {
      return `no ARP reply from ${p.target}: ${dst.name} ${!facts.netns.has(dst.name) ? 'is missing' : `has ${dst.nsIf} down or without its address`}`;
    }
    const dstHostIf = findLink(facts.root, dst.hostIf);
    if (!dstHostIf?.up || dstHostIf.master !== bridge.name) return `no ARP reply from ${p.target}: ${dst.hostIf} is not an up port of ${bridge.name}`;
  }
  if (p.kind === 'gateway' && !hasAddress(br, net.address)) return `no ARP reply from ${p.target}: ${bridge.name} has lost its address`;
  if (p.kind === 'fabric' && desired.fabric) return diagnoseFabric(p, desired.fabric, facts);

  const hop = p.kind === 'upstream' ? net.address : p.target;
  const verdict = forwardVerdict(facts, fwd);
  const v6 = family.name === 'ipv6';
  // br_netfilter: bridged traffic (IPv6's neighbour solicitations too) through the family's FORWARD chain
  const [tool, key] = v6 ? ['ip6tables', 'net.bridge.bridge-nf-call-ip6tables'] : ['iptables', 'net.bridge.bridge-nf-call-iptables'];
  const bridgedDrop =
    p.kind === 'peer' && bridgedThroughFirewall(facts, family) && (!verdict.accepted || verdict.drops.length)
      ? `dropped in FORWARD: br_netfilter sends bridged traffic through ${tool} and its FORWARD drops it: ${quoteArgv(['sysctl', '-w', `${key}=0`])}`
      : undefined;
  // IPv6's neighbour discovery is ICMPv6, which that chain drops too (ARP never passes iptables): then the chain is the cause
  if (v6 && bridgedDrop) return bridgedDrop;
  const neigh = outcome.neighbours.get(hop);
  if (neigh && /FAILED|INCOMPLETE/.test(neigh)) return `no ${v6 ? 'neighbour advertisement' : 'ARP reply'} from ${hop} (neighbour ${neigh})`;
  if (bridgedDrop) return bridgedDrop;

  const bridged = p.kind === 'peer' ? firewalldRejects(facts, fwd, 'bridged') : undefined;
  if (bridged)
    return `rejected by firewalld: br_netfilter sends bridged traffic through its forward chain, and ${zoneWords(bridge.name, bridged)}: ${trustedZoneFix(bridge.name, bridged)}`;
  if (p.kind === 'upstream') {
    if (!forwardingOn(facts, family)) return forwardingOff(net.subnet);
    const drop = verdict.drops[0];
    if (drop) return `dropped in FORWARD by: ${drop.text}: ${drop.fix}`;
    if (!verdict.accepted) return `dropped in ${family.name === 'ipv6' ? 'ip6tables ' : ''}FORWARD (policy ${verdict.policy}): ${acceptFix(fwd)}`;
    const nftDrop = nftForwardDrops(facts, family.name)[0];
    if (nftDrop)
      return `dropped in FORWARD by nftables (chain ${nftDrop.family} ${nftDrop.table} ${nftDrop.name}, policy drop): ${nftAcceptFix(nftDrop, bridge.name)}`;
    const rejected = firewalldRejects(facts, fwd, 'out');
    if (rejected)
      return `rejected by firewalld: ${zoneWords(bridge.name, rejected)}, which lets none of its traffic out: ${trustedZoneFix(bridge.name, rejected)}`;
    const firewall = firewallFor(desired, facts).backend;
    if (net.nat && !firewall.has(facts, firewall.rule(natRuleOf(bridge, net))))
      return `no NAT: the MASQUERADE rule for ${formatCidr(net.subnet)} is missing (cnet-remote up restores it)`;
    if (!facts.root.routes.some((r) => r.family === family.ipName && r.table === 'main' && r.dst === 'default'))
      return `no route: the host has no default route to ${p.target}`;
  }
  if (p.kind === 'upstream' && family.name === 'ipv4' && facts.nat.legacyTables)
    return `no reply: iptables-legacy tables exist besides iptables-nft's, and their FORWARD chain may drop it (cnet-remote cannot read it): iptables-legacy -S FORWARD`;
  return 'no reply, and nothing in the facts explains it (a firewall on the target or beyond?)';
}

/** A cross-host probe that failed: this host's side of the fabric first, then the peer's. */
function diagnoseFabric(p: PlannedProbe, f: FabricSpec, facts: HostFacts): string {
  const peer = f.peers.find((x) => p.to.startsWith(`${x.host}/`));
  if (!peer) return 'the probe names nothing the inventory defines';
  // the probe's family: the fabric's IPv6 part for an IPv6 target
  const v6 = familyOfText(p.target).name === 'ipv6';
  const supernet = v6 && f.supernet6 ? f.supernet6 : f.supernet;
  const subnet = formatCidr(v6 && peer.subnet6 ? peer.subnet6 : peer.subnet);
  const via = v6 ? (peer.underlay6 ?? peer.underlay) : peer.underlay;
  if (!forwardingOn(facts, familyOf(supernet))) return forwardingOff(supernet);
  if (f.mode === 'routed') {
    if (!routesTo(facts, subnet).some((r) => routeMatches(r, { via }))) return `no route to ${subnet} via ${via} (cnet-remote up restores it)`;
  } else if (f.vxlan) {
    const vx = findLink(facts.root, f.vxlan.device);
    if (!vx) return `VXLAN device ${f.vxlan.device} is missing (cnet-remote up recreates it)`;
    if (!vx.up || vx.master !== f.bridge)
      return `VXLAN device ${f.vxlan.device} is ${vx.up ? `not a port of ${f.bridge}` : 'down'} (cnet-remote up repairs it)`;
    if (!(facts.fdb?.get(f.vxlan.device) ?? []).some((e) => e.mac === ZERO_MAC && e.dst === peer.underlay))
      return `${f.vxlan.device} does not send to ${peer.host} (${peer.underlay}): its forwarding entry is missing (cnet-remote up restores it)`;
    if (!routesTo(facts, formatCidr(supernet)).some((r) => routeMatches(r, { dev: f.bridge })))
      return `no route to the fabric ${formatCidr(supernet)} on ${f.bridge} (cnet-remote up restores it)`;
  }
  const fwd = fabricForward(f, facts, supernet);
  if (fwd && (!fwd.accepted || fwd.drops.length)) {
    const drop = fwd.drops[0];
    return `dropped in FORWARD ${drop ? `by: ${drop.text}` : `(policy ${fwd.policy})`}: accept the fabric both ways on every member: ${acceptNetFix(supernet)}`;
  }
  return `no reply from ${p.to} (${p.target}); this host's side is in place: check ${peer.host} (cnet-remote verify --probe --limit ${peer.host}) and the underlay between the hosts${f.mode === 'vxlan' ? ` (UDP ${f.vxlan?.port ?? 4789})` : ''}`;
}
