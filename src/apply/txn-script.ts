import { formatOwned, RECORD_DIR, RECORD_FILE } from '../ownership/record.js';
import { netnsOf, type Step } from '../plan/step.js';
import { quoteArgv, quoteWord } from '../shell/quote.js';

/**
 * A transaction on the host. The steps run in a shell of their own (`setsid`), apart from the
 * SSH session: a dropped connection does not stop them. They hold a lock (flock) for their whole
 * life, write a journal as they go, and on the first failing step undo what they did, in reverse.
 * What they create enters cnet-remote's record only at commit. Run with `rollback` (by the next
 * run, after the runner died), the script undoes what its journal says was done; with `revert`
 * (armed by --confirm-timeout) it waits, and undoes the committed run unless it was confirmed.
 */
export const TXN_DIR = `${RECORD_DIR}/txn`;
export const TXN_SCRIPT = `${TXN_DIR}/current.sh`;
export const TXN_JOURNAL = `${TXN_DIR}/journal`;
export const LOCK_FILE = `${RECORD_DIR}/lock`;
export const HOLDER_FILE = `${RECORD_DIR}/holder`;

export interface TxnOptions {
  id: string;
  /** who holds the lock, for the message a second controller gets */
  holder: string;
  /** seconds to wait for another transaction's lock (0: fail at once) */
  lockWait: number;
  /** arm a revert unless confirmed within this many seconds */
  confirmTimeout?: number;
  /** fault injection for tests: sleep this long after this step (CNET_FAULT_PAUSE=STEP:SECONDS) */
  pause?: { step: number; seconds: number };
}

const q = quoteWord;
const P = (text: string) => `printf '%s\\n' ${q(text)}`;
/**
 * A step's command as the script runs it: its argv, quoted; `sysctl -w KEY=N` as the write to
 * /proc/sys that it is (a builtin: one process less on the host).
 */
export function stepCommand(argv: readonly string[]): string {
  const m = argv.length === 3 && argv[0] === 'sysctl' && argv[1] === '-w' ? /^([a-z0-9_]+(?:\.[a-z0-9_-]+)+)=(\d+)$/.exec(argv[2]!) : null;
  return m ? `printf '%s\\n' ${m[2]} > /proc/sys/${m[1]!.replace(/\./g, '/')}` : quoteArgv(argv);
}

/** copies file a to b with shell builtins only */
const copy = (a: string, b: string) => `if [ -f ${a} ]; then while IFS= read -r l; do printf '%s\\n' "$l"; done < ${a} > ${b}; else : > ${b}; fi`;

export function txnScript(steps: Step[], o: TxnOptions): string {
  const D = TXN_DIR;
  const J = TXN_JOURNAL;
  const lines = [
    '#!/bin/sh',
    `# cnet-remote transaction ${o.id}: ${steps.length} steps`,
    `ID=${q(o.id)}`,
    'undo_step() {',
    '  case "$1" in',
    ...steps.flatMap((s, i) => (s.undo ? [`  ${i}) ${stepCommand(s.undo)} ;;`] : [])),
    '  *) : ;;',
    '  esac',
    '}',
    // undoes steps $1 … 0; ur=1 if any undo failed
    'rollback() { i=$1; while [ "$i" -ge 0 ]; do printf \'@@undo %s\\n\' "$i"; undo_step "$i" 2>&1 || ur=1; i=$((i-1)); done; }',
    `fail() { echo "failed $1" >> ${J}; ur=0; rollback $(($1-1)); echo "rolledback $ur" >> ${J}; printf '@@rolledback %s\\n' "$ur"; exit 1; }`,
    // the journal's run ($jid), its last word ($st), and its last step done ($n; none after a rollback or revert)
    `read_journal() { jid= st= n=-1; while read -r k v rest; do case "$k" in begin) jid=$v ;; done|try) n=$v ;; rolledback|reverted) n=-1 ;; esac; st=$k; done < ${J}; }`,
    'mode=${1:-apply}',
    `if [ "$mode" = revert ]; then sleep "$2"; [ -e ${D}/confirmed-$ID ] && exit 0; fi`,
    // `apply locked`: started by launchScript, which took the lock: fd 9 holds it
    'if [ "$mode ${2-}" != "apply locked" ]; then',
    `exec 9>> ${LOCK_FILE}`,
    // a revert waits for the lock as long as it takes; a run waits --lock-wait seconds at most
    `if [ "$mode" = revert ]; then flock 9; elif ! flock ${o.lockWait > 0 ? `-w ${o.lockWait}` : '-n'} 9; then ${P('@@locked')}; cat ${HOLDER_FILE} 2>/dev/null; exit 75; fi`,
    'fi',
    'case "$mode" in',
    'rollback)',
    // only this run, still unfinished: another run may have recovered it, and even run since, while this
    // one waited for the lock (undoing by a later run's journal would undo the wrong steps)
    `  read_journal; case "$jid $st" in "$ID begin"|"$ID try"|"$ID done"|"$ID failed") ;; *) printf '@@superseded %s %s\\n' "$jid" "$st"; exit 0 ;; esac`,
    `  ur=0; rollback "$n"; echo "rolledback $ur" >> ${J}; printf '@@rolledback %s\\n' "$ur"; exit 0 ;;`,
    'revert)',
    `  [ -e ${D}/confirmed-$ID ] && exit 0`,
    // a later run has superseded this one since (the journal is its): undoing by it would undo the wrong steps
    `  read_journal; [ "$jid" = "$ID" ] || { echo "superseded by $jid: not reverted"; exit 0; }`,
    `  ur=0; rollback "$n"; if [ -s ${D}/owned.before ]; then ${copy(`${D}/owned.before`, RECORD_FILE)}; else rm -f ${RECORD_FILE}; fi; echo "reverted $ur" >> ${J}; exit 0 ;;`,
    'esac',
    `${P(o.holder)} > ${HOLDER_FILE}`,
    `echo "begin $ID $$" > ${J}`,
    // what the steps create, for the record at commit
    "PENDING= NL='",
    "'",
  ];
  const own = (s: Step) => (s.owns ? `PENDING=$PENDING${q(formatOwned(s.owns))}$NL; ` : '');
  for (const unit of units(steps, o.pause?.step)) {
    const first = unit[0]!;
    lines.push(`printf '@@step %s\\n' ${first.i}`);
    if (unit.length === 1) {
      lines.push(`if ${stepCommand(first.s.argv)} 2>&1; then ${own(first.s)}echo "done ${first.i}" >> ${J}; else fail ${first.i}; fi`);
    } else {
      // one `ip -batch` (or `bridge -batch`) for the run of steps; on a failure, it names its line: the steps before it are done
      const ns = netnsOf(first.s);
      const batch = quoteArgv([first.s.argv[0]!, ...(ns ? ['-n', ns] : []), '-batch', '-']);
      lines.push(
        // a runner that dies inside the batch leaves this for the next run's rollback to go from
        `echo "try ${unit[unit.length - 1]!.i}" >> ${J}`,
        `out=$(${batch} 2>&1 <<'CNET_BATCH'`,
        ...unit.map(({ s }) => quoteArgv(s.argv.slice(ns ? 3 : 1))),
        'CNET_BATCH',
        ')',
        'rc=$?',
        `if [ "$rc" = 0 ]; then [ -n "$out" ] && printf '%s\\n' "$out"; ${unit.map(({ s }) => own(s)).join('')}echo "done ${unit[unit.length - 1]!.i}" >> ${J}; else`,
        `  n=\${out##*Command failed -:}; n=\${n%%[!0-9]*}; [ -n "$n" ] || n=1; k=$((${first.i} + n - 1))`,
        `  printf '@@step %s\\n%s\\n' "$k" "\${out%%Command failed -:*}"; fail "$k"; fi`,
      );
    }
    if (o.pause && unit.some(({ i }) => i === o.pause!.step)) lines.push(`sleep ${o.pause.seconds} 9>&-`);
  }
  lines.push(
    `${copy(RECORD_FILE, `${D}/owned.before`)}`,
    `[ -z "$PENDING" ] || printf '%s' "$PENDING" >> ${RECORD_FILE}`,
    `echo commit >> ${J}`,
  );
  if (o.confirmTimeout !== undefined) {
    // the revert reads this run's script through a descriptor opened now, under the lock: by the time
    // it starts, a later run may have put its own script in place (and would be reverted instead)
    lines.push(
      `echo "armed ${o.confirmTimeout}" >> ${J}`,
      `setsid sh /proc/self/fd/8 revert ${o.confirmTimeout} < /dev/null > ${D}/revert.out 2>&1 8< ${TXN_SCRIPT} 9>&- &`,
    );
  }
  lines.push(P('@@committed'));
  return lines.join('\n') + '\n';
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

/**
 * What the controller runs over SSH: takes the host's lock (waiting --lock-wait seconds at most),
 * and only then, holding it, writes the transaction as the host's current one (a second controller
 * that finds the host locked must not overwrite the running transaction's script, which `rollback`
 * and `revert` run again, nor its output), starts it detached from the session with the lock (fd 9)
 * handed on, waits for it and prints its output. If the session drops, the transaction goes on,
 * still holding the lock. Everything here but `flock`, `mv` and `setsid` is a shell builtin.
 */
export function launchScript(script: string, lockWait: number): string {
  const out = `${TXN_DIR}/out`;
  return [
    `[ -d ${TXN_DIR} ] || mkdir -p ${TXN_DIR}`,
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
  ].join('\n') + '\n';
}

/** runs `sh ARGS` detached from the session, its output into OUT, and waits for it: its exit status in $rc */
const detached = (args: string, out: string) => [`setsid sh ${args} > ${out} 2>&1 < /dev/null &`, 'wait $!', 'rc=$?'];
/** prints OUT and the exit status */
const relay = (out: string) => [`while IFS= read -r l; do printf '%s\\n' "$l"; done < ${out}`, `printf '@@apply-exit\\n%s\\n' "$rc"`];

/**
 * Runs the transaction script already on the host (after an interrupted run) in `rollback` mode,
 * detached, and prints its output and exit status. The script takes the lock itself: the output
 * gets a name of this shell's own until then.
 */
export function recoverScript(): string {
  const out = `${TXN_DIR}/out-$$`;
  return [...detached(`${TXN_SCRIPT} rollback`, out), ...relay(out), `rm -f ${out}`].join('\n') + '\n';
}

/** A fresh connection's confirmation of the run armed with --confirm-timeout (the host's last run). */
export function confirmScript(): string {
  return `if [ -f ${TXN_JOURNAL} ] && read -r k id pid < ${TXN_JOURNAL}; then while read -r s rest; do state=$s; done < ${TXN_JOURNAL}; if [ "$state" = armed ]; then : > ${TXN_DIR}/confirmed-$id; echo confirmed >> ${TXN_JOURNAL}; ${P('@@confirmed')}; else printf '@@not-armed\n%s\n' "$state"; fi; else ${P('@@not-armed')}; fi\n`;
}
