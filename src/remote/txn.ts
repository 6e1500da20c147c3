import { formatOwned, type OwnedObject } from '../ownership/record.js';
import { UNFINISHED } from './journal.js';
import { type Call, program, type Table } from './program.js';

/** A step as the transaction runs it: its command, and what takes it back (none: nothing to take back). */
export interface TxnStep {
  argv: readonly string[];
  undo?: readonly string[];
}

/** The data of a transaction (programs/txn.sh). */
export interface TxnOptions {
  id: string;
  /** who holds the lock, for the message a second controller gets */
  holder: string;
  /** seconds to wait for another transaction's lock (0: fail at once) */
  lockWait: number;
  /**
   * the host's last transaction when the plan was made, as `ID WORD` (its run and the journal's
   * last word; NO_TXN when there was none): the steps run only if it still is
   */
  after: string;
  /** what the record lists once the steps are done (replaces it at commit) */
  record: OwnedObject[];
  /** arm a revert unless confirmed within this many seconds */
  confirmTimeout?: number;
  /** test-only fault injection: sleep this long after this step (given as data: OperationOptions.faultPause, see run/fault-pause.ts) */
  pause?: { step: number; seconds: number };
}

/**
 * A step's command as the program runs it: `sysctl -w KEY=N` becomes `write_proc KEY/AS/PATH N`,
 * the builtin write to /proc/sys that it is (one process less on the host); any other argv is as it is.
 */
export function stepArgv(argv: readonly string[]): readonly string[] {
  const m = argv.length === 3 && argv[0] === 'sysctl' && argv[1] === '-w' ? /^([a-z0-9_]+(?:\.[a-z0-9_-]+)+)=(\d+)$/.exec(argv[2]!) : null;
  return m ? ['write_proc', m[1]!.replace(/\./g, '/'), m[2]!] : argv;
}

/** `ip -n NS …` and `bridge …` steps: the tool and namespace a run of them shares as one `-batch` */
function batchOf(argv: readonly string[]): { tool: string; ns?: string } | undefined {
  if (argv[0] === 'ip') return argv[1] === '-n' && argv[2] !== undefined ? { tool: 'ip', ns: argv[2] } : { tool: 'ip' };
  return argv[0] === 'bridge' ? { tool: 'bridge' } : undefined;
}

/** Runs of `ip` steps in one namespace, or of `bridge` steps, become one unit (one `-batch`); a pause ends a unit. */
function units(steps: readonly TxnStep[], pauseAfter: number | undefined): { s: TxnStep; i: number }[][] {
  const out: { s: TxnStep; i: number }[][] = [];
  steps.forEach((s, i) => {
    const cur = out[out.length - 1];
    const prev = cur?.[cur.length - 1];
    const a = batchOf(s.argv);
    const b = prev && batchOf(prev.s.argv);
    if (a && b && a.tool === b.tool && a.ns === b.ns && prev!.i !== pauseAfter) cur!.push({ s, i });
    else out.push([{ s, i }]);
  });
  return out;
}

/** run_steps: each unit a `step I ARGV…` or a `batch FIRST LAST TOOL [-n NS]` reading its steps' words; a pause after its step */
function runSteps(steps: readonly TxnStep[], pause: TxnOptions['pause']): Table {
  const calls: Call[] = [];
  for (const unit of units(steps, pause?.step)) {
    const first = unit[0]!;
    const last = unit[unit.length - 1]!;
    if (unit.length === 1) calls.push({ argv: ['step', String(first.i), ...stepArgv(first.s.argv)] });
    else {
      const { tool, ns } = batchOf(first.s.argv)!;
      const prefix = ns ? ['-n', ns] : [];
      calls.push({
        argv: ['batch', String(first.i), String(last.i), tool, ...prefix],
        stdin: unit.map(({ s }) => s.argv.slice(1 + prefix.length)),
      });
    }
    if (pause && unit.some(({ i }) => i === pause.step)) calls.push({ argv: ['pause', String(pause.seconds)] });
  }
  return { kind: 'calls', calls };
}

/** A transaction on the host: programs/txn.sh with these steps, their undos and options. */
export function txnScript(steps: readonly TxnStep[], o: TxnOptions): string {
  return program('txn', {
    values: {
      ID: o.id,
      HOLDER: o.holder,
      LOCK_WAIT: o.lockWait,
      AFTER: o.after,
      RECORD: o.record.map((x) => `${formatOwned(x)}\n`).join(''),
      CONFIRM_TIMEOUT: o.confirmTimeout ?? '',
      UNFINISHED: UNFINISHED.join(' '),
    },
    tables: {
      undo_step: { kind: 'case', entries: steps.flatMap((s, i) => (s.undo ? [[i, stepArgv(s.undo)] as const] : [])) },
      run_steps: runSteps(steps, o.pause),
    },
  });
}

/** What the controller runs over SSH to start a transaction (programs/launch.sh). */
export function launchScript(script: string, lockWait: number): string {
  return program('launch', { values: { LOCK_WAIT: lockWait, SCRIPT: script.trimEnd() } });
}

/** Runs the transaction already on the host (after an interrupted run) in `rollback` mode (programs/recover.sh). */
export function recoverScript(): string {
  return program('recover');
}

/** Waits (at most `seconds`) for another run's lock to be let go, then lets go of it at once (programs/await-lock.sh). */
export function awaitLockScript(seconds: number): string {
  return program('await-lock', { values: { LOCK_WAIT: seconds } });
}

/** A fresh connection's confirmation of the run armed with --confirm-timeout (programs/confirm.sh). */
export function confirmScript(): string {
  return program('confirm');
}
