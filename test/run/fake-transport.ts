import { readFileSync } from 'node:fs';
import { programParts } from '../../src/remote/program.js';
import { awaitLockScript, confirmScript, recoverScript } from '../../src/remote/txn.js';
import type { ExecResult, RunOptions, Transport } from '../../src/transport/transport.js';

/** What host-ops sends: a gather (+ probes), a transaction launch then a gather, a recovery, a wait for the lock, a confirmation. */
export type ScriptKind = 'gather' | 'txn+gather' | 'recover' | 'await-lock' | 'confirm';

/** the gather and launch programs after their data: every gather, and every launch, holds it */
const GATHER = programParts('gather').body;
const LAUNCH = programParts('launch').body;

export function kindOf(script: string): ScriptKind {
  if (script === recoverScript()) return 'recover';
  if (script === confirmScript()) return 'confirm';
  if (script.includes(GATHER)) return script.includes(LAUNCH) ? 'txn+gather' : 'gather';
  const wait = /^LOCK_WAIT=(\d+)$/m.exec(script);
  if (wait && script === awaitLockScript(Number(wait[1]))) return 'await-lock';
  throw new Error(`the fake host does not know this script:\n${script}`);
}

/** One answer of the fake host: to a script of this kind, this output (or the connection fails). */
export interface Answer {
  kind: ScriptKind;
  stdout?: string;
  stderr?: string;
  code?: number | null;
  fail?: Error;
}

/**
 * A host that answers the scripts it is sent, in order, with recorded outputs. A script of another
 * kind than the next answer expects, or one too many, fails the operation (and so the test).
 */
export class FakeTransport implements Transport {
  readonly sent: { kind: ScriptKind; script: string; opts?: RunOptions }[] = [];
  closed = false;
  constructor(private readonly answers: Answer[]) {}

  async run(script: string, opts?: RunOptions): Promise<ExecResult> {
    const kind = kindOf(script);
    this.sent.push({ kind, script, ...(opts ? { opts } : {}) });
    const a = this.answers.shift();
    if (!a) throw new Error(`the fake host has no answer left for a ${kind} script`);
    if (a.kind !== kind) throw new Error(`the fake host expected a ${a.kind} script, got a ${kind} script`);
    if (a.fail) throw a.fail;
    return { stdout: a.stdout ?? '', stderr: a.stderr ?? '', code: a.code === undefined ? 0 : a.code };
  }

  close(): void {
    this.closed = true;
  }

  /** the answers not asked for */
  get left(): number {
    return this.answers.length;
  }
}

/** A recorded output: test/fixtures/run/NAME.txt (sandbox recordings) or test/fixtures/facts/NAME.txt (lab VMs); see their READMEs. */
export const recorded = (dir: 'run' | 'facts', name: string): string => readFileSync(new URL(`../fixtures/${dir}/${name}.txt`, import.meta.url), 'utf8');
