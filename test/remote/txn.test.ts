import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseTxnOutput } from '../../src/apply/txn-output.js';
import { NO_TXN } from '../../src/remote/journal.js';
import { confirmScript, launchScript, recoverScript, stepArgv, txnScript, type TxnOptions } from '../../src/remote/txn.js';
import type { OwnedObject } from '../../src/ownership/record.js';
import { HOLDER_FILE, LOCK_FILE, RECORD_FILE, STATE_DIR, TXN_DIR, TXN_JOURNAL, TXN_SCRIPT } from '../../src/remote/paths.js';
import type { Step } from '../../src/plan/step.js';
import { quoteArgv } from '../../src/shell/quote.js';
import { awaitTrue, GATE, gated, inSandbox, lines, openGate, put, sandboxProblem, show } from './sandbox.js';

const LOG = '/run/t/log';

/** a harmless step: appends made-N to the log; its undo appends undone-N */
function step(n: number | string, o: { owns?: OwnedObject; undo?: string[] | false } = {}): Step {
  return {
    phase: 'netns',
    reason: `test step ${n}`,
    argv: ['sh', '-c', `echo made-${n} >> ${LOG}`],
    ...(o.undo === false ? {} : { undo: o.undo ?? ['sh', '-c', `echo undone-${n} >> ${LOG}`] }),
    ...(o.owns ? { owns: o.owns } : {}),
  };
}
const ns = (name: string): OwnedObject => ({ kind: 'netns', name });
const failing: Step = {
  phase: 'netns',
  reason: 'fails',
  argv: ['sh', '-c', 'echo boom >&2; exit 3'],
  undo: ['sh', '-c', `echo undone-failing >> ${LOG}`],
  owns: ns('nsfail'),
};
/** options of a run planned after `after` (by default: on a host no run has touched), recording `record` at commit */
const opts = (o: Partial<TxnOptions> = {}): TxnOptions => ({ id: 'T1', holder: 'tester', lockWait: 0, after: NO_TXN, record: [], ...o });

describe('stepArgv', () => {
  it('runs `sysctl -w KEY=N` as the builtin write to /proc/sys it is (write_proc: no process)', () => {
    expect(stepArgv(['sysctl', '-w', 'net.ipv4.ip_forward=1'])).toEqual(['write_proc', 'net/ipv4/ip_forward', '1']);
    expect(stepArgv(['sysctl', '-w', 'net.bridge.bridge-nf-call-iptables=0'])).toEqual(['write_proc', 'net/bridge/bridge-nf-call-iptables', '0']);
  });

  it('leaves every other argv as it is, odd sysctl values included', () => {
    for (const argv of [
      ['ip', 'link', 'add', 'a b'],
      ['sysctl', '-w', 'net.ipv4.ip_forward=1; rm -rf /'],
      ['sysctl', '-w', '../x=1'],
      ['sysctl', 'net.ipv4.ip_forward=1'],
    ]) {
      expect(stepArgv(argv)).toEqual(argv);
    }
  });
});

/** the lines of a table (a shell function) of a program */
const table = (text: string, name: string) => {
  const all = text.split('\n');
  const from = all.indexOf(`${name}() {`);
  return all.slice(from + 1, all.indexOf('}', from)).map((l) => l.trim());
};

describe('txnScript text', () => {
  const steps = [step(0, { owns: ns('ns0') }), step(1, { undo: false }), step(2, { owns: { kind: 'link', name: 'br0' } })];

  it('has one case entry per step with an undo, none for the others', () => {
    const s = txnScript(steps, opts());
    expect(table(s, 'undo_step')).toEqual([
      'case "$1" in',
      `0) sh -c 'echo undone-0 >> /run/t/log' ;;`,
      `2) sh -c 'echo undone-2 >> /run/t/log' ;;`,
      '*) : ;;',
      'esac',
    ]);
  });

  it('runs each step, or each run of `ip` steps in one namespace as one batch reading its steps', () => {
    const ipStep = (n: string, argv: string[]): Step => ({ phase: 'link', reason: n, argv });
    const s = txnScript(
      [
        step(0),
        ipStep('a', ['ip', '-n', 'c1', 'link', 'set', 'lo', 'up']),
        ipStep('b', ['ip', '-n', 'c1', 'addr', 'add', '10.0.0.2/24', 'dev', 'e th']),
        ipStep('c', ['ip', '-n', 'c2', 'link', 'set', 'lo', 'up']),
        { phase: 'forward', reason: 'fwd', argv: ['sysctl', '-w', 'net.ipv4.ip_forward=1'] },
      ],
      opts(),
    );
    expect(table(s, 'run_steps')).toEqual([
      `step 0 sh -c 'echo made-0 >> /run/t/log'`,
      "batch 1 2 ip -n c1 <<'CNET_DATA'",
      'link set lo up',
      "addr add 10.0.0.2/24 dev 'e th'",
      'CNET_DATA',
      'step 3 ip -n c2 link set lo up',
      'step 4 write_proc net/ipv4/ip_forward 1',
    ]);
  });

  it('waits for a held lock as long as lockWait says (0: not at all)', () => {
    expect(txnScript(steps, opts({ lockWait: 0 }))).toContain('\nLOCK_WAIT=0\n');
    expect(txnScript(steps, opts({ lockWait: 5 }))).toContain('\nLOCK_WAIT=5\n');
    expect(launchScript('x', 5)).toContain('\nLOCK_WAIT=5\n');
  });

  it('pauses only when asked, after that step (a batch ends there)', () => {
    expect(table(txnScript(steps, opts()), 'run_steps').filter((l) => l.startsWith('pause'))).toEqual([]);
    const run = table(txnScript(steps, opts({ pause: { step: 1, seconds: 3 } })), 'run_steps');
    expect(run[run.indexOf('pause 3') - 1]).toMatch(/^step 1 sh -c 'echo made-1 /);
    expect(run.filter((l) => l.startsWith('pause'))).toHaveLength(1);
  });

  it('arms a revert only with confirmTimeout', () => {
    expect(txnScript(steps, opts())).toContain("\nCONFIRM_TIMEOUT=''\n");
    expect(txnScript(steps, opts({ confirmTimeout: 7 }))).toContain('\nCONFIRM_TIMEOUT=7\n');
  });

  it('gives the record it writes at commit as one value (nothing to record: empty, the record goes)', () => {
    expect(txnScript(steps, opts({ record: [ns('ns0'), { kind: 'link', name: 'br0' }] }))).toContain("\nRECORD='netns ns0\nlink br0\n'\n");
    expect(txnScript(steps, opts())).toContain("\nRECORD=''\n");
  });

  it('runs only if the host is as planned (AFTER), and knows which words mean a run unfinished', () => {
    expect(txnScript(steps, opts({ after: 'T0 commit' }))).toContain("\nAFTER='T0 commit'\n");
    expect(txnScript(steps, opts())).toContain(`\nAFTER=' '\n`);
    expect(txnScript(steps, opts())).toContain("\nUNFINISHED='begin try done failed undo record'\n");
  });

  it('creates what it creates with umask 077, set before any command runs', () => {
    for (const s of [txnScript(steps, opts()), launchScript('x', 0), recoverScript(), confirmScript()]) {
      const all = s.split('\n');
      const umask = all.indexOf('umask 077');
      expect(umask).toBeGreaterThan(0);
      // before it: values and function definitions only
      const top = all.slice(0, umask).filter((l) => /^[a-z]/.test(l) && !/^[a-z_]+\(\) \{$/.test(l));
      expect(top).toEqual([]);
    }
  });

  it('quotes odd argv and undo through quoteArgv, and the result is valid sh', () => {
    const odd = ['if', 'a b', "it's", '$HOME', '`x`', '*', '', 'a=b'];
    const s = txnScript([{ phase: 'netns', reason: 'odd', argv: odd, undo: ['x=y', "'", '\n'] }], opts({ id: "id with 'quote'", holder: 'al $ice; rm -rf /' }));
    // a reserved word is quoted only where sh would read it as one
    expect(table(s, 'run_steps')).toEqual([`step 0 if 'a b' 'it'\\''s' '$HOME' '\`x\`' '*' '' a=b`]);
    expect(quoteArgv(odd)).toBe(`'if' 'a b' 'it'\\''s' '$HOME' '\`x\`' '*' '' a=b`);
    expect(s).toContain(`\n    0) ${quoteArgv(['x=y', "'", '\n'])} ;;\n`);
    expect(s).toContain(`\nID='id with '\\''quote'\\'''\n`);
    expect(s).toContain(`\nHOLDER='al $ice; rm -rf /'\n`);
    execFileSync('sh', ['-n'], { input: s });
    execFileSync('sh', ['-n'], { input: launchScript(s, 0) + recoverScript() + confirmScript() });
  });

  it('launchScript takes the lock first, only then writes the current transaction (a rename) and starts it detached, lock handed on', () => {
    const now = launchScript("echo 'hi'\n", 0);
    expect(now).toContain(`\nSCRIPT='echo '\\''hi'\\'''\n`);
    const body = now.split('\n');
    const at = (text: string) => body.findIndex((l) => l.includes(text));
    expect(at('if ! take_lock; then')).toBeGreaterThan(at('exec 9>> "$LOCK_FILE"'));
    expect(at('if ! take_lock; then')).toBeLessThan(at('> "$TXN_DIR/next.sh"'));
    expect(at('mv -f "$TXN_DIR/next.sh" "$TXN_SCRIPT"')).toBe(at('> "$TXN_DIR/next.sh"') + 1);
    expect(body.filter((l) => l.includes('> "$TXN_SCRIPT"'))).toEqual([]);
    expect(at('run_detached "$TXN_DIR/out" "$TXN_SCRIPT" apply locked')).toBeGreaterThan(at('mv -f'));
    // the launcher lets go of the lock once the transaction has ended
    expect(at('exec 9>&-')).toBe(at('run_detached "$TXN_DIR/out"') + 1);
    expect(now).not.toMatch(/\brm /);
    expect(recoverScript()).toContain('run_detached "$TXN_DIR/out-$$" "$TXN_SCRIPT" rollback');
  });
});

// ---------------------------------------------------------------------------------------------
// Real runs. The paths are fixed under /run, so each run gets a private mount namespace with its
// own tmpfs on /run (sandbox.ts): nothing on this machine's /run is read or written.

/** writes the launch script of a transaction to /run and runs it, its output under ==NAME */
const launch = (name: string, steps: Step[], o: TxnOptions) =>
  `${put(`/run/${name}.sh`, launchScript(txnScript(steps, o), o.lockWait))}echo '==${name}'\nsh /run/${name}.sh\n`;
const recover = (name: string) => `${put(`/run/${name}.sh`, recoverScript())}echo '==${name}'\nsh /run/${name}.sh\n`;
/** the same, its pauses and armed reverts waiting for the gate (sandbox.ts) */
const launchGated = (name: string, steps: Step[], o: TxnOptions) =>
  `${put(`/run/${name}.sh`, launchScript(txnScript(steps, o), o.lockWait))}echo '==${name}'\n${gated} sh /run/${name}.sh\n`;
/** waits until the armed revert of a run (confirmTimeout SECONDS) has ended */
const awaitRevertGone = (seconds: number) =>
  `rp=; for p in /proc/[0-9]*; do [ "$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)" = "sh /proc/self/fd/8 revert ${seconds} " ] && rp=\${p#/proc/}; done\n` +
  awaitTrue('[ -z "$rp" ] || [ ! -e /proc/$rp ]');
/** waits for a line of the journal */
const awaitJournal = (line: string) => awaitTrue(`grep -qx '${line}' ${TXN_JOURNAL} 2>/dev/null`);
const inNamespace = inSandbox;
const unshareProblem = sandboxProblem;

const ABSENT = ['(absent)'];
/** waits until the killed runner's process group ($pid) is gone: its processes hold the lock until they have exited */
const gone = awaitTrue('! kill -0 "-$pid" 2>/dev/null');
const BEGIN = (id: string) => expect.stringMatching(new RegExp(`^begin ${id} \\d+$`));

describe
  .skipIf(unshareProblem !== undefined)
  .concurrent(`txn-script real runs (in a private mount namespace)${unshareProblem ? ` — SKIPPED: unshare failed: ${unshareProblem}` : ''}`, () => {
    it('1. all steps succeed: committed, journal ends in commit, record gets the owned lines', async ({ expect }) => {
      const odd = ['sh', '-c', 'printf "%s|" "$@" >> /run/t/odd; echo >> /run/t/odd', 'x', 'a b', "it's", '$HOME', '*', '', '`id`'];
      const first = [
        step(0, { owns: ns('ns0') }),
        step(1, { undo: false }),
        { phase: 'netns' as const, reason: 'odd', argv: odd },
        step(3, { owns: ns('ns3') }),
      ];
      const r = await inNamespace(
        launch('out1', first, opts({ id: 'T1', holder: 'tester-1', record: [ns('ns0'), ns('ns3')] })) +
          show('journal1', TXN_JOURNAL) +
          show('record1', RECORD_FILE) +
          show('pending1', `${TXN_DIR}/pending`) +
          show('holder1', HOLDER_FILE) +
          show('odd', '/run/t/odd') +
          `echo '==txn-dir'\nls ${TXN_DIR}\n` +
          // what it made, none of it for others to read or write
          `echo '==modes'\nstat -c '%a %n' ${STATE_DIR} ${TXN_DIR} ${TXN_DIR}/* ${STATE_DIR}/owned ${STATE_DIR}/lock ${STATE_DIR}/holder\n` +
          launch(
            'out2',
            [step(4, { owns: { kind: 'link', name: 'br0' } })],
            opts({ id: 'T2', after: 'T1 commit', record: [ns('ns0'), ns('ns3'), { kind: 'link', name: 'br0' }] }),
          ) +
          show('record2', RECORD_FILE) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(parseTxnOutput(r.sec.out1!, 4)).toEqual({ done: 4, committed: true, lost: false });
      expect(r.sec.out1).toBe('@@step 0\n@@step 1\n@@step 2\n@@step 3\n@@committed\n@@apply-exit\n0\n');
      expect(lines(r.sec.journal1)).toEqual([BEGIN('T1'), 'done 0', 'done 1', 'done 2', 'done 3', 'record', 'commit']);
      expect(lines(r.sec.record1)).toEqual(['netns ns0', 'netns ns3']);
      expect(lines(r.sec.pending1)).toEqual(ABSENT);
      expect(lines(r.sec.holder1)).toEqual(['tester-1']);
      // the launch's own script became current.sh; its output file is gone
      expect(lines(r.sec['txn-dir'])).toEqual(['current.sh', 'journal', 'out', 'owned.before']);
      expect(lines(r.sec.modes).map((l) => l.split(' ')[0])).toEqual(['700', '700', '600', '600', '600', '600', '600', '600', '600']);
      expect(r.sec.odd).toBe("a b|it's|$HOME|*||`id`|\n");
      expect(parseTxnOutput(r.sec.out2!, 1).committed).toBe(true);
      expect(lines(r.sec.record2)).toEqual(['netns ns0', 'netns ns3', 'link br0']);
      expect(lines(r.sec.log)).toEqual(['made-0', 'made-1', 'made-3', 'made-4']);
    });

    it('2. step 2 of 4 fails: done steps undone in reverse, nothing enters the record', async ({ expect }) => {
      const steps = [step(0, { owns: ns('ns0') }), step(1, { owns: ns('ns1') }), failing, step(3, { owns: ns('ns3') })];
      const r = await inNamespace(
        `mkdir -p ${STATE_DIR}; printf 'netns old\\n' > ${RECORD_FILE}\n` +
          launch('out', steps, opts({ record: [ns('old'), ns('ns0'), ns('ns1'), ns('ns3')] })) +
          show('journal', TXN_JOURNAL) +
          show('record', RECORD_FILE) +
          show('pending', `${TXN_DIR}/pending`) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.sec.out).toBe('@@step 0\n@@step 1\n@@step 2\nboom\n@@undo 1\n@@undo 0\n@@rolledback 0\n@@apply-exit\n1\n');
      expect(lines(r.sec.log)).toEqual(['made-0', 'made-1', 'undone-1', 'undone-0']);
      expect(lines(r.sec.journal)).toEqual([BEGIN('T1'), 'done 0', 'done 1', 'failed 2', 'undo 1', 'undo 0', 'rolledback 0']);
      expect(lines(r.sec.record)).toEqual(['netns old']);
      expect(lines(r.sec.pending)).toEqual(ABSENT);
      expect(parseTxnOutput(r.sec.out!, 4)).toEqual({
        done: 2,
        committed: false,
        lost: false,
        failed: { index: 2, output: 'boom' },
        rolledBack: { undone: 2, ok: true },
      });
    });

    it('3. an undo that fails: @@rolledback 1, the other undos still run', async ({ expect }) => {
      const steps = [step(0), step(1, { undo: ['sh', '-c', 'echo undo-broke >&2; exit 1'] }), step(2, { undo: false }), ['false'] as const].map((s) =>
        Array.isArray(s) ? { phase: 'netns' as const, reason: 'false', argv: [...s] } : (s as Step),
      );
      const r = await inNamespace(launch('out', steps, opts()) + show('journal', TXN_JOURNAL) + show('log', LOG));
      expect(r.sec.out).toBe('@@step 0\n@@step 1\n@@step 2\n@@step 3\n@@undo 2\n@@undo 1\nundo-broke\n@@undo 0\n@@rolledback 1\n@@apply-exit\n1\n');
      expect(lines(r.sec.log)).toEqual(['made-0', 'made-1', 'made-2', 'undone-0']);
      expect(lines(r.sec.journal).at(-1)).toBe('rolledback 1');
      const t = parseTxnOutput(r.sec.out!, 4);
      expect(t.failed).toEqual({ index: 3, output: 'exit code 1' });
      expect(t.rolledBack).toEqual({ undone: 3, ok: false });
    });

    it('4. lock: lockWait 0 fails at once with the holder, lockWait N waits until the lock is let go, then commits', async ({ expect }) => {
      const r = await inNamespace(
        GATE +
          `mkdir -p ${STATE_DIR}; printf '%s\\n' 'cnet-remote up from alice@ctl (pid 42)' > ${HOLDER_FILE}\n` +
          // someone holds the lock until the gate opens, then says so in the log
          `${gated} flock ${LOCK_FILE} sh -c 'sleep 1; echo let-go >> ${LOG}' &\nhp=$!\n` +
          `while flock -n ${LOCK_FILE} true; do sleep 0.02; done\n` +
          launch('now', [step(0)], opts({ id: 'NOW', lockWait: 0 })) +
          `echo '==held'; flock -n ${LOCK_FILE} true && echo free || echo held\n` +
          show('journal-now', TXN_JOURNAL) +
          `${put('/run/wait.sh', launchScript(txnScript([step(1)], opts({ id: 'WAIT', lockWait: 60, holder: 'tester-wait' })), 60))}sh /run/wait.sh > /run/wait.out &\nwp=$!\n` +
          openGate +
          'wait $wp $hp\n' +
          show('wait', '/run/wait.out') +
          show('journal', TXN_JOURNAL) +
          show('holder', HOLDER_FILE) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.sec.now).toBe('@@locked\ncnet-remote up from alice@ctl (pid 42)\n@@apply-exit\n75\n');
      expect(parseTxnOutput(r.sec.now!, 1)).toEqual({ done: 0, committed: false, lost: false, locked: 'cnet-remote up from alice@ctl (pid 42)' });
      // it did not wait: the lock was still held when it returned
      expect(lines(r.sec.held)).toEqual(['held']);
      expect(lines(r.sec['journal-now'])).toEqual(ABSENT);
      expect(parseTxnOutput(r.sec.wait!, 1)).toEqual({ done: 1, committed: true, lost: false });
      expect(lines(r.sec.journal)).toEqual([BEGIN('WAIT'), 'done 0', 'record', 'commit']);
      expect(lines(r.sec.holder)).toEqual(['tester-wait']);
      // it waited: its step ran after the holder let go
      expect(lines(r.sec.log)).toEqual(['let-go', 'made-1']);
    });

    it('5. interrupted: runner killed during the pause, the journal says done 1, recoverScript undoes 1 then 0', async ({ expect }) => {
      const steps = [step(0, { owns: ns('ns0') }), step(1, { owns: ns('ns1') }), step(2), step(3)];
      const r = await inNamespace(
        GATE +
          put('/run/l.sh', launchScript(txnScript(steps, opts({ pause: { step: 1, seconds: 3 } })), 0)) +
          `${gated} sh /run/l.sh > /run/l.out 2> /run/l.err &\nlp=$!\n` +
          awaitJournal('done 1') +
          `read -r k id pid < ${TXN_JOURNAL}\necho '==cmdline'; tr '\\0' ' ' < /proc/$pid/cmdline; echo\nkill -9 "-$pid"\nwait $lp\n` +
          gone +
          show('out', '/run/l.out') +
          show('journal-killed', TXN_JOURNAL) +
          show('log-killed', LOG) +
          recover('recover') +
          recover('recover-again') +
          show('journal', TXN_JOURNAL) +
          show('record', RECORD_FILE) +
          show('pending', `${TXN_DIR}/pending`) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      // a second recovery of the same run (another controller's) finds it settled and undoes nothing
      expect(r.sec['recover-again']).toBe('@@superseded T1 rolledback\n@@apply-exit\n0\n');
      // the runner, holding the lock, runs as the host's current transaction
      expect(r.sec.cmdline).toBe(`sh ${TXN_SCRIPT} apply locked \n`);
      expect(r.sec.out).toBe('@@step 0\n@@step 1\n@@apply-exit\n137\n');
      expect(parseTxnOutput(r.sec.out!, 4)).toEqual({ done: 1, committed: false, lost: false });
      expect(lines(r.sec['journal-killed'])).toEqual([BEGIN('T1'), 'done 0', 'done 1']);
      expect(lines(r.sec['log-killed'])).toEqual(['made-0', 'made-1']);
      expect(r.sec.recover).toBe('@@undo 1\n@@undo 0\n@@rolledback 0\n@@apply-exit\n0\n');
      expect(parseTxnOutput(r.sec.recover!, 0).rolledBack).toEqual({ undone: 2, ok: true });
      expect(lines(r.sec.log)).toEqual(['made-0', 'made-1', 'undone-1', 'undone-0']);
      expect(lines(r.sec.journal)).toEqual([BEGIN('T1'), 'done 0', 'done 1', 'undo 1', 'undo 0', 'rolledback 0']);
      expect(lines(r.sec.record)).toEqual(ABSENT);
      expect(lines(r.sec.pending)).toEqual(ABSENT);
    });

    it('6a. confirmTimeout 1, not confirmed: the host undoes the run and restores an absent record', async ({ expect }) => {
      const steps = [step(0, { owns: ns('ns0') }), step(1, { owns: ns('ns1') })];
      const r = await inNamespace(
        launch('out', steps, opts({ confirmTimeout: 1, record: [ns('ns0'), ns('ns1')] })) +
          show('journal-commit', TXN_JOURNAL) +
          show('record-commit', RECORD_FILE) +
          awaitJournal('reverted [01]') +
          show('journal', TXN_JOURNAL) +
          show('record', RECORD_FILE) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(parseTxnOutput(r.sec.out!, 2).committed).toBe(true);
      expect(lines(r.sec['journal-commit']).slice(-2)).toEqual(['commit', 'armed 1']);
      expect(lines(r.sec['record-commit'])).toEqual(['netns ns0', 'netns ns1']);
      expect(lines(r.sec.log)).toEqual(['made-0', 'made-1', 'undone-1', 'undone-0']);
      expect(lines(r.sec.journal)).toEqual([BEGIN('T1'), 'done 0', 'done 1', 'record', 'commit', 'armed 1', 'undo 1', 'undo 0', 'reverted 0']);
      expect(lines(r.sec.record)).toEqual(ABSENT);
    });

    it('6b. confirmTimeout 1, not confirmed: a record that existed is restored to what it was', async ({ expect }) => {
      const r = await inNamespace(
        launch('out0', [step('k', { owns: ns('keep') })], opts({ id: 'T0', record: [ns('keep')] })) +
          launch(
            'out',
            [step(0, { owns: ns('ns0') }), step(1, { owns: ns('ns1') })],
            opts({ after: 'T0 commit', confirmTimeout: 1, record: [ns('keep'), ns('ns0'), ns('ns1')] }),
          ) +
          show('record-commit', RECORD_FILE) +
          awaitJournal('reverted [01]') +
          show('journal', TXN_JOURNAL) +
          show('record', RECORD_FILE) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(lines(r.sec['record-commit'])).toEqual(['netns keep', 'netns ns0', 'netns ns1']);
      expect(lines(r.sec.journal).at(-1)).toBe('reverted 0');
      expect(lines(r.sec.record)).toEqual(['netns keep']);
      expect(lines(r.sec.log)).toEqual(['made-k', 'made-0', 'made-1', 'undone-1', 'undone-0']);
    });

    it('6c. confirmTimeout 1, confirmed right after commit: nothing is undone', async ({ expect }) => {
      const r = await inNamespace(
        GATE +
          `${put('/run/confirm.sh', confirmScript())}echo '==confirm-none'\nsh /run/confirm.sh\n` +
          launchGated('out', [step(0, { owns: ns('ns0') }), step(1, { owns: ns('ns1') })], opts({ confirmTimeout: 1, record: [ns('ns0'), ns('ns1')] })) +
          "echo '==confirm'\nsh /run/confirm.sh\n" +
          "echo '==confirm-again'\nsh /run/confirm.sh\n" +
          // the revert's time is up only now: it finds the run confirmed, and ends
          openGate +
          awaitRevertGone(1) +
          show('journal', TXN_JOURNAL) +
          show('record', RECORD_FILE) +
          show('confirmed', `${TXN_DIR}/confirmed-T1`) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.sec['confirm-none']).toBe('@@not-armed\n');
      expect(parseTxnOutput(r.sec.out!, 2).committed).toBe(true);
      expect(r.sec.confirm).toBe('@@confirmed\n');
      expect(r.sec['confirm-again']).toBe('@@not-armed\nconfirmed\n');
      expect(lines(r.sec.journal)).toEqual([BEGIN('T1'), 'done 0', 'done 1', 'record', 'commit', 'armed 1', 'confirmed']);
      expect(lines(r.sec.record)).toEqual(['netns ns0', 'netns ns1']);
      expect(r.sec.confirmed).toBe('');
      expect(lines(r.sec.log)).toEqual(['made-0', 'made-1']);
    });

    it('7a. a second run locked out while a run holds the lock does not disturb that run', async ({ expect }) => {
      const r = await inNamespace(
        GATE +
          put(
            '/run/a.sh',
            launchScript(txnScript([step('a0', { owns: ns('a0') }), step('a1')], opts({ id: 'A', pause: { step: 0, seconds: 1 }, record: [ns('a0')] })), 0),
          ) +
          `${gated} sh /run/a.sh > /run/a.out 2> /run/a.err &\nap=$!\n` +
          awaitJournal('done 0') +
          launch('b', [step('b0', { owns: ns('b0') })], opts({ id: 'B', lockWait: 0 })) +
          openGate +
          'wait $ap\n' +
          show('a', '/run/a.out') +
          `grep -c '^ID=A$' ${TXN_SCRIPT} > /run/t/current; echo '==current'; cat /run/t/current\n` +
          show('journal', TXN_JOURNAL) +
          show('record', RECORD_FILE) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(parseTxnOutput(r.sec.b!, 1).locked).toBe('tester');
      expect(r.sec.a).toBe('@@step 0\n@@step 1\n@@committed\n@@apply-exit\n0\n');
      expect(parseTxnOutput(r.sec.a!, 2)).toEqual({ done: 2, committed: true, lost: false });
      expect(lines(r.sec.journal)).toEqual([BEGIN('A'), 'done 0', 'done 1', 'record', 'commit']);
      expect(lines(r.sec.current)).toEqual(['1']);
      expect(lines(r.sec.record)).toEqual(['netns a0']);
      expect(lines(r.sec.log)).toEqual(['made-a0', 'made-a1']);
    });

    it('7b. ... and when that run is then interrupted, recovery undoes its own steps, not those of the run locked out', async ({ expect }) => {
      const r = await inNamespace(
        GATE +
          put('/run/a.sh', launchScript(txnScript([step('a0'), step('a1')], opts({ id: 'A', pause: { step: 0, seconds: 3 } })), 0)) +
          `${gated} sh /run/a.sh > /run/a.out 2> /run/a.err &\nap=$!\n` +
          awaitJournal('done 0') +
          launch('b', [step('b0'), step('b1')], opts({ id: 'B', lockWait: 0 })) +
          `read -r k id pid < ${TXN_JOURNAL}\nkill -9 "-$pid"\nwait $ap\n` +
          gone +
          recover('recover') +
          show('journal', TXN_JOURNAL) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(parseTxnOutput(r.sec.b!, 2).locked).toBe('tester');
      expect(r.sec.recover).toBe('@@undo 0\n@@rolledback 0\n@@apply-exit\n0\n');
      expect(lines(r.sec.journal)).toEqual([BEGIN('A'), 'done 0', 'undo 0', 'rolledback 0']);
      expect(lines(r.sec.log)).toEqual(['made-a0', 'undone-a0']);
    });

    it("8. an armed revert whose run was superseded by a later run does not undo steps by the later run's journal", async ({ expect }) => {
      const r = await inNamespace(
        GATE +
          launchGated(
            'a',
            [step('a0', { owns: ns('a0') }), step('a1', { owns: ns('a1') })],
            opts({ id: 'A', confirmTimeout: 1, record: [ns('a0'), ns('a1')] }),
          ) +
          launch('b', [step('b0', { owns: ns('b0') })], opts({ id: 'B', after: 'A armed', record: [ns('a0'), ns('a1'), ns('b0')] })) +
          // A's time is up only once B has committed
          openGate +
          awaitTrue(`[ -s ${TXN_DIR}/revert.out ]`) +
          show('journal', TXN_JOURNAL) +
          show('record', RECORD_FILE) +
          show('revert', `${TXN_DIR}/revert.out`) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(lines(r.sec.revert)).toEqual(['superseded by B: not reverted']);
      expect(parseTxnOutput(r.sec.a!, 2).committed).toBe(true);
      expect(parseTxnOutput(r.sec.b!, 1).committed).toBe(true);
      expect(lines(r.sec.journal)).toEqual([BEGIN('B'), 'done 0', 'record', 'commit']);
      expect(lines(r.sec.record)).toEqual(['netns a0', 'netns a1', 'netns b0']);
      expect(lines(r.sec.log)).toEqual(['made-a0', 'made-a1', 'made-b0']);
    });
    it('8b. ... even when the revert starts late, after the later run has put its own script in place', async ({ expect }) => {
      const r = await inNamespace(
        // a setsid that starts reverts late, once the gate opens: by then run B's script is the current one
        GATE +
          'mkdir /run/bin\nreal=$(command -v setsid)\n' +
          put('/run/bin/setsid', '#!/bin/sh\ncase " $* " in *" revert "*) sleep 1 ;; esac\nexec "$real" "$@"') +
          'chmod +x /run/bin/setsid\nexport real PATH=/run/bin:$PATH\n' +
          launchGated('a', [step('a0', { owns: ns('a0') })], opts({ id: 'A', confirmTimeout: 1 })) +
          launch('b', [step('b0', { owns: ns('b0') })], opts({ id: 'B', after: 'A armed' })) +
          openGate +
          awaitTrue(`[ -s ${TXN_DIR}/revert.out ]`) +
          show('revert', `${TXN_DIR}/revert.out`) +
          show('journal', TXN_JOURNAL) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(parseTxnOutput(r.sec.b!, 1).committed).toBe(true);
      expect(lines(r.sec.revert)).toEqual(['superseded by B: not reverted']);
      expect(lines(r.sec.journal)).toEqual([BEGIN('B'), 'done 0', 'record', 'commit']);
      expect(lines(r.sec.log)).toEqual(['made-a0', 'made-b0']);
    });

    it("9. a recovery that waited for the lock while another controller recovered the run and ran its own does not undo that run's steps", async ({
      expect,
    }) => {
      const r = await inNamespace(
        // run X, interrupted after its step 0
        GATE +
          put('/run/x.sh', launchScript(txnScript([step('x0'), step('x1')], opts({ id: 'X', pause: { step: 0, seconds: 3 } })), 0)) +
          `${gated} sh /run/x.sh > /run/x.out 2>&1 &\nxp=$!\n` +
          awaitJournal('done 0') +
          `read -r k id pid < ${TXN_JOURNAL}\nkill -9 "-$pid"\nwait $xp\n` +
          gone +
          // one controller recovers it and starts run Y, which pauses holding the lock (until the gate opens)
          recover('recover') +
          put('/run/y.sh', launchScript(txnScript([step('y0')], opts({ id: 'Y', after: 'X rolledback', lockWait: 60, pause: { step: 0, seconds: 1 } })), 60)) +
          `${gated} sh /run/y.sh > /run/y.out 2>&1 &\nyp=$!\n` +
          awaitTrue(`grep -qx made-y0 ${LOG}`) +
          // the other controller's recovery waits for the lock until Y has committed
          `${put('/run/late.sh', recoverScript())}sh /run/late.sh > /run/late.out &\nrp=$!\n` +
          openGate +
          'wait $yp $rp\n' +
          show('recover-late', '/run/late.out') +
          show('y', '/run/y.out') +
          show('journal', TXN_JOURNAL) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.sec.recover).toBe('@@undo 0\n@@rolledback 0\n@@apply-exit\n0\n');
      expect(r.sec['recover-late']).toBe('@@superseded Y commit\n@@apply-exit\n0\n');
      expect(parseTxnOutput(r.sec.y!, 1).committed).toBe(true);
      expect(lines(r.sec.journal)).toEqual([BEGIN('Y'), 'done 0', 'record', 'commit']);
      expect(lines(r.sec.log)).toEqual(['made-x0', 'undone-x0', 'made-y0']);
    });

    it('10. a plan made before another run committed is stale: nothing runs, the journal is untouched; one made after it runs', async ({ expect }) => {
      const r = await inNamespace(
        launch('t0', [step('t0')], opts({ id: 'T0' })) +
          launch('early', [step('early')], opts({ id: 'EARLY' })) +
          show('journal-early', TXN_JOURNAL) +
          launch('late', [step('late')], opts({ id: 'LATE', after: 'T0 commit' })) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.sec.early).toBe('@@stale T0 commit\n@@apply-exit\n0\n');
      expect(parseTxnOutput(r.sec.early!, 1)).toEqual({ done: 0, committed: false, lost: false, stale: 'T0 commit' });
      expect(lines(r.sec['journal-early'])).toEqual([BEGIN('T0'), 'done 0', 'record', 'commit']);
      expect(parseTxnOutput(r.sec.late!, 1).committed).toBe(true);
      expect(lines(r.sec.log)).toEqual(['made-t0', 'made-late']);
    });

    it('11. a runner killed inside an `ip -batch` (journal: try N): recovery undoes every step the batch may have run, the ones it never ran without counting as failed undos', async ({
      expect,
    }) => {
      const link = (name: string): Step => ({
        phase: 'bridge',
        reason: name,
        argv: ['ip', 'link', 'add', 'name', name, 'type', 'bridge'],
        undo: ['ip', 'link', 'del', 'dev', name],
      });
      const steps = [step(0), link('a1'), link('a2'), link('a3')];
      // an ip that runs the first command of a batch, then hangs there
      const slowIp = `#!/bin/sh\ncase " $* " in *" -batch "*) IFS= read -r first; printf '%s\\n' "$first" | ${'$'}real "$@"; : > /run/t/stalled; exec sleep 60 ;; esac\nexec ${'$'}real "$@"`;
      const r = await inNamespace(
        'mkdir /run/bin\nreal=$(command -v ip); export real\n' +
          put('/run/bin/ip', slowIp) +
          'chmod +x /run/bin/ip\n' +
          put('/run/l.sh', launchScript(txnScript(steps, opts()), 0)) +
          'PATH=/run/bin:$PATH sh /run/l.sh > /run/l.out 2>&1 &\nlp=$!\n' +
          awaitTrue('[ -e /run/t/stalled ]') +
          show('journal-killed', TXN_JOURNAL) +
          `echo '==links-killed'; ip -o link show | cut -d: -f2 | tr -d ' ' | grep -x 'a[0-9]'\n` +
          `read -r k id pid < ${TXN_JOURNAL}\nkill -9 "-$pid"\nwait $lp\n` +
          gone +
          recover('recover') +
          show('journal', TXN_JOURNAL) +
          `echo '==links'; ip -o link show | cut -d: -f2 | tr -d ' ' | grep -cx 'a[0-9]'\n` +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(lines(r.sec['journal-killed'])).toEqual([BEGIN('T1'), 'done 0', 'try 3']);
      expect(lines(r.sec['links-killed'])).toEqual(['a1']);
      expect(r.sec.recover).toBe('@@undo 3\n@@undo 2\n@@undo 1\n@@undo 0\n@@rolledback 0\n@@apply-exit\n0\n');
      expect(parseTxnOutput(r.sec.recover!, 0).rolledBack).toEqual({ undone: 4, ok: true });
      expect(lines(r.sec.journal)).toEqual([BEGIN('T1'), 'done 0', 'try 3', 'undo 3', 'undo 2', 'undo 1', 'undo 0', 'rolledback 0']);
      expect(lines(r.sec.links)).toEqual(['0']);
      expect(lines(r.sec.log)).toEqual(['made-0', 'undone-0']);
    });

    it('12. a runner killed inside its own rollback: recovery goes on from the undo it was in', async ({ expect }) => {
      // step 1's undo hangs the first time it runs
      const hangs = step(1, { undo: ['sh', '-c', `echo undone-1 >> ${LOG}; [ -e /run/t/in-undo ] && exit 0; : > /run/t/in-undo; exec sleep 60`] });
      const r = await inNamespace(
        put('/run/l.sh', launchScript(txnScript([step(0), hangs, failing], opts()), 0)) +
          'sh /run/l.sh > /run/l.out 2>&1 &\nlp=$!\n' +
          awaitTrue('[ -e /run/t/in-undo ]') +
          `read -r k id pid < ${TXN_JOURNAL}\nkill -9 "-$pid"\nwait $lp\n` +
          gone +
          show('journal-killed', TXN_JOURNAL) +
          recover('recover') +
          show('journal', TXN_JOURNAL) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(lines(r.sec['journal-killed'])).toEqual([BEGIN('T1'), 'done 0', 'done 1', 'failed 2', 'undo 1']);
      expect(r.sec.recover).toBe('@@undo 1\n@@undo 0\n@@rolledback 0\n@@apply-exit\n0\n');
      expect(lines(r.sec.journal).slice(-3)).toEqual(['undo 1', 'undo 0', 'rolledback 0']);
      expect(lines(r.sec.log)).toEqual(['made-0', 'made-1', 'undone-1', 'undone-1', 'undone-0']);
    });

    it('13. a runner killed after replacing the record, before its commit: recovery undoes the steps and puts the old record back', async ({ expect }) => {
      const r = await inNamespace(
        launch('t0', [step('k')], opts({ id: 'T0', record: [ns('keep')] })) +
          launch('t1', [step(0), step(1)], opts({ after: 'T0 commit', record: [ns('keep'), ns('new')] })) +
          // as if the runner had died right before its last journal word
          `grep -vx commit ${TXN_JOURNAL} > /run/t/j; cat /run/t/j > ${TXN_JOURNAL}\n` +
          show('record-before', RECORD_FILE) +
          recover('recover') +
          show('record', RECORD_FILE) +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(lines(r.sec['record-before'])).toEqual(['netns keep', 'netns new']);
      expect(r.sec.recover).toBe('@@undo 1\n@@undo 0\n@@rolledback 0\n@@apply-exit\n0\n');
      expect(lines(r.sec.record)).toEqual(['netns keep']);
      expect(lines(r.sec.log)).toEqual(['made-k', 'made-0', 'made-1', 'undone-1', 'undone-0']);
    });

    it("14. files an earlier version left readable by all become root's alone", async ({ expect }) => {
      const r = await inNamespace(
        `umask 022; mkdir -p ${TXN_DIR}; echo 'netns old' > ${RECORD_FILE}; echo 'begin OLD 1' > ${TXN_JOURNAL}; echo commit >> ${TXN_JOURNAL}\n` +
          launch('out', [step(0)], opts({ after: 'OLD commit', record: [ns('old')] })) +
          `echo '==modes'\nstat -c '%a' ${STATE_DIR} ${TXN_DIR} ${TXN_JOURNAL} ${RECORD_FILE}\n`,
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(parseTxnOutput(r.sec.out!, 1).committed).toBe(true);
      expect(lines(r.sec.modes)).toEqual(['700', '700', '600', '600']);
    });

    it.each([
      ['owned by another user', `mkdir -p ${TXN_DIR}; chown -R 2001:2001 ${STATE_DIR}`, `${STATE_DIR} owner 2001 mode 755 type d`],
      ['writable by all', `mkdir -p ${TXN_DIR}; chmod 777 ${TXN_DIR}`, `${TXN_DIR} owner root mode 777 type d`],
      ['a symlink', `mkdir -p /run/t/elsewhere/txn; ln -s /run/t/elsewhere ${STATE_DIR}`, `${STATE_DIR} owner root mode 777 type l`],
      ['holding a symlink', `mkdir -p ${TXN_DIR}; ln -s /run/t/target ${TXN_DIR}/out`, `${TXN_DIR}/out owner root mode 777 type l`],
      ['holding a FIFO', `mkdir -p ${TXN_DIR}; mkfifo ${STATE_DIR}/lock`, `${STATE_DIR}/lock owner root mode 644 type p`],
      ['not a folder', `: > ${STATE_DIR}`, `${STATE_DIR} is not a folder`],
    ])('15. a state folder %s is refused: no planted script is run, nothing is written there', async (_what, make, found) => {
      // a planted transaction, unfinished, whose "recovery" would run the attacker's script
      const plant = `[ -d ${TXN_DIR} ] && { printf 'touch /run/t/pwned\\n' > ${TXN_SCRIPT}; printf 'begin EVIL 999999\\ndone 0\\n' > ${TXN_JOURNAL}; } 2>/dev/null\n`;
      const r = await inNamespace(
        `umask 022; ${make}\n${plant}` +
          recover('recover') +
          launch('launch', [step(0)], opts()) +
          `${put('/run/confirm.sh', confirmScript())}echo '==confirm'\nsh /run/confirm.sh\n` +
          show('pwned', '/run/t/pwned') +
          show('log', LOG),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      for (const out of [r.sec.recover, r.sec.launch, r.sec.confirm]) expect(out).toBe(`@@untrusted ${found}\n@@apply-exit\n75\n`);
      expect(parseTxnOutput(r.sec.launch!, 1)).toEqual({ done: 0, committed: false, lost: false, untrusted: found });
      expect(lines(r.sec.pwned)).toEqual(ABSENT);
      expect(lines(r.sec.log)).toEqual(ABSENT);
    });
  });
