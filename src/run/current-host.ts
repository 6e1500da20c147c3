import { parseTxnOutput } from '../apply/txn-output.js';
import { isUnfinished, NO_TXN } from '../remote/journal.js';
import { splitSections } from '../remote/markers.js';
import { awaitLockScript, recoverScript } from '../remote/txn.js';
import type { HostFacts } from '../facts/types.js';
import { untrustedMessage } from '../remote/untrusted.js';
import type { HostWarning } from '../result/result.js';
import type { PlannedProbe } from '../verify/probe-plan.js';
import type { HostContext, HostOutcome } from './host-context.js';
import { refused } from './refusal.js';
import { roundTrip, type GatherScope, type Round } from './round-trip.js';

/** How many times a host is read and planned again when another run changes it meanwhile. */
const ATTEMPTS = 3;

/**
 * An earlier run's transaction: still running (waited for, up to --lock-wait), or interrupted,
 * whatever word its journal ended on (rolled back now, from its journal).
 */
async function settleEarlierRun(ctx: HostContext, facts: HostFacts): Promise<{ warning?: HostWarning; error?: string; again?: boolean }> {
  const t = facts.txn;
  if (!t || !isUnfinished(t.state)) return {};
  const locked = `the host is locked by another run: ${t.holder ?? `transaction ${t.id} (pid ${t.pid})`}`;
  if (t.alive) {
    if (ctx.options.lockWait === 0) return { error: locked };
    const res = await ctx.transport.run(awaitLockScript(ctx.options.lockWait), {
      timeoutMs: ctx.execTimeoutMs + ctx.options.lockWait * 1000,
      signal: ctx.signal,
    });
    return splitSections(res.stdout).has('locked') ? { error: locked } : { again: true };
  }
  const res = await ctx.transport.run(recoverScript(), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal });
  const r = parseTxnOutput(res.stdout, 0);
  if (r.untrusted !== undefined) return { error: untrustedMessage(r.untrusted) };
  if (r.locked) return { error: `the host is locked by another run: ${r.locked}` };
  if (r.superseded) return { again: true };
  const rb = r.rolledBack ?? { undone: 0, ok: false };
  return {
    again: true,
    warning: {
      message: `run ${t.id} had been interrupted (its runner died; its journal ended "${t.state}"): rolled back from its journal (${rb.undone} steps checked)${rb.ok ? '' : '; an undo FAILED'}`,
    },
  };
}

/** The host's state once no earlier run is unfinished on it (waited for, or recovered), or why it cannot be had. */
async function gatherSettled(ctx: HostContext, scope: GatherScope, probes: PlannedProbe[] = []) {
  const notes: HostWarning[] = [];
  for (let i = 0; ; i++) {
    const round = await roundTrip(ctx, '', probes, scope);
    if (round.facts.untrustedState) return { error: untrustedMessage(round.facts.untrustedState), notes };
    const earlier = await settleEarlierRun(ctx, round.facts);
    if (earlier.warning) notes.push(earlier.warning);
    if (earlier.error) return { error: earlier.error, notes };
    // a transaction that ran while the host was read: the facts mix two states
    const torn = round.facts.txnAtStart !== undefined && round.facts.txnAtStart !== (round.facts.txn?.after ?? NO_TXN);
    if (!earlier.again && !torn) return { round, notes };
    if (i >= ATTEMPTS) return { error: 'other runs kept changing the host while this one read it: run again', notes };
  }
}

/**
 * Reads the host (once no earlier run is unfinished on it) and acts on what it read. When another
 * run changed the host after it was read, the action's transaction ran nothing (`stale`): read it
 * again and act anew, ATTEMPTS times at most. `notes`: what settling earlier runs said.
 */
export async function onCurrentHost(
  ctx: HostContext,
  scope: GatherScope,
  act: (read: Round, notes: HostWarning[]) => Promise<HostOutcome | { stale: string }>,
): Promise<HostOutcome> {
  const notes: HostWarning[] = [];
  for (let attempt = 1; ; attempt++) {
    ctx.phase('gather');
    const settled = await gatherSettled(ctx, scope);
    notes.push(...settled.notes);
    if (!settled.round) return refused(settled.error!, notes);
    const outcome = await act(settled.round, notes);
    if (!('stale' in outcome)) return outcome;
    if (attempt === ATTEMPTS)
      return refused(`the host changed since planned (another run's transaction ${outcome.stale}), ${ATTEMPTS} times in a row: nothing done, run again`, notes);
  }
}
