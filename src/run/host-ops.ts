import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { parseTxnOutput } from '../apply/txn-output.js';
import { confirmScript, launchScript, recoverScript, txnScript } from '../apply/txn-script.js';
import { ApplyError, PlanError } from '../errors.js';
import { gatherScript } from '../facts/gather-script.js';
import { parseFacts } from '../facts/parse-facts.js';
import type { HostFacts } from '../facts/types.js';
import type { ResolvedHost } from '../inventory/types.js';
import { assess } from '../plan/assess.js';
import { leftovers, planDown, planUp } from '../plan/plan.js';
import { renderSteps } from '../plan/render-shell.js';
import type { Step } from '../plan/step.js';
import type { ExecOutput, HostWarning, Mismatch, ProbeResult } from '../report/result.js';
import type { Transport } from '../transport/transport.js';
import { checkedObjects } from '../verify/checked.js';
import { diagnose } from '../verify/diagnose.js';
import { probePlan, type PlannedProbe } from '../verify/probe-plan.js';
import { parseProbeOutput, probeScript } from '../verify/probe-script.js';
import { hostWarnings } from '../verify/warnings.js';
import type { Phase } from './events.js';

/** What an operation found on one host; run-hosts.ts turns it into a HostResult. */
export interface HostOutcome {
  changed: boolean;
  steps: string[];
  changes: number;
  verified: boolean;
  mismatches: Mismatch[];
  checked?: string[];
  probes?: ProbeResult[];
  warnings?: HostWarning[];
  error?: string;
  /** the host's state as last read (for pictures of it); not part of the result */
  facts?: HostFacts;
  /** `exec`: what the command printed and its exit code, per namespace it ran in */
  exec?: ExecOutput[];
}

export interface OperationOptions {
  /** run the probe matrix after verifying */
  probe: boolean;
  /** `up`: `down` first, then build from a clean slate */
  rebuild: boolean;
  /** seconds to wait for another run's lock on a host (0: fail at once) */
  lockWait: number;
  /** `up`: the host reverts the run unless a fresh connection confirms it within this many seconds */
  confirmTimeout?: number;
  /** with confirmTimeout: leave the confirmation to `cnet-remote confirm` */
  manualConfirm?: boolean;
}

export interface HostContext {
  host: ResolvedHost;
  transport: Transport;
  phase(p: Phase): void;
  execTimeoutMs: number;
  options: OperationOptions;
  /** the host's deadline: aborting ends its connection */
  signal?: AbortSignal;
  /** the command's name (`up`, …, or `exec`): the lock holder names it */
  command: string;
  /** a second, fresh connection to the same host */
  reconnect?: () => Promise<Transport>;
}

export type Command = 'up' | 'plan' | 'verify' | 'down' | 'confirm';
export type HostOperation = (ctx: HostContext) => Promise<HostOutcome>;

/** How long state that settles (links coming up) gets before a mismatch is final. */
const SETTLE_MS = 300;

/** What a gather reads beyond the root namespace: the namespaces and VXLAN devices the inventory names. */
interface GatherScope {
  namespaces: string[];
  fdbDevices: string[];
  /** a read-back after our steps: nftables, which they never touch, as this earlier gather saw it */
  nftFrom?: HostFacts;
}
const scopeOf = (host: ResolvedHost): GatherScope => ({
  namespaces: host.network.namespaces.map((n) => n.name),
  fdbDevices: host.network.fabric?.vxlan ? [host.network.fabric.vxlan.device] : [],
});
/** `down` needs only the root namespace (and which namespaces exist) */
const ROOT_ONLY: GatherScope = { namespaces: [], fdbDevices: [] };
const toMismatch = ({ path, desired, actual }: Mismatch): Mismatch => ({ path, desired, actual });
const mismatchesOf = (host: ResolvedHost, facts: HostFacts): Mismatch[] => assess(host.network, facts).findings.map(toMismatch);

/** One round trip: `prefix` (steps to apply, or nothing), the facts, and the probes if asked. */
async function roundTrip(ctx: HostContext, prefix: string, probes: PlannedProbe[], scope = scopeOf(ctx.host)) {
  const res = await ctx.transport.run(prefix + gatherScript(scope.namespaces, scope.fdbDevices, { nft: !scope.nftFrom }) + probeScript(probes), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal });
  const read = parseFacts(res.stdout + (res.code === 0 ? '' : `\n${res.stderr}`), ctx.host.name);
  const nft = scope.nftFrom?.nftChains;
  const facts = nft ? { ...read, nftChains: nft } : read;
  return { stdout: res.stdout, facts, probes: parseProbeOutput(res.stdout, probes.length) };
}

/**
 * Compares the read-back with the desired state — only what the inventory states — and, when
 * something differs, reads once more after a moment for state that settles. Then the probes.
 */
async function verifyState(ctx: HostContext, first: Awaited<ReturnType<typeof roundTrip>>, probes: PlannedProbe[]) {
  ctx.phase('verify');
  let { facts, probes: outcomes } = first;
  let mismatches = mismatchesOf(ctx.host, facts);
  if (mismatches.length > 0 || outcomes.some((o) => !o.ok)) {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    ({ facts, probes: outcomes } = await roundTrip(ctx, '', probes));
    mismatches = mismatchesOf(ctx.host, facts);
  }
  const probeResults: ProbeResult[] = probes.map((p, i) => {
    const o = outcomes[i]!;
    return { kind: p.kind, from: p.from, to: p.to, target: p.target, ok: o.ok, ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}), ...(o.ok ? {} : { cause: diagnose(p, o, ctx.host.network, facts) }) };
  });
  const failed = probeResults.filter((p) => !p.ok).length;
  const problems = [
    ...(mismatches.length ? [`${mismatches.length} mismatch${mismatches.length > 1 ? 'es' : ''}`] : []),
    ...(failed ? [`${failed} of ${probeResults.length} probes failed`] : []),
  ];
  const warnings = hostWarnings(ctx.host.network, facts);
  return {
    facts,
    verified: mismatches.length === 0,
    mismatches,
    checked: checkedObjects(ctx.host.network),
    ...(ctx.options.probe ? { probes: probeResults } : {}),
    ...(warnings.length ? { warnings } : {}),
    ...(problems.length ? { error: problems.join(', ') } : {}),
  };
}

/**
 * The host's probes. `up` leaves out the fabric's: the peers are still being built while it runs
 * (`verify --probe` afterwards crosses hosts).
 */
function probesFor(ctx: HostContext): PlannedProbe[] {
  if (!ctx.options.probe) return [];
  const all = probePlan(ctx.host.network, ctx.host.probeTarget, ctx.host.name);
  return ctx.command === 'up' ? all.filter((p) => p.kind !== 'fabric') : all;
}

function conflictError(conflicts: string[]): string {
  return new PlanError(`refused, nothing applied: ${conflicts.join('; ')}`).message;
}

/** Runs steps as a transaction on the host (see txn-script.ts) and the gather (+ probes) after it, in one round trip. */
async function transact(ctx: HostContext, steps: Step[], probes: PlannedProbe[], scope = scopeOf(ctx.host), arm = false) {
  const o = ctx.options;
  const script = txnScript(steps, {
    id: `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`,
    holder: `cnet-remote ${ctx.command} from ${userInfo().username}@${hostname()} (pid ${process.pid}) since ${new Date().toISOString()}`,
    lockWait: o.lockWait,
    ...(arm && o.confirmTimeout !== undefined ? { confirmTimeout: o.confirmTimeout } : {}),
    ...faultPause(),
  });
  const after = await roundTrip(ctx, launchScript(script, o.lockWait), probes, scope);
  const t = parseTxnOutput(after.stdout, steps.length);
  let error: string | undefined;
  if (t.locked) error = `the host is locked by another run: ${t.locked}`;
  else if (t.failed) {
    const undo = t.rolledBack ? `; rolled back ${t.rolledBack.undone} step${t.rolledBack.undone === 1 ? '' : 's'}${t.rolledBack.ok ? '' : ' (an undo FAILED: check the host)'}` : '';
    error = new ApplyError(`step ${t.failed.index + 1}/${steps.length} failed: ${renderSteps([steps[t.failed.index]!])[0]}: ${t.failed.output}${undo}`, ctx.host.name).message;
  }
  return { after, done: t.committed ? steps.length : 0, committed: t.committed, error };
}

/** CNET_FAULT_PAUSE=STEP:SECONDS — fault injection for the test suite: the transaction sleeps after that step. */
function faultPause(): { pause?: { step: number; seconds: number } } {
  const m = /^(\d+):(\d+(\.\d+)?)$/.exec(process.env.CNET_FAULT_PAUSE ?? '');
  return m ? { pause: { step: Number(m[1]), seconds: Number(m[2]) } } : {};
}

/** An earlier run's transaction: still running (locked), or interrupted (rolled back now, from its journal). */
async function settleEarlierRun(ctx: HostContext, facts: HostFacts): Promise<{ warning?: HostWarning; error?: string }> {
  const t = facts.txn;
  if (!t || !['begin', 'done', 'failed'].includes(t.state)) return {};
  if (t.alive) return { error: `the host is locked by another run: ${t.holder ?? `transaction ${t.id} (pid ${t.pid})`}` };
  const res = await ctx.transport.run(recoverScript(), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal });
  const r = parseTxnOutput(res.stdout, 0);
  if (r.locked) return { error: `the host is locked by another run: ${r.locked}` };
  if (r.superseded) return { error: `run ${t.id} had been interrupted, and another run settled it before this one could (the journal now ends "${r.superseded}"): the facts are stale, run again` };
  const rb = r.rolledBack ?? { undone: 0, ok: false };
  return { warning: { message: `run ${t.id} had been interrupted (its runner died): rolled back from its journal (${rb.undone} steps checked)${rb.ok ? '' : '; an undo FAILED'}` } };
}

/** --confirm-timeout: a second, fresh connection confirms the run, or the host reverts it by itself. */
async function confirm(ctx: HostContext): Promise<HostWarning | undefined> {
  const t = ctx.options.confirmTimeout;
  if (t === undefined) return undefined;
  if (ctx.options.manualConfirm || !ctx.reconnect) return { message: `armed: the host reverts this run in ${t} s unless \`cnet-remote confirm\` reaches it first` };
  try {
    const fresh = await ctx.reconnect();
    try {
      const res = await fresh.run(confirmScript(), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal });
      if (res.stdout.includes('@@confirmed')) return undefined;
      return { message: `not confirmed (${res.stdout.trim()}): the host reverts this run in ${t} s` };
    } finally {
      fresh.close();
    }
  } catch (err) {
    return { message: `not confirmed: a fresh connection failed (${(err as Error).message}): the host reverts this run within ${t} s` };
  }
}

async function up(ctx: HostContext): Promise<HostOutcome> {
  const probes = probesFor(ctx);
  ctx.phase('gather');
  let first = await roundTrip(ctx, '', []);
  const earlier = await settleEarlierRun(ctx, first.facts);
  if (earlier.error) return { changed: false, steps: [], changes: 0, verified: false, mismatches: [], error: earlier.error };
  if (earlier.warning) first = await roundTrip(ctx, '', []);
  const notes = earlier.warning ? [earlier.warning] : [];
  ctx.phase('plan');
  const plan = planUp(ctx.host.network, first.facts);
  if (plan.conflicts.length) return { changed: false, steps: [], changes: 0, verified: false, mismatches: [], warnings: [...notes, ...hostWarnings(ctx.host.network, first.facts)], error: conflictError(plan.conflicts) };
  if (plan.steps.length === 0) {
    const state = probes.length ? await verifyState(ctx, await roundTrip(ctx, '', probes), probes) : await verifyState(ctx, first, []);
    return { changed: notes.length > 0, steps: [], changes: 0, ...state, warnings: [...notes, ...(state.warnings ?? [])] };
  }
  ctx.phase('apply');
  const { after, done, committed, error } = await transact(ctx, plan.steps, probes, { ...scopeOf(ctx.host), nftFrom: first.facts }, true);
  const state = await verifyState(ctx, after, probes);
  const confirmation = committed ? await confirm(ctx) : undefined;
  const warnings = [...notes, ...(confirmation ? [confirmation] : []), ...(state.warnings ?? [])];
  return { changed: true, steps: renderSteps(plan.steps.slice(0, done)), changes: done, ...state, warnings, ...(error ? { error, verified: false } : {}) };
}

async function down(ctx: HostContext): Promise<HostOutcome> {
  ctx.phase('gather');
  let { facts } = await roundTrip(ctx, '', [], ROOT_ONLY);
  const earlier = await settleEarlierRun(ctx, facts);
  if (earlier.error) return { changed: false, steps: [], changes: 0, verified: false, mismatches: [], error: earlier.error };
  if (earlier.warning) ({ facts } = await roundTrip(ctx, '', [], ROOT_ONLY));
  ctx.phase('plan');
  const steps = planDown(facts);
  if (steps.length === 0) return { changed: false, steps: [], changes: 0, verified: true, mismatches: [], facts };
  ctx.phase('apply');
  const { after, done, error } = await transact(ctx, steps, [], { ...ROOT_ONLY, nftFrom: facts });
  ctx.phase('verify');
  const afterFacts = after.facts;
  const left: Mismatch[] = leftovers(facts.record, afterFacts).map((cmd) => ({ path: 'owned', desired: 'removed', actual: `still present (${cmd})` }));
  return {
    changed: true,
    steps: renderSteps(steps.slice(0, done)),
    changes: done,
    verified: !error && left.length === 0,
    mismatches: left,
    facts: afterFacts,
    ...(error ? { error } : left.length ? { error: 'some objects cnet-remote created are still present' } : {}),
  };
}

export const operations: Record<Command, HostOperation> = {
  async plan(ctx) {
    ctx.phase('gather');
    const { facts } = await roundTrip(ctx, '', []);
    ctx.phase('plan');
    const plan = planUp(ctx.host.network, facts);
    const steps = renderSteps(plan.steps);
    if (plan.conflicts.length) return { changed: false, steps, changes: 0, verified: false, mismatches: [], error: conflictError(plan.conflicts), facts };
    return { changed: steps.length > 0, steps, changes: steps.length, verified: steps.length === 0, mismatches: plan.findings.map(toMismatch), facts };
  },

  async verify(ctx) {
    const probes = probesFor(ctx);
    ctx.phase('gather');
    const state = await verifyState(ctx, await roundTrip(ctx, '', probes), probes);
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

  async confirm(ctx) {
    ctx.phase('apply');
    const res = await ctx.transport.run(confirmScript(), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal });
    if (res.stdout.includes('@@confirmed')) return { changed: true, steps: [], changes: 0, verified: true, mismatches: [] };
    const state = res.stdout.split('\n')[1]?.trim();
    return { changed: false, steps: [], changes: 0, verified: false, mismatches: [], error: `nothing to confirm: the host's last run is ${state ? `in state "${state}"` : 'unknown'}` };
  },
};
