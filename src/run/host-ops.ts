import { untrustedMessage } from '../remote/untrusted.js';
import { planUp } from '../plan/plan.js';
import { needsRoot } from '../plan/privilege.js';
import { renderSteps } from '../plan/render-shell.js';
import { confirmLastRun } from './confirm-run.js';
import { down } from './down.js';
import type { Command, HostOperation } from './host-context.js';
import { refused, conflictError } from './refusal.js';
import { roundTrip } from './round-trip.js';
import { up } from './up.js';
import { firewallField, probesFor, toMismatch, verifyState } from './verify-state.js';

export type { Command, HostContext, HostOperation, HostOutcome, OperationOptions } from './host-context.js';

/** What each network command does on one host. */
export const operations: Record<Command, HostOperation> = {
  async plan(ctx) {
    ctx.phase('gather');
    const { facts } = await roundTrip(ctx, '', []);
    if (facts.untrustedState) return refused(untrustedMessage(facts.untrustedState), [], facts);
    ctx.phase('plan');
    const plan = planUp(ctx.host.network, facts, { prune: ctx.options.prune });
    const steps = renderSteps(plan.steps);
    const firewall = firewallField(ctx.host.network, plan.firewall);
    if (plan.conflicts.length)
      return { changed: false, steps, changes: 0, verified: false, mismatches: [], error: conflictError(plan.conflicts), facts, ...firewall };
    return {
      changed: steps.length > 0,
      steps,
      changes: steps.length,
      verified: steps.length === 0,
      mismatches: plan.findings.map(toMismatch),
      facts,
      ...firewall,
    };
  },

  async verify(ctx) {
    const probes = probesFor(ctx);
    ctx.phase('gather');
    const read = await roundTrip(ctx, '', probes);
    if (read.facts.untrustedState) return refused(untrustedMessage(read.facts.untrustedState), [], read.facts);
    // not root: the firewall and the record cannot be read, and what is compared would mislead
    const root = needsRoot(read.facts);
    if (root) return refused(root, [], read.facts);
    const state = await verifyState(ctx, read, probes);
    return { changed: false, steps: [], changes: 0, ...state };
  },

  async up(ctx) {
    if (!ctx.options.rebuild) return up(ctx);
    const torn = await down(ctx);
    if (torn.error) return { ...torn, error: `rebuild: down failed: ${torn.error}` };
    const built = await up(ctx);
    return { ...built, changed: true, steps: [...torn.steps, ...built.steps], changes: torn.changes + built.changes };
  },

  down,

  confirm: confirmLastRun,
};
