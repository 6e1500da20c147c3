import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { parseTxnOutput } from '../apply/txn-output.js';
import { awaitLockScript, confirmScript, launchScript, NO_TXN, recoverScript, txnScript } from '../apply/txn-script.js';
import { ApplyError, PlanError } from '../errors.js';
import { gatherScript } from '../facts/gather-script.js';
import { parseFacts } from '../facts/parse-facts.js';
import type { HostFacts } from '../facts/types.js';
import type { ResolvedHost } from '../inventory/types.js';
import type { OwnedObject } from '../ownership/record.js';
import { untrustedMessage } from '../ownership/state-dir.js';
import { assess } from '../plan/assess.js';
import { duplicateAddresses } from '../plan/duplicates.js';
import { leftovers, planDown, planUp, remaining } from '../plan/plan.js';
import { renderSteps } from '../plan/render-shell.js';
import type { Step } from '../plan/step.js';
import { mismatch, type Mismatch } from '../result/finding.js';
import type { ExecOutput, HostWarning, ProbeResult } from '../result/result.js';
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
  /** `up`/`plan`: remove what is cnet-remote's and the inventory no longer names; `verify`: count it as a mismatch (else: a warning) */
  prune: boolean;
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

/** What a gather reads beyond the root namespace (and the namespaces the record lists, always): the namespaces and VXLAN devices the inventory names. */
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
/** `down` needs only the root namespace, which namespaces exist, and those the record lists */
const ROOT_ONLY: GatherScope = { namespaces: [], fdbDevices: [] };
const toMismatch = ({ path, desired, actual, object, part }: Mismatch): Mismatch => ({ path, desired, actual, object, part });
/**
 * What differs from the inventory: its objects, what is ours and it no longer names (unless not
 * pruning: then those are `kept`, as warnings), an address used twice.
 */
function differences(ctx: HostContext, facts: HostFacts): { mismatches: Mismatch[]; kept: HostWarning[] } {
  const net = ctx.host.network;
  const left = leftovers(net, facts);
  const prune = ctx.options.prune;
  return {
    mismatches: [...assess(net, facts).findings, ...(prune ? left : []), ...duplicateAddresses(net, facts)].map(toMismatch),
    kept: prune ? [] : left.map((f) => ({ message: `${f.path}: ${f.actual}; kept (--no-prune)` })),
  };
}
/** a host that ends before any change: only the error (and what was learnt on the way) */
const refused = (error: string, warnings: HostWarning[] = [], facts?: HostFacts): HostOutcome => ({
  changed: false,
  steps: [],
  changes: 0,
  verified: false,
  mismatches: [],
  error,
  ...(warnings.length ? { warnings } : {}),
  ...(facts ? { facts } : {}),
});

/** One round trip: `prefix` (steps to apply, or nothing), the facts, and the probes if asked. */
async function roundTrip(ctx: HostContext, prefix: string, probes: PlannedProbe[], scope = scopeOf(ctx.host)) {
  const res = await ctx.transport.run(prefix + gatherScript(scope.namespaces, scope.fdbDevices, { nft: !scope.nftFrom }) + probeScript(probes), {
    timeoutMs: ctx.execTimeoutMs,
    signal: ctx.signal,
  });
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
  let { mismatches, kept } = differences(ctx, facts);
  if (mismatches.length > 0 || outcomes.some((o) => !o.ok)) {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    ({ facts, probes: outcomes } = await roundTrip(ctx, '', probes));
    ({ mismatches, kept } = differences(ctx, facts));
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
  const failed = probeResults.filter((p) => !p.ok).length;
  const problems = [
    ...(mismatches.length ? [`${mismatches.length} mismatch${mismatches.length > 1 ? 'es' : ''}`] : []),
    ...(failed ? [`${failed} of ${probeResults.length} probes failed`] : []),
  ];
  const warnings = [...kept, ...hostWarnings(ctx.host.network, facts)];
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

/**
 * Runs steps as a transaction on the host (see txn-script.ts) and the gather (+ probes) after it, in
 * one round trip. They run only if the host's last transaction is still the one `before` saw
 * (else `stale`: nothing ran); `record` is what the record lists once they have.
 */
async function transact(
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
    ...faultPause(),
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
    error = new ApplyError(
      `step ${t.failed.index + 1}/${steps.length} failed: ${renderSteps([steps[t.failed.index]!])[0]}: ${t.failed.output}${undo}`,
      ctx.host.name,
    ).message;
  }
  return { after, done: t.committed ? steps.length : 0, committed: t.committed, error, stale: t.stale };
}

/** CNET_FAULT_PAUSE=STEP:SECONDS — fault injection for the test suite: the transaction sleeps after that step. */
function faultPause(): { pause?: { step: number; seconds: number } } {
  const m = /^(\d+):(\d+(\.\d+)?)$/.exec(process.env.CNET_FAULT_PAUSE ?? '');
  return m ? { pause: { step: Number(m[1]), seconds: Number(m[2]) } } : {};
}

/** The words a journal ends on while its run is unfinished (see txn-script.ts). */
const UNFINISHED = new Set(['begin', 'try', 'done', 'failed', 'undo', 'record']);

/**
 * An earlier run's transaction: still running (waited for, up to --lock-wait), or interrupted,
 * whatever word its journal ended on (rolled back now, from its journal).
 */
async function settleEarlierRun(ctx: HostContext, facts: HostFacts): Promise<{ warning?: HostWarning; error?: string; again?: boolean }> {
  const t = facts.txn;
  if (!t || !UNFINISHED.has(t.state)) return {};
  const locked = `the host is locked by another run: ${t.holder ?? `transaction ${t.id} (pid ${t.pid})`}`;
  if (t.alive) {
    if (ctx.options.lockWait === 0) return { error: locked };
    const res = await ctx.transport.run(awaitLockScript(ctx.options.lockWait), {
      timeoutMs: ctx.execTimeoutMs + ctx.options.lockWait * 1000,
      signal: ctx.signal,
    });
    return res.stdout.includes('@@locked') ? { error: locked } : { again: true };
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

/** How many times a host is read and planned again when another run changes it meanwhile. */
const ATTEMPTS = 3;

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

/** --confirm-timeout: a second, fresh connection confirms the run, or the host reverts it by itself. */
async function confirm(ctx: HostContext): Promise<HostWarning | undefined> {
  const t = ctx.options.confirmTimeout;
  if (t === undefined) return undefined;
  if (ctx.options.manualConfirm || !ctx.reconnect)
    return { message: `armed: the host reverts this run in ${t} s unless \`cnet-remote confirm\` reaches it first` };
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

type Round = Awaited<ReturnType<typeof roundTrip>>;

/**
 * Reads the host (once no earlier run is unfinished on it) and acts on what it read. When another
 * run changed the host after it was read, the action's transaction ran nothing (`stale`): read it
 * again and act anew, ATTEMPTS times at most. `notes`: what settling earlier runs said.
 */
async function onCurrentHost(
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

function up(ctx: HostContext): Promise<HostOutcome> {
  const probes = probesFor(ctx);
  return onCurrentHost(ctx, scopeOf(ctx.host), async (first, notes) => {
    ctx.phase('plan');
    const plan = planUp(ctx.host.network, first.facts, { prune: ctx.options.prune });
    if (plan.conflicts.length) return refused(conflictError(plan.conflicts), [...notes, ...hostWarnings(ctx.host.network, first.facts)]);
    if (plan.steps.length === 0) {
      const state = probes.length ? await verifyState(ctx, await roundTrip(ctx, '', probes), probes) : await verifyState(ctx, first, []);
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
    const state = await verifyState(ctx, after, probes);
    const confirmation = committed ? await confirm(ctx) : undefined;
    const warnings = [...notes, ...(confirmation ? [confirmation] : []), ...(state.warnings ?? [])];
    return { changed: true, steps: renderSteps(plan.steps.slice(0, done)), changes: done, ...state, warnings, ...(error ? { error, verified: false } : {}) };
  });
}

function down(ctx: HostContext): Promise<HostOutcome> {
  return onCurrentHost(ctx, ROOT_ONLY, async ({ facts }, notes) => {
    const warned = notes.length ? { warnings: notes } : {};
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

export const operations: Record<Command, HostOperation> = {
  async plan(ctx) {
    ctx.phase('gather');
    const { facts } = await roundTrip(ctx, '', []);
    if (facts.untrustedState) return refused(untrustedMessage(facts.untrustedState), [], facts);
    ctx.phase('plan');
    const plan = planUp(ctx.host.network, facts, { prune: ctx.options.prune });
    const steps = renderSteps(plan.steps);
    if (plan.conflicts.length) return { changed: false, steps, changes: 0, verified: false, mismatches: [], error: conflictError(plan.conflicts), facts };
    return { changed: steps.length > 0, steps, changes: steps.length, verified: steps.length === 0, mismatches: plan.findings.map(toMismatch), facts };
  },

  async verify(ctx) {
    const probes = probesFor(ctx);
    ctx.phase('gather');
    const read = await roundTrip(ctx, '', probes);
    if (read.facts.untrustedState) return refused(untrustedMessage(read.facts.untrustedState), [], read.facts);
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

  async confirm(ctx) {
    ctx.phase('apply');
    const res = await ctx.transport.run(confirmScript(), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal });
    if (res.stdout.includes('@@confirmed')) return { changed: true, steps: [], changes: 0, verified: true, mismatches: [] };
    const state = res.stdout.split('\n')[1]?.trim();
    return {
      changed: false,
      steps: [],
      changes: 0,
      verified: false,
      mismatches: [],
      error: `nothing to confirm: the host's last run is ${state ? `in state "${state}"` : 'unknown'}`,
    };
  },
};
