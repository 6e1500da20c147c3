import type { HostFacts } from '../facts/types.js';
import { findLink } from '../facts/types.js';
import type { DesiredNetwork } from '../inventory/types.js';
import { RECORD_FILE, TAG, type OwnedObject } from '../ownership/record.js';
import { assess, hasNatRule, natRuleSpec, type Finding } from './assess.js';
import { routeMatches, routesTo } from './assess-fabric.js';
import { guardConflicts } from './guard.js';
import { sortSteps, type Step } from './step.js';

export interface UpPlan {
  steps: Step[];
  findings: Finding[];
  /** reasons the plan cannot be applied without touching what is not ours */
  conflicts: string[];
}

/** The pure planner for `up`: only what is missing or different; nothing when converged. */
export function planUp(desired: DesiredNetwork, facts: HostFacts): UpPlan {
  const { findings, conflicts } = assess(desired, facts);
  const steps = sortSteps(findings.flatMap((f) => f.fix));
  return { steps, findings, conflicts: [...conflicts, ...guardConflicts(desired, facts, steps)] };
}

/**
 * The pure planner for `down`: removes what the host's record says `up` created and what still
 * exists, and nothing else. An interface is removed only while it still carries our mark.
 */
export function planDown(facts: HostFacts): Step[] {
  const steps: Step[] = [];
  const { record } = facts;
  for (const o of record) {
    if (o.kind === 'nat') {
      const spec = natRuleSpec(o.subnet, o.bridge, o.except);
      if (hasNatRule(facts, o.subnet, o.bridge, o.except)) {
        steps.push({ phase: 'del-nat', argv: ['iptables', '-w', '-t', 'nat', '-D', 'POSTROUTING', ...spec], reason: `created by up (${o.subnet} via ${o.bridge})` });
      }
    } else if (o.kind === 'route') {
      const target = o.via ? { via: o.via } : { dev: o.dev ?? '' };
      if (routesTo(facts, o.dst).some((r) => routeMatches(r, target))) {
        steps.push({ phase: 'del-route', argv: ['ip', 'route', 'del', o.dst, ...(o.via ? ['via', o.via] : ['dev', o.dev ?? ''])], reason: 'created by up' });
      }
    } else if (o.kind === 'netns' && facts.netns.has(o.name)) {
      steps.push({ phase: 'del-netns', argv: ['ip', 'netns', 'del', o.name], reason: 'created by up' });
    } else if (o.kind === 'link') {
      const link = findLink(facts.root, o.name);
      if (!link || link.alias !== TAG) continue;
      steps.push({ phase: link.kind === 'veth' ? 'del-veth' : 'del-bridge', argv: ['ip', 'link', 'del', 'dev', o.name], reason: 'created by up' });
    } else if (o.kind === 'forward' && facts.ipForward) {
      steps.push({ phase: 'del-forward', argv: ['sysctl', '-w', `net.ipv4.ip_forward=${o.from}`], reason: 'up had changed it' });
    }
  }
  if (record.length > 0) steps.push({ phase: 'del-record', argv: ['rm', '-f', RECORD_FILE], reason: 'everything it lists is gone' });
  return sortSteps(steps);
}

/** After `down`: what the record (read before) listed that still exists — should be nothing. */
export function leftovers(record: OwnedObject[], after: HostFacts): string[] {
  return planDown({ ...after, record })
    .filter((s) => s.phase !== 'del-record')
    .map((s) => s.argv.join(' '));
}
