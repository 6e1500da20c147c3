import { planUp, wantedOnHost } from '../plan/plan.js';
import { renderSteps } from '../plan/render-shell.js';
import { hostWarnings } from '../verify/warnings.js';
import { confirmOverFreshConnection } from './confirm-run.js';
import { onCurrentHost } from './current-host.js';
import type { HostContext, HostOutcome } from './host-context.js';
import { conflictError, refused } from './refusal.js';
import { roundTrip, scopeOf } from './round-trip.js';
import { transact } from './transact.js';
import { firewallField, probesFor, verifyState } from './verify-state.js';

/** `up` on a host: plan from what it holds, apply as one transaction (armed with --confirm-timeout), verify what it holds then. */
export function up(ctx: HostContext): Promise<HostOutcome> {
  const probes = probesFor(ctx);
  return onCurrentHost(ctx, scopeOf(ctx.host), async (first, notes) => {
    ctx.phase('plan');
    // what the inventory owns there: computed by the plan, reused by the verification
    const wanted = wantedOnHost(ctx.host.network);
    const plan = planUp(ctx.host.network, first.facts, { prune: ctx.options.prune, wanted });
    const firewall = firewallField(ctx.host.network, plan.firewall);
    if (plan.conflicts.length) return { ...refused(conflictError(plan.conflicts), [...notes, ...hostWarnings(ctx.host.network, first.facts)]), ...firewall };
    if (plan.steps.length === 0) {
      const state = probes.length ? await verifyState(ctx, await roundTrip(ctx, '', probes), probes, wanted) : await verifyState(ctx, first, [], wanted);
      return { changed: notes.length > 0, steps: [], changes: 0, ...state, warnings: [...notes, ...(state.warnings ?? [])] };
    }
    ctx.phase('apply');
    const { after, done, committed, error, stale } = await transact(
      ctx,
      plan.steps,
      plan.record,
      first.facts,
      probes,
      { ...scopeOf(ctx.host), nftFrom: first.facts },
      true,
    );
    if (stale !== undefined) return { stale };
    const state = await verifyState(ctx, after, probes, wanted);
    const confirmation = committed ? await confirmOverFreshConnection(ctx) : undefined;
    const warnings = [...notes, ...(confirmation ? [confirmation] : []), ...(state.warnings ?? [])];
    return {
      changed: true,
      steps: renderSteps(plan.steps.slice(0, done)),
      changes: done,
      ...state,
      warnings,
      ...(error ? { error, verified: false } : {}),
      ...firewall,
    };
  });
}
