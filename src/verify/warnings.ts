import { familyOf, formatCidr } from '../address/family.js';
import type { HostFacts } from '../facts/types.js';
import { findLink } from '../facts/types.js';
import { firewalldForward, type FirewalldVerdict, trustedZoneFix, zoneWords } from '../firewall/firewalld.js';
import { acceptFix, acceptNetFix, forwardVerdict, type ForwardVerdict, type ForwardNet } from '../firewall/forward-path.js';
import { nftAcceptFix, nftForwardDrops } from '../firewall/nft-chains.js';
import { overlappingRoutes } from '../plan/overlaps.js';
import type { DesiredNetwork, FabricSpec } from '../inventory/types.js';
import { TAG } from '../ownership/record.js';
import type { HostWarning } from '../result/result.js';
import { quoteArgv } from '../shell/quote.js';

/**
 * How the forward chain treats the fabric's traffic between hosts, when it passes the chain at
 * all (routed: always; vxlan, bridged: only under br_netfilter): accepted, and what drops it.
 */
export function fabricForward(f: FabricSpec, facts: HostFacts): ForwardVerdict | undefined {
  if (f.mode !== 'routed' && !facts.brNetfilter) return undefined;
  return forwardVerdict(facts, { name: f.bridge, subnet: f.supernet });
}

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

/**
 * What on this host breaks, or will break, the desired network although the `ip` state may look
 * right — each with the command that fixes it.
 */
export function hostWarnings(desired: DesiredNetwork, facts: HostFacts): HostWarning[] {
  const out: HostWarning[] = [];
  const natted = desired.bridges.filter((b) => b.nat);
  const ownNat = new Set(facts.record.flatMap((o) => (o.kind === 'nat' ? [o.bridge] : [])));

  for (const b of desired.bridges) {
    const link = findLink(facts.root, b.name);
    if (link && (link.kind !== 'bridge' || link.alias !== TAG) && !facts.record.some((o) => o.kind === 'link' && o.name === b.name)) {
      out.push({
        message: `${b.name} exists and was not created by cnet-remote (${link.kind ?? 'device'}): up will not touch it`,
        fix: `choose another bridge name in the inventory, or remove it: ${quoteArgv(['ip', 'link', 'del', 'dev', b.name])}`,
      });
    }
    for (const r of overlappingRoutes(b, facts)) {
      out.push({
        message: `subnet ${formatCidr(b.subnet)} of ${b.name} overlaps the host's route ${r}: traffic to one of them goes the wrong way`,
        fix: `choose a subnet for ${b.name} that overlaps nothing on the host`,
      });
    }
    for (const drop of forwardVerdict(facts, b).drops) {
      out.push({ message: `the FORWARD chain drops traffic of ${b.name}: ${drop.text}`, fix: drop.fix });
    }
  }
  const blocked = natted.filter((b) => !forwardVerdict(facts, b).accepted);
  if (blocked.length > 0) {
    out.push({
      message: `the FORWARD policy is ${forwardVerdict(facts, blocked[0]!).policy} (Docker sets it): traffic from ${blocked.map((b) => b.name).join(', ')} to the outside is dropped`,
      fix: blocked.map((b) => acceptFix(b)).join(' && '),
    });
  }
  const f = desired.fabric;
  const fabricVerdict = f && fabricForward(f, facts);
  if (f && fabricVerdict && !fabricVerdict.accepted) {
    out.push({
      message: `the FORWARD policy is ${fabricVerdict.policy}: the fabric's traffic between hosts (${formatCidr(f.supernet)}) is dropped`,
      fix: acceptNetFix(f.supernet),
    });
  }
  for (const c of nftForwardDrops(facts)) {
    if (natted.length === 0) break;
    out.push({
      message: `the nftables chain ${c.family} ${c.table} ${c.name} (hook forward) has policy drop: traffic from ${natted.map((b) => b.name).join(', ')} to the outside is dropped unless one of its rules accepts it`,
      fix: natted.map((b) => nftAcceptFix(c, b.name)).join(' && '),
    });
  }
  const bridged = desired.bridges.filter((b) => {
    const v = forwardVerdict(facts, b);
    return !v.accepted || v.drops.length > 0;
  });
  if (facts.brNetfilter && bridged.length > 0) {
    out.push({
      message: `br_netfilter is on (bridge-nf-call-iptables=1): traffic between containers on ${bridged.map((b) => b.name).join(', ')} passes the iptables FORWARD chain, which drops it`,
      fix: quoteArgv(['sysctl', '-w', 'net.bridge.bridge-nf-call-iptables=0']),
    });
  }
  for (const b of desired.bridges) {
    const w = firewalldWarning(facts, b);
    if (w) out.push(w);
  }
  const legacy = legacyTablesWarning(facts, natted);
  if (legacy) out.push(legacy);
  const reset = natted.find((b) => ownNat.has(b.name));
  if (!facts.ipForward && reset) {
    const { sysctl } = familyOf(reset.subnet).forwarding;
    out.push({
      message: 'ip_forward is 0 although up had set it: something reset it (sysctl.d, systemd-networkd, another tool); NAT does not work',
      fix: `${quoteArgv(['sysctl', '-w', `${sysctl}=1`])} (and make it stick: echo ${sysctl}=1 > /etc/sysctl.d/99-cnet-remote.conf)`,
    });
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
