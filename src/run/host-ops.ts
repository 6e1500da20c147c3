import { applyScript, parseApplyOutput } from '../apply/apply-script.js';
import { ApplyError, PlanError } from '../errors.js';
import { gatherScript } from '../facts/gather-script.js';
import { parseFacts } from '../facts/parse-facts.js';
import type { HostFacts } from '../facts/types.js';
import type { ResolvedHost } from '../inventory/types.js';
import { assess } from '../plan/assess.js';
import { leftovers, planDown, planUp } from '../plan/plan.js';
import { renderSteps } from '../plan/render-shell.js';
import type { Step } from '../plan/step.js';
import type { HostWarning, Mismatch, ProbeResult } from '../report/result.js';
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
}

export interface OperationOptions {
  /** run the probe matrix after verifying */
  probe: boolean;
  /** `up`: `down` first, then build from a clean slate */
  rebuild: boolean;
}

export interface HostContext {
  host: ResolvedHost;
  transport: Transport;
  phase(p: Phase): void;
  execTimeoutMs: number;
  options: OperationOptions;
  /** the host's deadline: aborting ends its connection */
  signal?: AbortSignal;
}

export type Command = 'up' | 'plan' | 'verify' | 'down';
export type HostOperation = (ctx: HostContext) => Promise<HostOutcome>;

/** How long state that settles (links coming up) gets before a mismatch is final. */
const SETTLE_MS = 300;

const namespacesOf = (host: ResolvedHost): string[] => host.network.namespaces.map((n) => n.name);
const mismatchesOf = (host: ResolvedHost, facts: HostFacts): Mismatch[] =>
  assess(host.network, facts).findings.map(({ path, desired, actual }) => ({ path, desired, actual }));

/** One round trip: `prefix` (steps to apply, or nothing), the facts, and the probes if asked. */
async function roundTrip(ctx: HostContext, prefix: string, probes: PlannedProbe[]) {
  const res = await ctx.transport.run(prefix + gatherScript(namespacesOf(ctx.host)) + probeScript(probes), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal });
  const facts = parseFacts(res.stdout + (res.code === 0 ? '' : `\n${res.stderr}`), ctx.host.name);
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

const probesFor = (ctx: HostContext): PlannedProbe[] => (ctx.options.probe ? probePlan(ctx.host.network, ctx.host.probeTarget) : []);

function conflictError(conflicts: string[]): string {
  return new PlanError(`refused, nothing applied: ${conflicts.join('; ')}`).message;
}

function applyError(ctx: HostContext, stdout: string, steps: Step[]) {
  const outcome = parseApplyOutput(stdout, steps.length);
  const error = outcome.failed
    ? new ApplyError(`step ${outcome.failed.index + 1}/${steps.length} failed: ${renderSteps([steps[outcome.failed.index]!])[0]}: ${outcome.failed.output}`, ctx.host.name).message
    : undefined;
  return { done: outcome.done, error };
}

async function up(ctx: HostContext): Promise<HostOutcome> {
  const probes = probesFor(ctx);
  ctx.phase('gather');
  const first = await roundTrip(ctx, '', []);
  ctx.phase('plan');
  const plan = planUp(ctx.host.network, first.facts);
  if (plan.conflicts.length) return { changed: false, steps: [], changes: 0, verified: false, mismatches: [], warnings: hostWarnings(ctx.host.network, first.facts), error: conflictError(plan.conflicts) };
  if (plan.steps.length === 0) {
    const state = probes.length ? await verifyState(ctx, await roundTrip(ctx, '', probes), probes) : await verifyState(ctx, first, []);
    return { changed: false, steps: [], changes: 0, ...state };
  }
  ctx.phase('apply');
  const after = await roundTrip(ctx, applyScript(plan.steps), probes);
  const { done, error } = applyError(ctx, after.stdout, plan.steps);
  const state = await verifyState(ctx, after, probes);
  return { changed: true, steps: renderSteps(plan.steps.slice(0, done)), changes: done, ...state, ...(error ? { error, verified: false } : {}) };
}

async function down(ctx: HostContext): Promise<HostOutcome> {
  ctx.phase('gather');
  const res = await ctx.transport.run(gatherScript([]), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal });
  const facts = parseFacts(res.stdout, ctx.host.name);
  ctx.phase('plan');
  const steps = planDown(facts);
  if (steps.length === 0) return { changed: false, steps: [], changes: 0, verified: true, mismatches: [], facts };
  ctx.phase('apply');
  const after = await ctx.transport.run(applyScript(steps) + gatherScript([]), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal });
  const { done, error } = applyError(ctx, after.stdout, steps);
  ctx.phase('verify');
  const afterFacts = parseFacts(after.stdout, ctx.host.name);
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
    return { changed: steps.length > 0, steps, changes: steps.length, verified: steps.length === 0, mismatches: plan.findings.map(({ path, desired, actual }) => ({ path, desired, actual })), facts };
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
};
