import { planDown, remaining } from '../plan/plan.js';
import { needsRoot } from '../plan/privilege.js';
import { renderSteps } from '../plan/render-shell.js';
import { mismatch, type Mismatch } from '../result/finding.js';
import { onCurrentHost } from './current-host.js';
import type { HostContext, HostOutcome } from './host-context.js';
import { ROOT_ONLY } from './round-trip.js';
import { refused } from './refusal.js';
import { transact } from './transact.js';

/** `down` on a host: remove what its record lists, as one transaction, and check that it is gone. */
export function down(ctx: HostContext): Promise<HostOutcome> {
  return onCurrentHost(ctx, ROOT_ONLY, async ({ facts }, notes) => {
    const warned = notes.length ? { warnings: notes } : {};
    // not root: the record cannot be read (nothing would seem to be there) nor anything removed
    const root = needsRoot(facts);
    if (root) return refused(root, notes, facts);
    ctx.phase('plan');
    const steps = planDown(facts);
    if (steps.length === 0) return { changed: false, steps: [], changes: 0, verified: true, mismatches: [], facts, ...warned };
    ctx.phase('apply');
    const { after, done, error, stale } = await transact(ctx, steps, [], facts, [], { ...ROOT_ONLY, nftFrom: facts });
    if (stale !== undefined) return { stale };
    ctx.phase('verify');
    const left: Mismatch[] = remaining(facts.record, after.facts).map((cmd) => mismatch({ kind: 'owned', name: cmd }, '', 'removed', `still present (${cmd})`));
    return {
      changed: true,
      steps: renderSteps(steps.slice(0, done)),
      changes: done,
      verified: !error && left.length === 0,
      mismatches: left,
      facts: after.facts,
      ...warned,
      ...(error ? { error } : left.length ? { error: 'some objects cnet-remote created are still present' } : {}),
    };
  });
}
