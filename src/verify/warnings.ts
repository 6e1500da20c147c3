import type { HostFacts, NftChainFacts } from '../facts/types.js';
import { findLink } from '../facts/types.js';
import { formatCidr } from '../inventory/ipv4.js';
import { overlappingRoutes } from '../plan/overlaps.js';
import type { BridgeSpec, DesiredNetwork, FabricSpec } from '../inventory/types.js';
import { TAG } from '../ownership/record.js';
import type { HostWarning } from '../result/result.js';
import { quoteArgv } from '../shell/quote.js';

const DROPS = new Set(['DROP', 'REJECT']);

/** Does an iptables rule (words after `-A CHAIN`) name this bridge or its subnet? */
function touches(rule: string[], b: BridgeSpec): boolean {
  const subnet = formatCidr(b.subnet);
  for (let i = 0; i < rule.length - 1; i++) {
    const [flag, value] = [rule[i], rule[i + 1]];
    if ((flag === '-i' || flag === '-o') && value === b.name && rule[i - 1] !== '!') return true;
    if ((flag === '-s' || flag === '-d') && value === subnet && rule[i - 1] !== '!') return true;
  }
  return false;
}

const target = (rule: string[]): string | undefined => rule[rule.indexOf('-j') + 1];

/** Forwarded traffic of this bridge is accepted before the policy applies (Docker's own rules do this). */
export function forwardAccepted(facts: HostFacts, b: BridgeSpec): boolean {
  const chain = facts.forwardChain;
  if (!chain) return true;
  const accepts = chain.rules.filter((r) => touches(r, b) && target(r) === 'ACCEPT');
  return chain.policy === 'ACCEPT' || accepts.length > 0;
}

/** Native nftables chains hooked on forward whose policy drops what no rule accepts. */
export function nftForwardDrops(facts: HostFacts): NftChainFacts[] {
  return (facts.nftChains ?? []).filter((c) => c.hook === 'forward' && c.policy === 'drop');
}

export function nftAcceptFix(c: NftChainFacts, b: BridgeSpec): string {
  return [
    quoteArgv(['nft', 'insert', 'rule', c.family, c.table, c.name, 'iifname', b.name, 'accept']),
    quoteArgv(['nft', 'insert', 'rule', c.family, c.table, c.name, 'oifname', b.name, 'ct', 'state', 'related,established', 'accept']),
  ].join(' && ');
}

/** The FORWARD rules that drop this bridge's traffic. */
export function forwardDrops(facts: HostFacts, b: BridgeSpec): string[][] {
  return (facts.forwardChain?.rules ?? []).filter((r) => touches(r, b) && DROPS.has(target(r) ?? ''));
}

/**
 * How the FORWARD chain treats the fabric's traffic between hosts, when it passes the chain at
 * all (routed: always; vxlan, bridged: only under br_netfilter): accepted, and what drops it.
 */
export function fabricForward(f: FabricSpec, facts: HostFacts): { accepted: boolean; drops: string[][] } | undefined {
  if (f.mode !== 'routed' && !facts.brNetfilter) return undefined;
  const net: BridgeSpec = { name: f.bridge, subnet: f.supernet, address: '', nat: false };
  return { accepted: forwardAccepted(facts, net), drops: forwardDrops(facts, net) };
}

/** Flannel's answer to a FORWARD chain that drops: accept the supernet, from and to. */
export function fabricAcceptFix(f: FabricSpec): string {
  const net = formatCidr(f.supernet);
  return [quoteArgv(['iptables', '-I', 'FORWARD', '-s', net, '-j', 'ACCEPT']), quoteArgv(['iptables', '-I', 'FORWARD', '-d', net, '-j', 'ACCEPT'])].join(
    ' && ',
  );
}

export function acceptFix(b: BridgeSpec): string {
  return [
    quoteArgv(['iptables', '-I', 'FORWARD', '-i', b.name, '-j', 'ACCEPT']),
    quoteArgv(['iptables', '-I', 'FORWARD', '-o', b.name, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']),
  ].join(' && ');
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
    for (const rule of forwardDrops(facts, b)) {
      out.push({ message: `the FORWARD chain drops traffic of ${b.name}: ${rule.join(' ')}`, fix: quoteArgv(['iptables', '-D', 'FORWARD', ...rule]) });
    }
  }
  const blocked = natted.filter((b) => !forwardAccepted(facts, b));
  if (blocked.length > 0) {
    out.push({
      message: `the FORWARD policy is ${facts.forwardChain?.policy} (Docker sets it): traffic from ${blocked.map((b) => b.name).join(', ')} to the outside is dropped`,
      fix: blocked.map(acceptFix).join(' && '),
    });
  }
  const f = desired.fabric;
  if (f && fabricForward(f, facts)?.accepted === false) {
    out.push({
      message: `the FORWARD policy is ${facts.forwardChain?.policy}: the fabric's traffic between hosts (${formatCidr(f.supernet)}) is dropped`,
      fix: fabricAcceptFix(f),
    });
  }
  for (const c of nftForwardDrops(facts)) {
    if (natted.length === 0) break;
    out.push({
      message: `the nftables chain ${c.family} ${c.table} ${c.name} (hook forward) has policy drop: traffic from ${natted.map((b) => b.name).join(', ')} to the outside is dropped unless one of its rules accepts it`,
      fix: natted.map((b) => nftAcceptFix(c, b)).join(' && '),
    });
  }
  const bridged = desired.bridges.filter((b) => !forwardAccepted(facts, b) || forwardDrops(facts, b).length > 0);
  if (facts.brNetfilter && bridged.length > 0) {
    out.push({
      message: `br_netfilter is on (bridge-nf-call-iptables=1): traffic between containers on ${bridged.map((b) => b.name).join(', ')} passes the iptables FORWARD chain, which drops it`,
      fix: quoteArgv(['sysctl', '-w', 'net.bridge.bridge-nf-call-iptables=0']),
    });
  }
  if (!facts.ipForward && natted.some((b) => ownNat.has(b.name))) {
    out.push({
      message: 'ip_forward is 0 although up had set it: something reset it (sysctl.d, systemd-networkd, another tool); NAT does not work',
      fix: `${quoteArgv(['sysctl', '-w', 'net.ipv4.ip_forward=1'])} (and make it stick: echo net.ipv4.ip_forward=1 > /etc/sysctl.d/99-cnet-remote.conf)`,
    });
  }
  return out;
}
