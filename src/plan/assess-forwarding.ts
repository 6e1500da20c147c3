import { type AddressFamily, familyOf, FAMILIES } from '../address/family.js';
import type { HostFacts } from '../facts/types.js';
import type { FirewallBackend } from '../firewall/backend.js';
import { describeNat, natRuleOf } from '../firewall/nat-rule.js';
import { fabricSupernets } from '../inventory/resolve-fabric.js';
import type { BridgeNet, BridgeSpec, DesiredNetwork, FabricSpec } from '../inventory/types.js';
import { chooseFirewall, type FirewallChoice } from '../firewall/choose.js';
import type { FamilyName, FirewallFacts } from '../firewall/types.js';
import type { OwnedObject } from '../ownership/record.js';
import { mismatch } from '../result/finding.js';
import type { Assessment, Finding } from './assess.js';
import type { Step } from './step.js';

/** Is the family's forwarding switch on? undefined: the host has no IPv6, or has it disabled (or the facts predate it). */
export function forwardingOn(facts: HostFacts, f: AddressFamily): boolean | undefined {
  if (f.name === 'ipv4') return facts.ipForward;
  return facts.ipv6Disabled ? undefined : facts.ip6Forward;
}

/** Does DEV learn IPv6 routes from router advertisements (`proto ra`)? */
export const learnsFromRa = (facts: HostFacts, dev: string): boolean =>
  facts.root.routes.some((r) => r.family === 'inet6' && r.protocol === 'ra' && r.dev === dev);

/** The record's object for the family's forwarding switch. */
export const forwardObject = (f: AddressFamily): Extract<OwnedObject, { kind: 'forward' }> =>
  f.name === 'ipv4' ? { kind: 'forward', from: '0' } : { kind: 'forward', from: '0', family: 'ipv6' };

/** sysctl's key for DEV's accept_ra (a dot in an interface name is written `/` there, as in eth0.100). */
export const acceptRaKey = (dev: string): string => `net.ipv6.conf.${dev.replaceAll('.', '/')}.accept_ra`;

/** The net's traffic leaves the host by other interfaces: NAT'ed, or a global IPv6 prefix (routed, not NAT'ed). */
export const leavesHost = (net: BridgeNet): boolean => net.nat || !familyOf(net.subnet).defaultNat(net.subnet);

/**
 * Root interfaces whose IPv6 routes come from router advertisements (`proto ra`) while they take
 * them only when not forwarding (accept_ra 1): turning forwarding on would stop the RAs and, when
 * the routes' lifetime runs out, the host would lose its default route. They get accept_ra 2.
 */
function raInterfaces(facts: HostFacts): string[] {
  const devs = new Set(facts.root.routes.flatMap((r) => (r.dev && learnsFromRa(facts, r.dev) ? [r.dev] : [])));
  return [...devs].filter((dev) => facts.acceptRa?.get(dev) === 1).sort();
}

/** The family's forwarding switch on (and, for IPv6, accept_ra kept working), if it is off. */
function assessSwitch(f: AddressFamily, why: string, facts: HostFacts, out: Assessment): void {
  const on = forwardingOn(facts, f);
  if (on === undefined) {
    out.conflicts.push(
      facts.ipv6Disabled
        ? "IPv6 is disabled on the host (net.ipv6.conf.all.disable_ipv6 = 1), which the inventory's IPv6 subnets need: sysctl -w net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0, or remove subnet6"
        : "IPv6 is not available on the host (no /proc/sys/net/ipv6: disabled at boot with ipv6.disable=1?), which the inventory's IPv6 subnets need; enable IPv6 or remove subnet6",
    );
    return;
  }
  if (on) return;
  const object = forwardObject(f);
  const recorded = facts.record.some((o) => o.kind === 'forward' && o.family === object.family);
  const { sysctl } = f.forwarding;
  const ra: Step[] =
    f.name === 'ipv6'
      ? raInterfaces(facts).map((dev) => ({
          phase: 'forward',
          argv: ['sysctl', '-w', `${acceptRaKey(dev)}=2`],
          reason: `${dev} learns its IPv6 routes from router advertisements, which a forwarding host ignores unless accept_ra is 2`,
          undo: ['sysctl', '-w', `${acceptRaKey(dev)}=1`],
          owns: { kind: 'accept-ra', dev, from: '1' },
        }))
      : [];
  out.findings.push({
    ...mismatch({ kind: f.name === 'ipv4' ? 'ip_forward' : 'ip6_forward', name: f.name === 'ipv4' ? 'ip_forward' : 'ip6_forward' }, '', '1', '0'),
    fix: [
      ...ra,
      {
        phase: 'forward',
        argv: ['sysctl', '-w', `${sysctl}=1`],
        reason: why,
        undo: ['sysctl', '-w', `${sysctl}=0`],
        ...(recorded ? {} : { owns: object }),
      },
    ],
  });
}

/**
 * NAT rules (a family's each), and each family's forwarding switch for what leaves a bridge by
 * another interface (NAT, a routed global IPv6 prefix) or crosses a fabric.
 */
export function assessForwarding(bridges: BridgeSpec[], fabric: FabricSpec | undefined, facts: HostFacts, firewall: FirewallBackend, out: Assessment): void {
  let firstRule: Finding | undefined;
  for (const f of FAMILIES) {
    const nets = bridges.flatMap((b) => b.nets.filter((net) => familyOf(net.subnet) === f).map((net) => ({ bridge: b, net })));
    const natted = nets.filter((x) => x.net.nat);
    const routed = nets.filter((x) => leavesHost(x.net));
    const crossed = fabric !== undefined && fabricSupernets(fabric).some((c) => familyOf(c) === f);
    if (nets.length && forwardingOn(facts, f) === undefined) {
      assessSwitch(f, '', facts, out);
      continue;
    }
    if (routed.length === 0 && !crossed) continue;
    const unusable = natted.length ? firewall.unusable(facts, f.name) : undefined;
    if (unusable) {
      out.conflicts.push(unusable);
      continue;
    }
    const missing = natted.map(({ bridge, net }) => firewall.rule(natRuleOf(bridge, net))).filter((rule) => !firewall.has(facts, rule));
    for (const rule of missing) {
      const { add, del } = firewall.natSteps(rule);
      const finding: Finding = {
        ...mismatch({ kind: f.name === 'ipv4' ? 'nat' : 'nat6', name: rule.bridge }, '', describeNat(rule), 'absent'),
        fix: [{ phase: 'nat', argv: add, reason: `no MASQUERADE rule for ${rule.subnet}`, owns: rule, undo: del }],
      };
      firstRule ??= finding;
      out.findings.push(finding);
    }
    assessSwitch(f, natted.length ? 'NAT needs forwarding' : crossed ? 'the fabric needs forwarding' : 'the routed IPv6 prefix needs forwarding', facts, out);
  }
  // what holds the rules (nftables: its table, one for both families) comes with the first one, before it: its own step, with its own undo
  firstRule?.fix.unshift(
    ...firewall
      .prepare(facts)
      .map((p): Step => ({ phase: 'nat', argv: p.argv, reason: 'the NAT rules need it', owns: p.owns, ...(p.undo ? { undo: p.undo } : {}) })),
  );
}

/** The families of the host's NAT rules (bridges' nets with nat), IPv4's first. */
export const natFamilies = (desired: DesiredNetwork): FamilyName[] =>
  FAMILIES.filter((f) => desired.bridges.some((b) => b.nets.some((net) => net.nat && familyOf(net.subnet) === f))).map((f) => f.name);

/** The backend that writes this host's NAT rules (firewall/choose.ts), for the families they are of. */
export const firewallFor = (desired: DesiredNetwork, facts: FirewallFacts): FirewallChoice => chooseFirewall(desired.firewall, facts, natFamilies(desired));
