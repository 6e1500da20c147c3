import type { HostResult, RunResult } from '../result/result.js';

/** What the core reports while it works; the CLI renders these (listr2, plain lines, or nothing). */
export type Phase = 'connect' | 'gather' | 'plan' | 'apply' | 'verify' | 'exec';

export type RunEvent =
  | { kind: 'run-start'; command: string; hosts: string[]; forks: number }
  | { kind: 'host-phase'; host: string; phase: Phase }
  | { kind: 'host-done'; result: HostResult }
  | { kind: 'run-done'; result: RunResult };

export type RunEventKind = RunEvent['kind'];

/** A handler per kind: the compiler flags a renderer that misses one. */
export type EventHandlers = { [K in RunEventKind]: (event: Extract<RunEvent, { kind: K }>) => void };

export type EventSink = (event: RunEvent) => void;

export function dispatch(handlers: EventHandlers): EventSink {
  return (event) => (handlers[event.kind] as (e: RunEvent) => void)(event);
}
