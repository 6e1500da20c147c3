import { type AddressFamily, type Cidr, FAMILIES, familyOf, familyOfText, formatCidr } from '../address/family.js';
import { forwardingOn } from '../plan/assess-forwarding.js';
import type { HostFacts } from '../facts/types.js';
import { findLink } from '../facts/types.js';
import { firewalldForward, type FirewalldVerdict, trustedZoneFix, zoneWords } from '../firewall/firewalld.js';
import { acceptFix, acceptNetFix, forwardVerdict, type ForwardVerdict, type ForwardNet } from '../firewall/forward-path.js';
import { nftAcceptFix, nftForwardDrops } from '../firewall/nft-chains.js';
import { overlappingRoutes } from '../plan/overlaps.js';
import { fabricSupernets } from '../inventory/resolve-fabric.js';
import type { BridgeSpec, DesiredNetwork, FabricSpec } from '../inventory/types.js';
import { TAG } from '../ownership/record.js';
import type { HostWarning } from '../result/result.js';
import { quoteArgv } from '../shell/quote.js';

/**
 * How the forward chain treats the fabric's traffic between hosts, when it passes the chain at
 * all (routed: always; vxlan, bridged: only under br_netfilter): accepted, and what drops it.
 */
export function fabricForward(f: FabricSpec, facts: HostFacts, supernet: Cidr = f.supernet): ForwardVerdict | undefined {
  if (f.mode !== 'routed' && !facts.brNetfilter) return undefined;
  return forwardVerdict(facts, { name: f.bridge, subnet: supernet });
}

/** br_netfilter passes the family's bridged traffic through its iptables FORWARD chain. */
export const bridgedThroughFirewall = (facts: HostFacts, family: AddressFamily): boolean =>
  (family.name === 'ipv4' ? facts.brNetfilter : facts.brNetfilter6) === true;

/** The interface the host's default route leaves by: where a NAT'ed bridge's traffic goes out. */
export const uplinkOf = (facts: HostFacts): string | undefined => facts.root.routes.find((r) => r.table === 'main' && r.dst === 'default')?.dev;

/**
 * firewalld rejects new traffic of a bridge: `out`, from it to the outside (by the default
 * route's interface); `bridged`, between its containers (which passes the forward hook only under
 * br_netfilter). Undefined where firewalld is not running, accepts it, or rules not judged decide.
 */
export function firewalldRejects(facts: HostFacts, net: ForwardNet, way: 'out' | 'bridged'): FirewalldVerdict | undefined {
  if (!facts.firewalld || (way === 'bridged' && !facts.brNetfilter)) return undefined;
  const to = way === 'out' ? { out: uplinkOf(facts) } : { out: net.name, dst: net.subnet };
  const v = firewalldForward(facts.firewalld, net, to);
  return v?.passes === false ? v : undefined;
}

/** What firewalld rejects of a bridge's traffic, and why, as one warning. */
function firewalldWarning(facts: HostFacts, b: ForwardNet & { nat: boolean }): HostWarning | undefined {
  const out = b.nat ? firewalldRejects(facts, b, 'out') : undefined;
  const bridged = firewalldRejects(facts, b, 'bridged');
  const v = out ?? bridged;
  if (!v) return undefined;
  const uplink = uplinkOf(facts);
  const what = [
    ...(out ? [`from ${b.name} to the outside${uplink ? ` (by ${uplink})` : ''}`] : []),
    ...(bridged ? [`between containers on ${b.name} (br_netfilter is on)`] : []),
  ];
  return {
    message: `firewalld rejects traffic ${what.join(' and ')}: ${zoneWords(b.name, v)}, and zone ${v.zone} neither accepts all traffic nor forwards it there`,
    fix: trustedZoneFix(b.name, v),
  };
}

/** A bridge's net as the forward path judges it: each family's subnet of each bridge, IPv4's first. */
export type BridgeForwardNet = ForwardNet & { nat: boolean; family: AddressFamily };

export function forwardNets(bridges: readonly BridgeSpec[]): BridgeForwardNet[] {
  return bridges.flatMap((b) => b.nets.map((net) => ({ name: b.name, subnet: net.subnet, nat: net.nat, family: familyOf(net.subnet) })));
}

/** ` (IPv6)` after a chain's name when the net is IPv6's (ip6tables' FORWARD is another chain than iptables'). */
const ofFamily = (n: { family: AddressFamily }) => (n.family.name === 'ipv6' ? ' (IPv6)' : '');

/**
 * What on this host breaks, or will break, the desired network although the `ip` state may look
 * right — each with the command that fixes it.
 */
export function hostWarnings(desired: DesiredNetwork, facts: HostFacts): HostWarning[] {
  const out: HostWarning[] = [];
  const nets = forwardNets(desired.bridges);
  const natted = nets.filter((n) => n.nat);
  const ownNat = new Set(facts.record.flatMap((o) => (o.kind === 'nat' ? [`${o.bridge} ${familyOfText(o.subnet).name}`] : [])));

  for (const b of desired.bridges) {
    const link = findLink(facts.root, b.name);
    if (link && (link.kind !== 'bridge' || link.alias !== TAG) && !facts.record.some((o) => o.kind === 'link' && o.name === b.name)) {
      out.push({
        message: `${b.name} exists and was not created by cnet-remote (${link.kind ?? 'device'}): up will not touch it`,
        fix: `choose another bridge name in the inventory, or remove it: ${quoteArgv(['ip', 'link', 'del', 'dev', b.name])}`,
      });
    }
    for (const { subnet, route } of overlappingRoutes(b, facts)) {
      out.push({
        message: `subnet ${formatCidr(subnet)} of ${b.name} overlaps the host's route ${route}: traffic to one of them goes the wrong way`,
        fix: `choose a subnet for ${b.name} that overlaps nothing on the host`,
      });
    }
  }
  for (const n of nets) {
    for (const drop of forwardVerdict(facts, n).drops) {
      out.push({ message: `the FORWARD chain${ofFamily(n)} drops traffic of ${n.name}: ${drop.text}`, fix: drop.fix });
    }
  }
  for (const family of FAMILIES) {
    const blocked = natted.filter((n) => n.family === family && !forwardVerdict(facts, n).accepted);
    if (blocked.length > 0) {
      out.push({
        message: `the FORWARD policy${ofFamily(blocked[0]!)} is ${forwardVerdict(facts, blocked[0]!).policy} (Docker sets it): traffic from ${blocked.map((b) => b.name).join(', ')} to the outside is dropped`,
        fix: blocked.map((b) => acceptFix(b)).join(' && '),
      });
    }
  }
  const f = desired.fabric;
  for (const supernet of f ? fabricSupernets(f) : []) {
    const verdict = fabricForward(f!, facts, supernet);
    if (verdict && !verdict.accepted) {
      out.push({
        message: `the FORWARD policy${familyOf(supernet).name === 'ipv6' ? ' (IPv6)' : ''} is ${verdict.policy}: the fabric's traffic between hosts (${formatCidr(supernet)}) is dropped`,
        fix: acceptNetFix(supernet),
      });
    }
  }
  for (const family of FAMILIES) {
    const leaving = natted.filter((n) => n.family === family);
    for (const c of leaving.length ? nftForwardDrops(facts, family.name) : []) {
      out.push({
        message: `the nftables chain ${c.family} ${c.table} ${c.name} (hook forward) has policy drop: traffic from ${leaving.map((b) => b.name).join(', ')}${ofFamily(leaving[0]!)} to the outside is dropped unless one of its rules accepts it`,
        fix: leaving.map((b) => nftAcceptFix(c, b.name)).join(' && '),
      });
    }
  }
  for (const family of FAMILIES) {
    const bridged = nets.filter((n) => {
      if (n.family !== family) return false;
      const v = forwardVerdict(facts, n);
      return !v.accepted || v.drops.length > 0;
    });
    if (bridgedThroughFirewall(facts, family) && bridged.length > 0) {
      const [tool, key] = family.name === 'ipv6' ? ['ip6tables', 'bridge-nf-call-ip6tables'] : ['iptables', 'bridge-nf-call-iptables'];
      out.push({
        message: `br_netfilter is on (${key}=1): traffic between containers on ${[...new Set(bridged.map((b) => b.name))].join(', ')} passes the ${tool} FORWARD chain, which drops it`,
        fix: quoteArgv(['sysctl', '-w', `net.bridge.${key}=0`]),
      });
    }
  }
  for (const n of nets) {
    const w = firewalldWarning(facts, n);
    if (w && !out.some((x) => x.message === w.message)) out.push(w);
  }
  const legacy = legacyTablesWarning(
    facts,
    natted.filter((n) => n.family.name === 'ipv4'),
  );
  if (legacy) out.push(legacy);
  for (const family of FAMILIES) {
    const reset = natted.find((n) => n.family === family && ownNat.has(`${n.name} ${family.name}`));
    if (reset && forwardingOn(facts, family) === false) {
      const { sysctl } = family.forwarding;
      out.push({
        message: `${family.name === 'ipv4' ? 'ip_forward' : 'net.ipv6.conf.all.forwarding'} is 0 although up had set it: something reset it (sysctl.d, systemd-networkd, another tool); NAT does not work`,
        fix: `${quoteArgv(['sysctl', '-w', `${sysctl}=1`])} (and make it stick: echo ${sysctl}=1 > /etc/sysctl.d/99-cnet-remote.conf)`,
      });
    }
  }
  return out;
}

/**
 * iptables-nft answers, but iptables-legacy holds tables too (Docker or kube-proxy on legacy, a
 * host switched between the two): legacy's FORWARD chain judges the bridges' traffic as well, and
 * nothing iptables-nft (or nft) prints shows it. Named, with where to look, not guessed at.
 */
export function legacyTablesWarning(facts: HostFacts, natted: readonly { name: string }[]): HostWarning | undefined {
  if (!facts.nat.legacyTables || natted.length === 0) return undefined;
  return {
    message: `iptables-legacy tables exist besides iptables-nft's (Docker or kube-proxy on iptables-legacy?): their FORWARD chain also judges the traffic of ${natted.map((b) => b.name).join(', ')}, and iptables-nft cannot show it`,
    fix: `look: iptables-legacy -S FORWARD; if it drops, accept the bridges there (${natted.map((b) => quoteArgv(['iptables-legacy', '-I', 'FORWARD', '-i', b.name, '-j', 'ACCEPT'])).join(' && ')}), or keep the host's firewall in one framework`,
  };
}
