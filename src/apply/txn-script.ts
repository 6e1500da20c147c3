import { formatOwned, type OwnedObject } from '../ownership/record.js';
import { checkStateDir, HOLDER_FILE, LOCK_FILE, STATE_DIR, RECORD_FILE, TXN_DIR, TXN_JOURNAL, TXN_SCRIPT } from '../remote/state-dir.js';
import { netnsOf, type Step } from '../plan/step.js';
import { quoteArgv, quoteWord } from '../shell/quote.js';

/**
 * A transaction on the host. The steps run in a shell of their own (`setsid`), apart from the
 * SSH session: a dropped connection does not stop them. They hold a lock (flock) for their whole
 * life and first check, under it, that the host's last transaction is still the one the plan was
 * made after (else `@@stale`: nothing runs, the controller gathers and plans again). They write a
 * journal as they go, and on the first failing step undo what they did, in reverse. The record of
 * what cnet-remote owns is replaced only at commit. Run with `rollback` (by the next run, after
 * the runner died), the script undoes what its journal says may have been done, whatever word
 * the journal ended on; with `revert` (armed by --confirm-timeout) it waits, and undoes the
 * committed run unless it was confirmed.
 *
 * The journal: `begin ID PID`, then per step `done I` (or, before a batch of steps, `try LAST`),
 * `failed I`, `undo I` before each undo, `rolledback OK`, `record` before the record is replaced,
 * `commit`, `armed SECONDS`, `confirmed`, `reverted OK`.
 */
export interface TxnOptions {
  id: string;
  /** who holds the lock, for the message a second controller gets */
  holder: string;
  /** seconds to wait for another transaction's lock (0: fail at once) */
  lockWait: number;
  /**
   * the host's last transaction when the plan was made, as `ID WORD` (its run and the journal's
   * last word; a single space when there was none): the steps run only if it still is
   */
  after: string;
  /** what the record lists once the steps are done (replaces it at commit) */
  record: OwnedObject[];
  /** arm a revert unless confirmed within this many seconds */
  confirmTimeout?: number;
  /** test-only fault injection: sleep this long after this step (given as data: OperationOptions.faultPause, see run/fault-pause.ts) */
  pause?: { step: number; seconds: number };
}

/** The journal's state as read_journal sees it: `ID WORD`, or one space for an absent or empty journal. */
export const NO_TXN = ' ';

const q = quoteWord;
const P = (text: string) => `printf '%s\\n' ${q(text)}`;
const D = TXN_DIR;
const J = TXN_JOURNAL;
/**
 * A step's command as the script runs it: its argv, quoted; `sysctl -w KEY=N` as the write to
 * /proc/sys that it is (a builtin: one process less on the host).
 */
export function stepCommand(argv: readonly string[]): string {
  const m = argv.length === 3 && argv[0] === 'sysctl' && argv[1] === '-w' ? /^([a-z0-9_]+(?:\.[a-z0-9_-]+)+)=(\d+)$/.exec(argv[2]!) : null;
  return m ? `printf '%s\\n' ${m[2]} > /proc/sys/${m[1]!.replace(/\./g, '/')}` : quoteArgv(argv);
}

/** copies file a to b with shell builtins only (an absent a: an empty b) */
const copy = (a: string, b: string) => `if [ -f ${a} ]; then while IFS= read -r l; do printf '%s\\n' "$l"; done < ${a} > ${b}; else : > ${b}; fi`;
/** the record as it was before this run's commit */
const restoreRecord = `if [ -s ${D}/owned.before ]; then ${copy(`${D}/owned.before`, RECORD_FILE)}; else rm -f ${RECORD_FILE}; fi`;
/** this run's undos of steps $1 … 0 (ur=1 if one failed); an undo of a step at or above $2 may
 * find that its step never ran (the runner died inside a batch, or inside an undo): it is run
 * all the same, and its failure is not one */
const ROLLBACK = `rollback() { i=$1; while [ "$i" -ge 0 ]; do echo "undo $i" >> ${J}; printf '@@undo %s\\n' "$i"; if [ "$i" -ge "$2" ]; then undo_step "$i" > /dev/null 2>&1; else undo_step "$i" 2>&1 || ur=1; fi; i=$((i-1)); done; }`;
/**
 * Reads the journal: its run ($jid) and last word ($st); the steps that may have run ($top) of
 * which those below $firm surely did; whether the record may have been replaced ($rec).
 */
const READ_JOURNAL = `read_journal() { jid= st= top=-1 firm=0 rec=; [ -f ${J} ] || return 0; while read -r k v rest; do case "$k" in begin) jid=$v top=-1 firm=0 rec= ;; done) top=$v firm=$((v+1)) ;; try) top=$v ;; failed) top=$((v-1)) firm=$v ;; undo) top=$v firm=$v ;; record) rec=1 ;; rolledback|reverted) top=-1 ;; esac; st=$k; done < ${J}; }`;

export function txnScript(steps: Step[], o: TxnOptions): string {
  const lines = [
    '#!/bin/sh',
    `# cnet-remote transaction ${o.id}: ${steps.length} steps`,
    'umask 077',
    `ID=${q(o.id)}`,
    'undo_step() {',
    '  case "$1" in',
    ...steps.flatMap((s, i) => (s.undo ? [`  ${i}) ${stepCommand(s.undo)} ;;`] : [])),
    '  *) : ;;',
    '  esac',
    '}',
    ROLLBACK,
    `fail() { echo "failed $1" >> ${J}; ur=0; rollback $(($1-1)) "$1"; echo "rolledback $ur" >> ${J}; printf '@@rolledback %s\\n' "$ur"; exit 1; }`,
    READ_JOURNAL,
    'mode=${1:-apply}',
    `if [ "$mode" = revert ]; then sleep "$2"; [ -e ${D}/confirmed-$ID ] && exit 0; fi`,
    // `apply locked`: started by launchScript, which took the lock: fd 9 holds it
    'if [ "$mode ${2-}" != "apply locked" ]; then',
    `exec 9>> ${LOCK_FILE}`,
    // a revert waits for the lock as long as it takes; a run waits --lock-wait seconds at most
    `if [ "$mode" = revert ]; then flock 9; elif ! flock ${o.lockWait > 0 ? `-w ${o.lockWait}` : '-n'} 9; then ${P('@@locked')}; cat ${HOLDER_FILE} 2>/dev/null; exit 75; fi`,
    'fi',
    'read_journal',
    'case "$mode" in',
    'rollback)',
    // only this run, still unfinished: another run may have recovered it, and even run since, while this
    // one waited for the lock (undoing by a later run's journal would undo the wrong steps)
    `  case "$jid $st" in "$ID begin"|"$ID try"|"$ID done"|"$ID failed"|"$ID undo"|"$ID record") ;; *) printf '@@superseded %s %s\\n' "$jid" "$st"; exit 0 ;; esac`,
    `  ur=0; rollback "$top" "$firm"; if [ -n "$rec" ]; then ${restoreRecord}; fi; echo "rolledback $ur" >> ${J}; printf '@@rolledback %s\\n' "$ur"; exit 0 ;;`,
    'revert)',
    `  [ -e ${D}/confirmed-$ID ] && exit 0`,
    // a later run has superseded this one since (the journal is its): undoing by it would undo the wrong steps
    `  [ "$jid" = "$ID" ] || { echo "superseded by $jid: not reverted"; exit 0; }`,
    `  ur=0; rollback "$top" "$firm"; ${restoreRecord}; echo "reverted $ur" >> ${J}; exit 0 ;;`,
    'esac',
    // the plan was made from the host as it was after that transaction: another run since, and it is stale
    `[ "$jid $st" = ${q(o.after)} ] || { printf '@@stale %s %s\\n' "$jid" "$st"; exit 0; }`,
    `${P(o.holder)} > ${HOLDER_FILE}`,
    `echo "begin $ID $$" > ${J}`,
  ];
  for (const unit of units(steps, o.pause?.step)) {
    const first = unit[0]!;
    const last = unit[unit.length - 1]!;
    lines.push(`printf '@@step %s\\n' ${first.i}`);
    if (unit.length === 1) {
      lines.push(`if ${stepCommand(first.s.argv)} 2>&1; then echo "done ${first.i}" >> ${J}; else fail ${first.i}; fi`);
    } else {
      // one `ip -batch` (or `bridge -batch`) for the run of steps; on a failure, it names its line: the steps before it are done
      const ns = netnsOf(first.s);
      const batch = quoteArgv([first.s.argv[0]!, ...(ns ? ['-n', ns] : []), '-batch', '-']);
      lines.push(
        // a runner that dies inside the batch leaves this for the next run's rollback to go from
        `echo "try ${last.i}" >> ${J}`,
        `out=$(${batch} 2>&1 <<'CNET_BATCH'`,
        ...unit.map(({ s }) => quoteArgv(s.argv.slice(ns ? 3 : 1))),
        'CNET_BATCH',
        ')',
        'rc=$?',
        `if [ "$rc" = 0 ]; then [ -n "$out" ] && printf '%s\\n' "$out"; echo "done ${last.i}" >> ${J}; else`,
        `  n=\${out##*Command failed -:}; n=\${n%%[!0-9]*}; [ -n "$n" ] || n=1; k=$((${first.i} + n - 1))`,
        `  printf '@@step %s\\n%s\\n' "$k" "\${out%%Command failed -:*}"; fail "$k"; fi`,
      );
    }
    if (o.pause && unit.some(({ i }) => i === o.pause!.step)) lines.push(`sleep ${o.pause.seconds} 9>&-`);
  }
  const record = o.record.map((x) => `${formatOwned(x)}\n`).join('');
  lines.push(
    copy(RECORD_FILE, `${D}/owned.before`),
    `echo record >> ${J}`,
    record ? `printf '%s' ${q(record)} > ${RECORD_FILE}` : `rm -f ${RECORD_FILE}`,
    `echo commit >> ${J}`,
  );
  if (o.confirmTimeout !== undefined) {
    // the revert reads this run's script through a descriptor this shell opens now, under the lock
    // (not the background child, which may run only after a later run has put its own in place)
    lines.push(
      `echo "armed ${o.confirmTimeout}" >> ${J}`,
      `exec 8< ${TXN_SCRIPT}`,
      `setsid sh /proc/self/fd/8 revert ${o.confirmTimeout} < /dev/null > ${D}/revert.out 2>&1 9>&- &`,
      'exec 8<&-',
    );
  }
  lines.push(P('@@committed'));
  return `${lines.join('\n')}\n`;
}

/** Runs of `ip` steps in one namespace, or of `bridge` steps, become one unit (one `-batch`); a pause ends a unit. */
function units(steps: Step[], pauseAfter: number | undefined): { s: Step; i: number }[][] {
  const out: { s: Step; i: number }[][] = [];
  steps.forEach((s, i) => {
    const cur = out[out.length - 1];
    const prev = cur?.[cur.length - 1];
    const tool = s.argv[0];
    const joins = prev && (tool === 'ip' || tool === 'bridge') && prev.s.argv[0] === tool && netnsOf(s) === netnsOf(prev.s) && prev.i !== pauseAfter;
    if (joins) cur!.push({ s, i });
    else out.push([{ s, i }]);
  });
  return out;
}

/** Refuses to go on (prints `@@untrusted WHAT` and the exit status) unless the state folder is trustworthy. */
const refuseUntrusted = [checkStateDir, `if [ -n "$bad" ]; then printf '@@untrusted %s\\n@@apply-exit\\n75\\n' "$bad"; exit 0; fi`];

/**
 * What the controller runs over SSH: checks that the state folder is root's alone (creating it,
 * mode 700, if absent), takes the host's lock (waiting --lock-wait seconds at most), and only
 * then, holding it, writes the transaction as the host's current one (a second controller that
 * finds the host locked must not overwrite the running transaction's script, which `rollback`
 * and `revert` run again, nor its output), starts it detached from the session with the lock
 * (fd 9) handed on, waits for it and prints its output. If the session drops, the transaction
 * goes on, still holding the lock. Everything here but `find`, `chmod`, `flock`, `mv` and `setsid`
 * is a shell builtin.
 */
export function launchScript(script: string, lockWait: number): string {
  const out = `${TXN_DIR}/out`;
  return `${[
    'umask 077',
    ...refuseUntrusted,
    `[ -d ${TXN_DIR} ] || mkdir -p ${TXN_DIR}`,
    // what an earlier version made readable by all
    `chmod -R go= ${STATE_DIR}`,
    `exec 9>> ${LOCK_FILE}`,
    `if ! flock ${lockWait > 0 ? `-w ${lockWait}` : '-n'} 9; then ${P('@@locked')}; cat ${HOLDER_FILE} 2>/dev/null; printf '@@apply-exit\\n75\\n'; else`,
    // a builtin writes it (`cat` with a here-document costs a fork and an exec); it is put in place by a
    // rename, never rewritten where it is: a shell still reading the old one (a recovery waiting for
    // the lock, an armed revert) must not read on in the new one
    `printf '%s\\n' ${q(script.trimEnd())} > ${TXN_DIR}/next.sh`,
    `mv -f ${TXN_DIR}/next.sh ${TXN_SCRIPT}`,
    ...detached(`${TXN_SCRIPT} apply locked`, out),
    'exec 9>&-',
    ...relay(out),
    'fi',
  ].join('\n')}\n`;
}

/** runs `sh ARGS` detached from the session, its output into OUT, and waits for it: its exit status in $rc */
const detached = (args: string, out: string) => [`setsid sh ${args} > ${out} 2>&1 < /dev/null &`, 'wait $!', 'rc=$?'];
/** prints OUT and the exit status */
const relay = (out: string) => [`while IFS= read -r l; do printf '%s\\n' "$l"; done < ${out}`, `printf '@@apply-exit\\n%s\\n' "$rc"`];

/**
 * Runs the transaction script already on the host (after an interrupted run) in `rollback` mode,
 * detached, and prints its output and exit status — only if the state folder is root's alone (the
 * script it runs is there). The script takes the lock itself: the output gets a name of this
 * shell's own until then.
 */
export function recoverScript(): string {
  const out = `${TXN_DIR}/out-$$`;
  return `${['umask 077', ...refuseUntrusted, ...detached(`${TXN_SCRIPT} rollback`, out), ...relay(out), `rm -f ${out}`].join('\n')}\n`;
}

/** Waits (at most `seconds`) for another run's lock to be let go, then lets go of it at once. */
export function awaitLockScript(seconds: number): string {
  return `${['umask 077', ...refuseUntrusted, `[ -f ${LOCK_FILE} ] || exit 0`, `exec 9>> ${LOCK_FILE}`, `flock -w ${seconds} 9 || ${P('@@locked')}`].join('\n')}\n`;
}

/** A fresh connection's confirmation of the run armed with --confirm-timeout (the host's last run). */
export function confirmScript(): string {
  return `${[
    'umask 077',
    ...refuseUntrusted,
    `if [ -f ${TXN_JOURNAL} ] && read -r k id pid < ${TXN_JOURNAL}; then while read -r s rest; do state=$s; done < ${TXN_JOURNAL}; if [ "$state" = armed ]; then : > ${TXN_DIR}/confirmed-$id; echo confirmed >> ${TXN_JOURNAL}; ${P('@@confirmed')}; else printf '@@not-armed\\n%s\\n' "$state"; fi; else ${P('@@not-armed')}; fi`,
  ].join('\n')}\n`;
}
