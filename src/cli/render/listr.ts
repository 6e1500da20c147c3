import { Listr, ListrLogger, ProcessOutput } from 'listr2';

import { compareHostNames } from '../../result/host-order.js';
import type { HostResult, HostStatus } from '../../result/result.js';
import { dispatch, type EventSink, type Phase, type RunEvent } from '../../run/events.js';
import { showLine, shown } from '../../shown.js';
import { errorLines, formatMismatch } from './recap.js';

/** Up to this many hosts get a listr task each; above it, one summary task (listr2 breaks when taller than the terminal). */
export const PER_HOST_LIMIT = 20;
/** How many in-flight hosts the summary title names. */
export const RUNNING_SHOWN = 5;

export interface ListrRendererOptions {
  stdout: NodeJS.WriteStream;
  /** where listr2 buffers stray stderr writes while it draws; default process.stderr */
  stderr?: NodeJS.WriteStream;
  /** the clock (tests give their own) */
  now?: () => number;
}

export interface Renderer {
  sink: EventSink;
  /** Resolves once `run-done` has come and listr2 has drawn its last frame. */
  done(): Promise<void>;
}

type Outcome = { ok: true } | { ok: false; message: string };

/** The settable part of listr2's TaskWrapper. */
interface Titled {
  title: string;
}

/**
 * A deferred outcome plus a title that may change before listr2 has even started the task. listr2
 * draws on the terminal itself, not through Output: what it gets from here is `shown` here.
 */
class Slot {
  private wrapper: Titled | undefined;
  private settle!: (o: Outcome) => void;
  private readonly outcome = new Promise<Outcome>((resolve) => (this.settle = resolve));
  settled = false;

  constructor(private title: string) {}

  get initialTitle(): string {
    return showLine(this.title);
  }

  setTitle(title: string): void {
    if (this.settled || title === this.title) return;
    this.title = title;
    if (this.wrapper) this.wrapper.title = showLine(title);
  }

  finish(title: string, outcome: Outcome): void {
    if (this.settled) return;
    this.setTitle(title);
    this.settled = true;
    this.settle(outcome);
  }

  /** The listr task body: show the current title, wait for the sink, throw for a failure. */
  async run(wrapper: Titled): Promise<void> {
    this.wrapper = wrapper;
    wrapper.title = showLine(this.title);
    const outcome = await this.outcome;
    if (!outcome.ok) throw new Error(shown(outcome.message));
  }
}

function failureMessage(h: HostResult): string {
  const lines = [...errorLines(h.error), ...h.mismatches.map(formatMismatch)];
  const text = lines.length > 0 ? lines.join('\n') : h.status;
  return h.status === 'unreachable' ? `unreachable: ${text}` : text;
}

function finalTitle(h: HostResult): string {
  return h.status === 'changed' ? `${h.name} changed (${h.changes})` : `${h.name} ${h.status}`;
}

function outcomeOf(h: HostResult): Outcome {
  return h.status === 'ok' || h.status === 'changed' ? { ok: true } : { ok: false, message: failureMessage(h) };
}

const NOT_FINISHED: Outcome = { ok: false, message: 'the run ended before this host finished' };

/** One task per host: `vm1 · gather` while it works, `vm1 changed (3)` / red with its error at the end. */
function perHostView(hosts: string[]): { tasks: Slot[]; handle: EventSink } {
  const slots = new Map(hosts.map((h) => [h, new Slot(h)] as const));
  const handle = dispatch({
    'run-start': () => {},
    'host-phase': (e) => slots.get(e.host)?.setTitle(`${e.host} · ${e.phase}`),
    'host-done': (e) => slots.get(e.result.name)?.finish(finalTitle(e.result), outcomeOf(e.result)),
    'run-done': (e) => {
      const byName = new Map(e.result.hosts.map((h) => [h.name, h] as const));
      for (const [name, slot] of slots) {
        const h = byName.get(name);
        if (h) slot.finish(finalTitle(h), outcomeOf(h));
        else slot.finish(`${name} not finished`, NOT_FINISHED);
      }
    },
  });
  return { tasks: [...slots.values()], handle };
}

function names(list: string[]): string {
  const first = list.slice(0, RUNNING_SHOWN).join(', ');
  return list.length > RUNNING_SHOWN ? `${first} …` : first;
}

/** `m:ss` */
export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * One summary task: `12/100 done · 3 changed · 1 failed · 0 unreachable · 0:14, ~1:40 left ·
 * running: vm13 (apply), …`; the estimate is the time so far over the hosts done, for the hosts
 * left. At the end, the counts are those of the final result (a host verified after it was first
 * done, say), and the hosts that went wrong are named in host order.
 */
function summaryView(hosts: string[], now: () => number): { tasks: Slot[]; handle: EventSink } {
  const expected = new Set(hosts);
  const done = new Map<string, HostStatus>();
  const running = new Map<string, Phase>(); // insertion order = order the hosts started
  const started = now();
  let ended = false;
  const count = (s: HostStatus): number => [...done.values()].filter((v) => v === s).length;
  const title = (): string => {
    const parts = [`${done.size}/${hosts.length} done`, `${count('changed')} changed`, `${count('failed')} failed`, `${count('unreachable')} unreachable`];
    const elapsed = now() - started;
    const left = done.size > 0 && done.size < hosts.length ? `, ~${clock((elapsed / done.size) * (hosts.length - done.size))} left` : '';
    parts.push(`${clock(elapsed)}${ended ? '' : left}`);
    if (running.size > 0) parts.push(`running: ${names([...running].map(([h, p]) => `${h} (${p})`))}`);
    return parts.join(' · ');
  };
  const slot = new Slot(title());
  const markDone = (h: HostResult): void => {
    if (!expected.has(h.name)) return;
    running.delete(h.name);
    done.set(h.name, h.status);
  };
  // the clock moves between events too
  const timer = setInterval(() => slot.setTitle(title()), 1000);
  timer.unref();

  const handle = dispatch({
    'run-start': () => {},
    'host-phase': (e) => {
      if (!expected.has(e.host) || done.has(e.host)) return;
      running.set(e.host, e.phase);
      slot.setTitle(title());
    },
    'host-done': (e) => {
      markDone(e.result);
      slot.setTitle(title());
    },
    'run-done': (e) => {
      clearInterval(timer);
      ended = true;
      for (const h of e.result.hosts) markDone(h);
      running.clear();
      const bad = (s: HostStatus): string[] =>
        [...done]
          .filter(([, v]) => v === s)
          .map(([h]) => h)
          .sort(compareHostNames);
      const problems = [
        bad('failed').length > 0 ? `failed: ${names(bad('failed'))}` : '',
        bad('unreachable').length > 0 ? `unreachable: ${names(bad('unreachable'))}` : '',
        done.size < hosts.length ? `not finished: ${names(hosts.filter((h) => !done.has(h)).sort(compareHostNames))}` : '',
      ].filter(Boolean);
      slot.finish(title(), problems.length > 0 ? { ok: false, message: problems.join('\n') } : { ok: true });
    },
  });
  return { tasks: [slot], handle };
}

/**
 * listr2 (default renderer) for a TTY. The core schedules the hosts (p-queue); listr2 only draws:
 * every task is started at once and settles when the matching event arrives. A failed host fails
 * its task, but `exitOnError: false` keeps the others going, and listr2 never touches the exit
 * code: the CLI derives it from the RunResult. Ctrl-C is the CLI's (`registerSignalListeners: false`).
 */
export function listrRenderer(opts: ListrRendererOptions): Renderer {
  const runs: Promise<unknown>[] = [];
  let current: EventSink | undefined;

  const start = (e: Extract<RunEvent, { kind: 'run-start' }>): void => {
    const view = e.hosts.length > PER_HOST_LIMIT ? summaryView(e.hosts, opts.now ?? Date.now) : perHostView(e.hosts);
    current = view.handle;
    if (view.tasks.length === 0) return;
    const rendererOptions = {
      collapseErrors: false,
      logger: new ListrLogger({ useIcons: true, processOutput: new ProcessOutput(opts.stdout, opts.stderr) }),
    };
    const listr = new Listr(
      view.tasks.map((slot) => ({ title: slot.initialTitle, task: (_ctx: unknown, task: Titled) => slot.run(task) })),
      {
        concurrent: true,
        exitOnError: false,
        registerSignalListeners: false,
        renderer: 'default',
        rendererOptions,
        // Not a fallback: the CLI picked listr for a TTY `stdout`, but listr2 would test
        // process.stdout.isTTY on its own and switch to its simple renderer.
        fallbackRenderer: 'default',
        fallbackRendererOptions: rendererOptions,
      },
    );
    runs.push(listr.run());
  };

  const sink: EventSink = (event) => {
    if (event.kind === 'run-start') start(event);
    current?.(event);
  };

  return {
    sink,
    async done() {
      await Promise.all(runs);
    },
  };
}
