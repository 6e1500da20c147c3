import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { parseTxnOutput } from '../apply/txn-output.js';
import { NO_TXN } from '../remote/journal.js';
import { launchScript, txnScript } from '../remote/txn.js';
import type { HostFacts } from '../facts/types.js';
import type { OwnedObject } from '../ownership/record.js';
import { untrustedMessage } from '../remote/untrusted.js';
import { renderSteps } from '../plan/render-shell.js';
import type { Step } from '../plan/step.js';
import type { PlannedProbe } from '../verify/probe-plan.js';
import type { HostContext } from './host-context.js';
import { roundTrip, scopeOf } from './round-trip.js';

/**
 * Runs steps as a transaction on the host (remote/txn.ts, remote/programs/txn.sh) and the gather (+ probes) after it, in
 * one round trip. They run only if the host's last transaction is still the one `before` saw
 * (else `stale`: nothing ran); `record` is what the record lists once they have.
 */
export async function transact(
  ctx: HostContext,
  steps: Step[],
  record: OwnedObject[],
  before: HostFacts,
  probes: PlannedProbe[],
  scope = scopeOf(ctx.host),
  arm = false,
) {
  const o = ctx.options;
  const script = txnScript(steps, {
    id: `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`,
    holder: `cnet-remote ${ctx.command} from ${userInfo().username}@${hostname()} (pid ${process.pid}) since ${new Date().toISOString()}`,
    lockWait: o.lockWait,
    after: before.txn?.after ?? NO_TXN,
    record,
    ...(arm && o.confirmTimeout !== undefined ? { confirmTimeout: o.confirmTimeout } : {}),
    ...(o.faultPause ? { pause: o.faultPause } : {}),
  });
  const after = await roundTrip(ctx, launchScript(script, o.lockWait), probes, scope);
  const t = parseTxnOutput(after.stdout, steps.length);
  let error: string | undefined;
  if (t.untrusted !== undefined) error = untrustedMessage(t.untrusted);
  else if (t.locked) error = `the host is locked by another run: ${t.locked}`;
  else if (t.failed) {
    const undo = t.rolledBack
      ? `; rolled back ${t.rolledBack.undone} step${t.rolledBack.undone === 1 ? '' : 's'}${t.rolledBack.ok ? '' : ' (an undo FAILED: check the host)'}`
      : '';
    error = `step ${t.failed.index + 1}/${steps.length} failed: ${renderSteps([steps[t.failed.index]!])[0]}: ${t.failed.output}${undo}`;
  }
  return { after, done: t.committed ? steps.length : 0, committed: t.committed, error, stale: t.stale };
}
