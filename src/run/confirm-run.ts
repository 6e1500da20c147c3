import { splitSections } from '../remote/markers.js';
import { confirmScript } from '../remote/txn.js';
import type { HostWarning } from '../result/result.js';
import type { HostContext, HostOutcome } from './host-context.js';

/** --confirm-timeout: a second, fresh connection confirms the run, or the host reverts it by itself. */
export async function confirmOverFreshConnection(ctx: HostContext): Promise<HostWarning | undefined> {
  const t = ctx.options.confirmTimeout;
  if (t === undefined) return undefined;
  if (ctx.options.manualConfirm || !ctx.reconnect)
    return { message: `armed: the host reverts this run in ${t} s unless \`cnet-remote confirm\` reaches it first` };
  try {
    const fresh = await ctx.reconnect();
    try {
      const res = await fresh.run(confirmScript(), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal });
      if (splitSections(res.stdout).has('confirmed')) return undefined;
      return { message: `not confirmed (${res.stdout.trim()}): the host reverts this run in ${t} s` };
    } finally {
      fresh.close();
    }
  } catch (err) {
    return { message: `not confirmed: a fresh connection failed (${(err as Error).message}): the host reverts this run within ${t} s` };
  }
}

/** `cnet-remote confirm`: confirms the host's last armed run, over this connection. */
export async function confirmLastRun(ctx: HostContext): Promise<HostOutcome> {
  ctx.phase('apply');
  const res = await ctx.transport.run(confirmScript(), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal });
  const out = splitSections(res.stdout);
  if (out.has('confirmed')) return { changed: true, steps: [], changes: 0, verified: true, mismatches: [] };
  const state = out.get('not-armed')?.split('\n')[0]?.trim();
  return {
    changed: false,
    steps: [],
    changes: 0,
    verified: false,
    mismatches: [],
    error: `nothing to confirm: the host's last run is ${state ? `in state "${state}"` : 'unknown'}`,
  };
}
