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
import type { Mismatch } from '../report/result.js';
import type { Transport } from '../transport/transport.js';
import type { Phase } from './events.js';

/** What an operation found on one host; run-hosts.ts turns it into a HostResult. */
export interface HostOutcome {
  changed: boolean;
  steps: string[];
  changes: number;
  verified: boolean;
  mismatches: Mismatch[];
  error?: string;
}

export interface HostContext {
  host: ResolvedHost;
  transport: Transport;
  phase(p: Phase): void;
  execTimeoutMs: number;
}

export type Command = 'up' | 'plan' | 'verify' | 'down';
export type HostOperation = (ctx: HostContext) => Promise<HostOutcome>;

function namespacesOf(host: ResolvedHost): string[] {
  return host.network.namespaces.map((n) => n.name);
}

async function gather(ctx: HostContext, namespaces: string[]): Promise<HostFacts> {
  ctx.phase('gather');
  const res = await ctx.transport.run(gatherScript(namespaces), { timeoutMs: ctx.execTimeoutMs });
  return parseFacts(res.stdout + (res.code === 0 ? '' : `\n${res.stderr}`), ctx.host.name);
}

/** Runs steps and reads the state back in the same round trip. */
async function applyAndReadBack(ctx: HostContext, steps: Step[], namespaces: string[]) {
  ctx.phase('apply');
  const res = await ctx.transport.run(applyScript(steps) + gatherScript(namespaces), { timeoutMs: ctx.execTimeoutMs });
  const outcome = parseApplyOutput(res.stdout, steps.length);
  ctx.phase('verify');
  const after = parseFacts(res.stdout, ctx.host.name);
  const error = outcome.failed
    ? new ApplyError(`step ${outcome.failed.index + 1}/${steps.length} failed: ${renderSteps([steps[outcome.failed.index]!])[0]}: ${outcome.failed.output}`, ctx.host.name).message
    : undefined;
  return { done: outcome.done, after, error };
}

function conflictError(conflicts: string[]): string {
  return new PlanError(`refused, nothing applied: ${conflicts.join('; ')}`).message;
}

const mismatchesOf = (host: ResolvedHost, facts: HostFacts): Mismatch[] =>
  assess(host.network, facts).findings.map(({ path, desired, actual }) => ({ path, desired, actual }));

export const operations: Record<Command, HostOperation> = {
  async plan(ctx) {
    const facts = await gather(ctx, namespacesOf(ctx.host));
    ctx.phase('plan');
    const plan = planUp(ctx.host.network, facts);
    const steps = renderSteps(plan.steps);
    if (plan.conflicts.length) return { changed: false, steps, changes: 0, verified: false, mismatches: [], error: conflictError(plan.conflicts) };
    return { changed: steps.length > 0, steps, changes: steps.length, verified: steps.length === 0, mismatches: plan.findings.map(({ path, desired, actual }) => ({ path, desired, actual })) };
  },

  async verify(ctx) {
    const facts = await gather(ctx, namespacesOf(ctx.host));
    ctx.phase('verify');
    const mismatches = mismatchesOf(ctx.host, facts);
    return { changed: false, steps: [], changes: 0, verified: mismatches.length === 0, mismatches, ...(mismatches.length ? { error: `${mismatches.length} mismatch${mismatches.length > 1 ? 'es' : ''}` } : {}) };
  },

  async up(ctx) {
    const namespaces = namespacesOf(ctx.host);
    const facts = await gather(ctx, namespaces);
    ctx.phase('plan');
    const plan = planUp(ctx.host.network, facts);
    if (plan.conflicts.length) return { changed: false, steps: [], changes: 0, verified: false, mismatches: [], error: conflictError(plan.conflicts) };
    if (plan.steps.length === 0) return { changed: false, steps: [], changes: 0, verified: true, mismatches: [] };
    const { done, after, error } = await applyAndReadBack(ctx, plan.steps, namespaces);
    const mismatches = mismatchesOf(ctx.host, after);
    return {
      changed: true,
      steps: renderSteps(plan.steps.slice(0, done)),
      changes: done,
      verified: !error && mismatches.length === 0,
      mismatches,
      ...(error ? { error } : mismatches.length ? { error: `applied, but ${mismatches.length} mismatch(es) remain` } : {}),
    };
  },

  async down(ctx) {
    const facts = await gather(ctx, []);
    ctx.phase('plan');
    const steps = planDown(facts);
    if (steps.length === 0) return { changed: false, steps: [], changes: 0, verified: true, mismatches: [] };
    const { done, after, error } = await applyAndReadBack(ctx, steps, []);
    const left: Mismatch[] = leftovers(facts.record, after).map((cmd) => ({ path: 'owned', desired: 'removed', actual: `still present (${cmd})` }));
    return {
      changed: true,
      steps: renderSteps(steps.slice(0, done)),
      changes: done,
      verified: !error && left.length === 0,
      mismatches: left,
      ...(error ? { error } : left.length ? { error: 'some objects cnet-remote created are still present' } : {}),
    };
  },
};
