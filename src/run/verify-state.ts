import { firewallFor } from '../plan/assess-forwarding.js';
import type { HostFacts } from '../facts/types.js';
import { assess } from '../plan/assess.js';
import { duplicateAddresses } from '../plan/duplicates.js';
import { leftovers, wantedOnHost, type Wanted } from '../plan/plan.js';
import type { Mismatch } from '../result/finding.js';
import { findingsCount } from '../result/problems.js';
import type { FirewallUsed, HostWarning, ProbeResult } from '../result/result.js';
import type { FirewallChoice } from '../firewall/choose.js';
import type { DesiredNetwork } from '../inventory/types.js';
import { checkedObjects } from '../verify/checked.js';
import { diagnose } from '../verify/diagnose.js';
import { probePlan, type PlannedProbe } from '../verify/probe-plan.js';
import { hostWarnings } from '../verify/warnings.js';
import type { HostContext } from './host-context.js';
import { roundTrip, type Round } from './round-trip.js';

/** How long state that settles (links coming up) gets before a mismatch is final. */
const SETTLE_MS = 300;

export const toMismatch = ({ path, desired, actual, object, part }: Mismatch): Mismatch => ({ path, desired, actual, object, part });

/**
 * What differs from the inventory: its objects, what is ours and it no longer names (unless not
 * pruning: then those are `kept`, as warnings), an address used twice.
 */
function differences(ctx: HostContext, facts: HostFacts, wanted: Wanted): { mismatches: Mismatch[]; kept: HostWarning[] } {
  const net = ctx.host.network;
  const firewall = firewallFor(net, facts).backend;
  const left = leftovers(net, facts, firewall, wanted);
  const prune = ctx.options.prune;
  return {
    mismatches: [...assess(net, facts, firewall).findings, ...(prune ? left : []), ...duplicateAddresses(net, facts)].map(toMismatch),
    kept: prune ? [] : left.map((f) => ({ message: `${f.path}: ${f.actual}; kept (--no-prune)` })),
  };
}

/**
 * Compares the read-back with the desired state — only what the inventory states — and, when
 * something differs, reads once more after a moment for state that settles. Then the probes.
 * `wanted`: the host's, when its plan computed them already.
 */
export async function verifyState(ctx: HostContext, first: Round, probes: PlannedProbe[], wanted = wantedOnHost(ctx.host.network)) {
  ctx.phase('verify');
  let { facts, probes: outcomes } = first;
  let { mismatches, kept } = differences(ctx, facts, wanted);
  if (mismatches.length > 0 || outcomes.some((o) => !o.ok)) {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    ({ facts, probes: outcomes } = await roundTrip(ctx, '', probes));
    ({ mismatches, kept } = differences(ctx, facts, wanted));
  }
  const probeResults: ProbeResult[] = probes.map((p, i) => {
    const o = outcomes[i]!;
    return {
      kind: p.kind,
      from: p.from,
      to: p.to,
      target: p.target,
      ok: o.ok,
      ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}),
      ...(o.ok ? {} : { cause: diagnose(p, o, ctx.host.network, facts) }),
    };
  });
  const found = findingsCount(mismatches.length, probeResults);
  const firewall = firewallField(ctx.host.network, firewallFor(ctx.host.network, facts));
  const warnings = [...kept, ...hostWarnings(ctx.host.network, facts)];
  return {
    facts,
    verified: mismatches.length === 0,
    mismatches,
    checked: checkedObjects(ctx.host.network),
    ...(ctx.options.probe ? { probes: probeResults } : {}),
    ...(warnings.length ? { warnings } : {}),
    ...(found ? { error: found } : {}),
    ...firewall,
  };
}

/** The result's `firewall`: the backend that writes a host's NAT rules and why, for a host with NAT (none without). */
export function firewallField(desired: DesiredNetwork, choice: FirewallChoice): { firewall?: FirewallUsed } {
  return desired.bridges.some((b) => b.nets.some((net) => net.nat)) ? { firewall: { backend: choice.backend.name, why: choice.why } } : {};
}

/**
 * The host's probes. `up` leaves out the fabric's: the peers are still being built while it runs
 * (`verify --probe` afterwards crosses hosts).
 */
export function probesFor(ctx: HostContext): PlannedProbe[] {
  if (!ctx.options.probe) return [];
  const all = probePlan(ctx.host.network, ctx.host.probeTarget, ctx.host.name);
  return ctx.command === 'up' ? all.filter((p) => p.kind !== 'fabric') : all;
}
