import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import type { HostFacts } from '../../src/facts/types.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { loadSource, parseSource } from '../../src/inventory/source.js';
import { diagnose } from '../../src/verify/diagnose.js';
import { probePlan, type PlannedProbe } from '../../src/verify/probe-plan.js';
import type { ProbeOutcome } from '../../src/verify/probe-output.js';
import { hostWarnings } from '../../src/verify/warnings.js';

/** Failed IPv6 probes explained from real facts: the seed dual-stack converged as up builds it (test/fixtures/facts/ipv6/record-plan.sh). */
const SEED6 = new URL('../../inventories/seed-dual-stack.yaml', import.meta.url).pathname;
const desired = resolveInventory([parseSource('hosts.yaml', 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.10 }\n'), loadSource(SEED6)]).hosts[0]!.network;
const converged = parseFacts(readFileSync(new URL('../fixtures/facts/ipv6/plan-converged.txt', import.meta.url), 'utf8'));
const plan = probePlan(desired, { ipv4: '198.51.100.7', ipv6: '2001:db8:ffff::7' });

const probe = (kind: PlannedProbe['kind'], from: string, target: string): PlannedProbe => {
  const p = plan.find((x) => x.kind === kind && x.from === from && x.target === target);
  if (!p) throw new Error(`no ${kind} probe ${from} -> ${target}`);
  return p;
};
const failed = (neighbours: Record<string, string> = {}): ProbeOutcome => ({ ok: false, neighbours: new Map(Object.entries(neighbours)) });
/** the converged facts with ip6tables' FORWARD policy DROP (Ubuntu 24.04, Docker) and br_netfilter as given */
const dropping6 = (brnf: { v4?: boolean; v6?: boolean }): HostFacts => ({
  ...converged,
  forwardChain6: { policy: 'DROP', rules: [] },
  ...(brnf.v4 !== undefined ? { brNetfilter: brnf.v4 } : {}),
  ...(brnf.v6 !== undefined ? { brNetfilter6: brnf.v6 } : {}),
});

describe('diagnose over IPv6', () => {
  it('an IPv6 peer probe under bridge-nf-call-ip6tables with ip6tables FORWARD DROP: the chain, with the ip6tables switch off as the fix, before the neighbour table (NDP is dropped there too)', () => {
    const p = probe('peer', 'container1', 'fd00:18::3');
    expect(diagnose(p, failed({ 'fd00:18::3': 'INCOMPLETE' }), desired, dropping6({ v4: false, v6: true }))).toBe(
      'dropped in FORWARD: br_netfilter sends bridged traffic through ip6tables and its FORWARD drops it: sysctl -w net.bridge.bridge-nf-call-ip6tables=0',
    );
  });

  it('bridge-nf-call-iptables alone does not blame the IPv6 chain: a failed neighbour is named as NDP, not ARP', () => {
    const p = probe('peer', 'container1', 'fd00:18::3');
    expect(diagnose(p, failed({ 'fd00:18::3': 'FAILED' }), desired, dropping6({ v4: true, v6: false }))).toBe(
      'no neighbour advertisement from fd00:18::3 (neighbour FAILED)',
    );
  });

  it('an IPv6 upstream probe under ip6tables FORWARD DROP: the policy, with the ip6tables accept fix', () => {
    const cause = diagnose(probe('upstream', 'container1', '2001:db8:ffff::7'), failed(), desired, dropping6({}));
    expect(cause).toMatch(/^dropped in ip6tables FORWARD \(policy DROP\): ip6tables -I FORWARD -i br0 -j ACCEPT/);
  });

  it('the warnings name the IPv6 FORWARD policy and, under br_netfilter, the ip6tables switch', () => {
    const messages = hostWarnings(desired, dropping6({ v6: true })).map((w) => `${w.message} | ${w.fix}`);
    expect(messages.some((m) => m.startsWith('the FORWARD policy (IPv6) is DROP') && m.includes('ip6tables -I FORWARD -i br0 -j ACCEPT'))).toBe(true);
    expect(messages.some((m) => m.includes('bridge-nf-call-ip6tables=1') && m.endsWith('sysctl -w net.bridge.bridge-nf-call-ip6tables=0'))).toBe(true);
    expect(messages.some((m) => m.includes('bridge-nf-call-iptables=1'))).toBe(false);
  });
});
