import { execFile, execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseTxnOutput } from '../../src/apply/txn-output.js';
import { confirmScript, HOLDER_FILE, stepCommand, launchScript, LOCK_FILE, recoverScript, TXN_DIR, TXN_JOURNAL, TXN_SCRIPT, txnScript, type TxnOptions } from '../../src/apply/txn-script.js';
import { RECORD_FILE, type OwnedObject } from '../../src/ownership/record.js';
import type { Step } from '../../src/plan/step.js';
import { quoteArgv } from '../../src/shell/quote.js';

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
const failing: Step = { phase: 'netns', reason: 'fails', argv: ['sh', '-c', 'echo boom >&2; exit 3'], undo: ['sh', '-c', `echo undone-failing >> ${LOG}`], owns: ns('nsfail') };
const opts = (o: Partial<TxnOptions> = {}): TxnOptions => ({ id: 'T1', holder: 'tester', lockWait: 0, ...o });

describe('stepCommand', () => {
  it('runs `sysctl -w KEY=N` as the builtin write to /proc/sys it is (no process)', () => {
    expect(stepCommand(['sysctl', '-w', 'net.ipv4.ip_forward=1'])).toBe("printf '%s\\n' 1 > /proc/sys/net/ipv4/ip_forward");
    expect(stepCommand(['sysctl', '-w', 'net.bridge.bridge-nf-call-iptables=0'])).toBe("printf '%s\\n' 0 > /proc/sys/net/bridge/bridge-nf-call-iptables");
  });

  it('quotes every other argv, odd sysctl values included', () => {
    for (const argv of [['ip', 'link', 'add', 'a b'], ['sysctl', '-w', 'net.ipv4.ip_forward=1; rm -rf /'], ['sysctl', '-w', '../x=1'], ['sysctl', 'net.ipv4.ip_forward=1']]) {
      expect(stepCommand(argv)).toBe(quoteArgv(argv));
    }
  });
});

describe('txnScript text', () => {
  const steps = [step(0, { owns: ns('ns0') }), step(1, { undo: false }), step(2, { owns: { kind: 'link', name: 'br0' } })];

  it('has one case entry per step with an undo, none for the others', () => {
    const s = txnScript(steps, opts());
    const entries = s.split('\n').filter((l) => /^ {2}\d+\) /.test(l));
    expect(entries).toEqual([`  0) sh -c 'echo undone-0 >> /run/t/log' ;;`, `  2) sh -c 'echo undone-2 >> /run/t/log' ;;`]);
    expect(s).toContain('  *) : ;;');
  });

  it('fails at once on a held lock with lockWait 0 (flock -n), waits with lockWait N (flock -w N)', () => {
    const now = txnScript(steps, opts({ lockWait: 0 }));
    expect(now).toContain('elif ! flock -n 9; then');
    expect(now).not.toContain('flock -w');
    const wait = txnScript(steps, opts({ lockWait: 5 }));
    expect(wait).toContain('elif ! flock -w 5 9; then');
    expect(wait).not.toContain('flock -n');
    // a revert always waits, and reverts only while the journal is its run's; a rollback, only its run unfinished
    expect(wait).toContain(`read_journal; [ "$jid" = "$ID" ] || {`);
    expect(wait).toContain(`read_journal; case "$jid $st" in "$ID begin"|"$ID try"|"$ID done"|"$ID failed") ;; *)`);
    expect(wait).toContain('if [ "$mode" = revert ]; then flock 9;');
    expect(now).toContain(`exec 9>> ${LOCK_FILE}`);
  });

  it('pauses only when asked, after that step, without the lock fd', () => {
    expect(txnScript(steps, opts())).not.toMatch(/^sleep /m);
    const lines = txnScript(steps, opts({ pause: { step: 1, seconds: 3 } })).split('\n');
    const at = lines.indexOf('sleep 3 9>&-');
    expect(at).toBeGreaterThan(0);
    expect(lines[at - 1]).toMatch(/^if .*echo made-1 .*echo "done 1"/);
    expect(lines[at - 2]).toBe(`printf '@@step %s\\n' 1`);
    expect(lines.filter((l) => l.startsWith('sleep '))).toHaveLength(1);
  });

  it('arms a detached revert with confirmTimeout, after the commit, without the lock fd, reading this run\'s script through a descriptor', () => {
    expect(txnScript(steps, opts())).not.toContain('revert 1');
    expect(txnScript(steps, opts())).not.toContain('armed');
    const lines = txnScript(steps, opts({ confirmTimeout: 7 })).trimEnd().split('\n');
    const arm = lines.findIndex((l) => l.startsWith('setsid sh '));
    expect(lines[arm]).toBe(`setsid sh /proc/self/fd/8 revert 7 < /dev/null > ${TXN_DIR}/revert.out 2>&1 8< ${TXN_SCRIPT} 9>&- &`);
    expect(lines[arm - 1]).toBe(`echo "armed 7" >> ${TXN_JOURNAL}`);
    expect(lines[arm - 2]).toBe(`echo commit >> ${TXN_JOURNAL}`);
    expect(lines[arm + 1]).toBe(`printf '%s\\n' @@committed`);
  });

  it('keeps owned lines in PENDING as steps succeed, and writes them into the record only at commit', () => {
    const lines = txnScript(steps, opts()).split('\n');
    const stepLines = lines.filter((l) => l.startsWith('if sh -c'));
    expect(stepLines[0]).toContain(`then PENDING=$PENDING'netns ns0'$NL; echo "done 0"`);
    expect(stepLines[1]).not.toContain('PENDING');
    expect(stepLines[2]).toContain(`then PENDING=$PENDING'link br0'$NL; echo "done 2"`);
    const toRecord = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes(`>> ${RECORD_FILE}`));
    expect(toRecord).toHaveLength(1);
    const [line, at] = toRecord[0]!;
    expect(line).toBe(`[ -z "$PENDING" ] || printf '%s' "$PENDING" >> ${RECORD_FILE}`);
    expect(at).toBeGreaterThan(lines.indexOf(stepLines[2]!));
    expect(at).toBeLessThan(lines.indexOf(`echo commit >> ${TXN_JOURNAL}`));
  });

  it('quotes odd argv and undo through quoteArgv, and the result is valid sh', () => {
    const odd = ['if', 'a b', "it's", '$HOME', '`x`', '*', '', 'a=b'];
    const s = txnScript([{ phase: 'netns', reason: 'odd', argv: odd, undo: ['x=y', "'", '\n'] }], opts({ id: "id with 'quote'", holder: 'al $ice; rm -rf /' }));
    expect(s).toContain(`if ${quoteArgv(odd)} 2>&1; then`);
    expect(quoteArgv(odd)).toBe(`'if' 'a b' 'it'\\''s' '$HOME' '\`x\`' '*' '' a=b`);
    expect(s).toContain(`  0) ${quoteArgv(['x=y', "'", '\n'])} ;;`);
    expect(s).toContain(`ID='id with '\\''quote'\\'''`);
    expect(s).toContain(`printf '%s\\n' 'al $ice; rm -rf /' > ${HOLDER_FILE}`);
    execFileSync('sh', ['-n'], { input: s });
    execFileSync('sh', ['-n'], { input: launchScript(s, 0) + recoverScript() + confirmScript() });
  });

  it('launchScript takes the lock first (flock -n, or -w N), only then writes the current transaction and starts it detached, lock handed on', () => {
    const now = launchScript("echo 'hi'\n", 0).split('\n');
    const at = (text: string) => now.findIndex((l) => l.includes(text));
    expect(now).toContain(`exec 9>> ${LOCK_FILE}`);
    expect(now[at('flock')]).toBe(`if ! flock -n 9; then printf '%s\\n' @@locked; cat ${HOLDER_FILE} 2>/dev/null; printf '@@apply-exit\\n75\\n'; else`);
    expect(launchScript('echo hi\n', 5)).toContain('if ! flock -w 5 9; then');
    // written by a builtin, quoted as one word, once the lock is held; put in place by a rename, not rewritten in place
    expect(at(`printf '%s\\n' 'echo '\\''hi'\\''' > ${TXN_DIR}/next.sh`)).toBeGreaterThan(at('flock'));
    expect(at(`mv -f ${TXN_DIR}/next.sh ${TXN_SCRIPT}`)).toBe(at('next.sh') + 1);
    expect(now.filter((l) => l.includes(`> ${TXN_SCRIPT}`))).toEqual([]);
    expect(at(`setsid sh ${TXN_SCRIPT} apply locked > ${TXN_DIR}/out 2>&1 < /dev/null &`)).toBeGreaterThan(at('mv -f'));
    // the launcher lets go of the lock once the transaction has ended
    expect(at('exec 9>&-')).toBeGreaterThan(at('wait $!'));
    expect(launchScript('echo hi\n', 0)).toMatch(/printf '@@apply-exit\\n%s\\n' "\$rc"\nfi\n$/);
    expect(launchScript('echo hi\n', 0)).not.toMatch(/\brm /);
    expect(recoverScript()).toContain(`setsid sh ${TXN_SCRIPT} rollback`);
  });
});

// ---------------------------------------------------------------------------------------------
// Real runs. The paths are fixed under /run, so each run gets a private mount namespace with its
// own tmpfs on /run: nothing on this machine's /run is read or written.

const unshareProblem = ((): string | undefined => {
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /run'], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    return (e.stderr?.toString().trim() || e.message).split('\n')[0];
  }
})();
if (unshareProblem) console.warn(`txn-script real runs skipped: cannot make a private mount namespace (needs root / CAP_SYS_ADMIN): ${unshareProblem}`);

interface NsRun {
  code: number;
  stdout: string;
  stderr: string;
  /** sections of stdout, each started by a line `==NAME` */
  sec: Record<string, string>;
}

/** Runs body in a fresh mount namespace whose /run is an empty tmpfs (with /run/cnet-remote and /run/t). */
function inNamespace(body: string): Promise<NsRun> {
  const script = `mount -t tmpfs tmpfs /run && mkdir -p /run/cnet-remote /run/t || exit 99\n${body}`;
  return new Promise((resolve) => {
    execFile('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { timeout: 15_000 }, (err, stdout, stderr) => {
      const sec: Record<string, string> = {};
      let name: string | undefined;
      for (const line of stdout.split('\n')) {
        if (line.startsWith('==')) sec[(name = line.slice(2))] = '';
        else if (name !== undefined) sec[name] += `${line}\n`;
      }
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, sec });
    });
  });
}

const put = (path: string, text: string) => `cat > ${path} <<'CNET_TEST_EOF'\n${text.trimEnd()}\nCNET_TEST_EOF\n`;
/** writes the launch script of a transaction to /run and runs it, its output under ==NAME */
const launch = (name: string, steps: Step[], o: TxnOptions) => `${put(`/run/${name}.sh`, launchScript(txnScript(steps, o), o.lockWait))}echo '==${name}'\nsh /run/${name}.sh\n`;
const recover = (name: string) => `${put(`/run/${name}.sh`, recoverScript())}echo '==${name}'\nsh /run/${name}.sh\n`;
/** prints a file under ==NAME, or (absent) */
const show = (name: string, path: string) => `echo '==${name}'\nif [ -e ${path} ]; then cat ${path}; else echo '(absent)'; fi\n`;
/** waits (at most `tenths`/10 s) until a shell condition holds */
const awaitTrue = (cond: string, tenths = 100) => `i=0; until ${cond} || [ $i -ge ${tenths} ]; do i=$((i+1)); sleep 0.1; done\n`;
/** waits for a line of the journal */
const awaitJournal = (line: string) => awaitTrue(`grep -qx '${line}' ${TXN_JOURNAL} 2>/dev/null`);

const lines = (text: string | undefined) => (text ?? '').trimEnd().split('\n');
const ABSENT = ['(absent)'];
const BEGIN = (id: string) => expect.stringMatching(new RegExp(`^begin ${id} \\d+$`));

describe.skipIf(unshareProblem !== undefined).concurrent(`txn-script real runs (in a private mount namespace)${unshareProblem ? ` — SKIPPED: unshare failed: ${unshareProblem}` : ''}`, () => {
  it('1. all steps succeed: committed, journal ends in commit, record gets the owned lines', async ({ expect }) => {
    const odd = ['sh', '-c', 'printf "%s|" "$@" >> /run/t/odd; echo >> /run/t/odd', 'x', 'a b', "it's", '$HOME', '*', '', '`id`'];
    const first = [step(0, { owns: ns('ns0') }), step(1, { undo: false }), { phase: 'netns' as const, reason: 'odd', argv: odd }, step(3, { owns: ns('ns3') })];
    const r = await inNamespace(
      launch('out1', first, opts({ id: 'T1', holder: 'tester-1' })) +
        show('journal1', TXN_JOURNAL) +
        show('record1', RECORD_FILE) +
        show('pending1', `${TXN_DIR}/pending`) +
        show('holder1', HOLDER_FILE) +
        show('odd', '/run/t/odd') +
        `echo '==txn-dir'\nls ${TXN_DIR}\n` +
        launch('out2', [step(4, { owns: { kind: 'link', name: 'br0' } })], opts({ id: 'T2' })) +
        show('record2', RECORD_FILE) +
        show('log', LOG),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(parseTxnOutput(r.sec.out1!, 4)).toEqual({ done: 4, committed: true, lost: false });
    expect(r.sec.out1).toBe('@@step 0\n@@step 1\n@@step 2\n@@step 3\n@@committed\n@@apply-exit\n0\n');
    expect(lines(r.sec.journal1)).toEqual([BEGIN('T1'), 'done 0', 'done 1', 'done 2', 'done 3', 'commit']);
    expect(lines(r.sec.record1)).toEqual(['netns ns0', 'netns ns3']);
    expect(lines(r.sec.pending1)).toEqual(ABSENT);
    expect(lines(r.sec.holder1)).toEqual(['tester-1']);
    // the launch's own script became current.sh; its output file is gone
    expect(lines(r.sec['txn-dir'])).toEqual(['current.sh', 'journal', 'out', 'owned.before']);
    expect(r.sec.odd).toBe("a b|it's|$HOME|*||`id`|\n");
    expect(parseTxnOutput(r.sec.out2!, 1).committed).toBe(true);
    expect(lines(r.sec.record2)).toEqual(['netns ns0', 'netns ns3', 'link br0']);
    expect(lines(r.sec.log)).toEqual(['made-0', 'made-1', 'made-3', 'made-4']);
  });

  it('2. step 2 of 4 fails: done steps undone in reverse, nothing enters the record', async ({ expect }) => {
    const steps = [step(0, { owns: ns('ns0') }), step(1, { owns: ns('ns1') }), failing, step(3, { owns: ns('ns3') })];
    const r = await inNamespace(
      `printf 'netns old\\n' > ${RECORD_FILE}\n` +
        launch('out', steps, opts()) +
        show('journal', TXN_JOURNAL) +
        show('record', RECORD_FILE) +
        show('pending', `${TXN_DIR}/pending`) +
        show('log', LOG),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.sec.out).toBe('@@step 0\n@@step 1\n@@step 2\nboom\n@@undo 1\n@@undo 0\n@@rolledback 0\n@@apply-exit\n1\n');
    expect(lines(r.sec.log)).toEqual(['made-0', 'made-1', 'undone-1', 'undone-0']);
    expect(lines(r.sec.journal)).toEqual([BEGIN('T1'), 'done 0', 'done 1', 'failed 2', 'rolledback 0']);
    expect(lines(r.sec.record)).toEqual(['netns old']);
    expect(lines(r.sec.pending)).toEqual(ABSENT);
    expect(parseTxnOutput(r.sec.out!, 4)).toEqual({ done: 2, committed: false, lost: false, failed: { index: 2, output: 'boom' }, rolledBack: { undone: 2, ok: true } });
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

  it('4. lock: lockWait 0 fails at once with the holder, lockWait 5 waits and commits', async ({ expect }) => {
    const ms = (name: string) => `t=$(date +%s%N); echo '==${name}'; echo $(( (t - t0) / 1000000 )); t0=$t\n`;
    const r = await inNamespace(
      `printf '%s\\n' 'cnet-remote up from alice@ctl (pid 42)' > ${HOLDER_FILE}\n` +
        `flock ${LOCK_FILE} sleep 2 &\n` +
        // until the background flock holds the lock
        `while flock -n ${LOCK_FILE} true; do sleep 0.02; done\n` +
        't0=$(date +%s%N)\n' +
        launch('now', [step(0)], opts({ id: 'NOW', lockWait: 0 })) +
        ms('now-ms') +
        show('journal-now', TXN_JOURNAL) +
        launch('wait', [step(1)], opts({ id: 'WAIT', lockWait: 5, holder: 'tester-wait' })) +
        ms('wait-ms') +
        show('journal', TXN_JOURNAL) +
        show('holder', HOLDER_FILE) +
        show('log', LOG),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.sec.now).toBe('@@locked\ncnet-remote up from alice@ctl (pid 42)\n@@apply-exit\n75\n');
    expect(parseTxnOutput(r.sec.now!, 1)).toEqual({ done: 0, committed: false, lost: false, locked: 'cnet-remote up from alice@ctl (pid 42)' });
    expect(Number(r.sec['now-ms'])).toBeLessThan(1000);
    expect(lines(r.sec['journal-now'])).toEqual(ABSENT);
    expect(parseTxnOutput(r.sec.wait!, 1)).toEqual({ done: 1, committed: true, lost: false });
    expect(Number(r.sec['wait-ms'])).toBeGreaterThan(1000);
    expect(lines(r.sec.journal)).toEqual([BEGIN('WAIT'), 'done 0', 'commit']);
    expect(lines(r.sec.holder)).toEqual(['tester-wait']);
    expect(lines(r.sec.log)).toEqual(['made-1']);
  });

  it('5. interrupted: runner killed during the pause, the journal says done 1, recoverScript undoes 1 then 0', async ({ expect }) => {
    const steps = [step(0, { owns: ns('ns0') }), step(1, { owns: ns('ns1') }), step(2), step(3)];
    const r = await inNamespace(
      put('/run/l.sh', launchScript(txnScript(steps, opts({ pause: { step: 1, seconds: 3 } })), 0)) +
        'sh /run/l.sh > /run/l.out 2> /run/l.err &\nlp=$!\n' +
        awaitJournal('done 1') +
        `read -r k id pid < ${TXN_JOURNAL}\necho '==cmdline'; tr '\\0' ' ' < /proc/$pid/cmdline; echo\nkill -9 "$pid"\nwait $lp\n` +
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
    expect(lines(r.sec.journal)).toEqual([BEGIN('T1'), 'done 0', 'done 1', 'rolledback 0']);
    expect(lines(r.sec.record)).toEqual(ABSENT);
    expect(lines(r.sec.pending)).toEqual(ABSENT);
  });

  it('6a. confirmTimeout 1, not confirmed: the host undoes the run and restores an absent record', async ({ expect }) => {
    const steps = [step(0, { owns: ns('ns0') }), step(1, { owns: ns('ns1') })];
    const r = await inNamespace(
      launch('out', steps, opts({ confirmTimeout: 1 })) +
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
    expect(lines(r.sec.journal)).toEqual([BEGIN('T1'), 'done 0', 'done 1', 'commit', 'armed 1', 'reverted 0']);
    expect(lines(r.sec.record)).toEqual(ABSENT);
  });

  it('6b. confirmTimeout 1, not confirmed: a record that existed is restored to what it was', async ({ expect }) => {
    const r = await inNamespace(
      launch('out0', [step('k', { owns: ns('keep') })], opts({ id: 'T0' })) +
        launch('out', [step(0, { owns: ns('ns0') }), step(1, { owns: ns('ns1') })], opts({ confirmTimeout: 1 })) +
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
      `${put('/run/confirm.sh', confirmScript())}echo '==confirm-none'\nsh /run/confirm.sh\n` +
        launch('out', [step(0, { owns: ns('ns0') }), step(1, { owns: ns('ns1') })], opts({ confirmTimeout: 1 })) +
        "echo '==confirm'\nsh /run/confirm.sh\n" +
        "echo '==confirm-again'\nsh /run/confirm.sh\n" +
        'sleep 2\n' +
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
    expect(lines(r.sec.journal)).toEqual([BEGIN('T1'), 'done 0', 'done 1', 'commit', 'armed 1', 'confirmed']);
    expect(lines(r.sec.record)).toEqual(['netns ns0', 'netns ns1']);
    expect(r.sec.confirmed).toBe('');
    expect(lines(r.sec.log)).toEqual(['made-0', 'made-1']);
  });

  it('7a. a second run locked out while a run holds the lock does not disturb that run', async ({ expect }) => {
    const r = await inNamespace(
      put('/run/a.sh', launchScript(txnScript([step('a0', { owns: ns('a0') }), step('a1')], opts({ id: 'A', pause: { step: 0, seconds: 1 } })), 0)) +
        'sh /run/a.sh > /run/a.out 2> /run/a.err &\nap=$!\n' +
        awaitJournal('done 0') +
        launch('b', [step('b0', { owns: ns('b0') })], opts({ id: 'B', lockWait: 0 })) +
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
    expect(lines(r.sec.journal)).toEqual([BEGIN('A'), 'done 0', 'done 1', 'commit']);
    expect(lines(r.sec.current)).toEqual(['1']);
    expect(lines(r.sec.record)).toEqual(['netns a0']);
    expect(lines(r.sec.log)).toEqual(['made-a0', 'made-a1']);
  });

  it('7b. ... and when that run is then interrupted, recovery undoes its own steps, not those of the run locked out', async ({ expect }) => {
    const r = await inNamespace(
      put('/run/a.sh', launchScript(txnScript([step('a0'), step('a1')], opts({ id: 'A', pause: { step: 0, seconds: 3 } })), 0)) +
        'sh /run/a.sh > /run/a.out 2> /run/a.err &\nap=$!\n' +
        awaitJournal('done 0') +
        launch('b', [step('b0'), step('b1')], opts({ id: 'B', lockWait: 0 })) +
        `read -r k id pid < ${TXN_JOURNAL}\nkill -9 "$pid"\nwait $ap\n` +
        recover('recover') +
        show('journal', TXN_JOURNAL) +
        show('log', LOG),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(parseTxnOutput(r.sec.b!, 2).locked).toBe('tester');
    expect(r.sec.recover).toBe('@@undo 0\n@@rolledback 0\n@@apply-exit\n0\n');
    expect(lines(r.sec.journal)).toEqual([BEGIN('A'), 'done 0', 'rolledback 0']);
    expect(lines(r.sec.log)).toEqual(['made-a0', 'undone-a0']);
  });

  it("8. an armed revert whose run was superseded by a later run does not undo steps by the later run's journal", async ({ expect }) => {
    const r = await inNamespace(
      launch('a', [step('a0', { owns: ns('a0') }), step('a1', { owns: ns('a1') })], opts({ id: 'A', confirmTimeout: 1 })) +
        launch('b', [step('b0', { owns: ns('b0') })], opts({ id: 'B' })) +
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
    expect(lines(r.sec.journal)).toEqual([BEGIN('B'), 'done 0', 'commit']);
    expect(lines(r.sec.record)).toEqual(['netns a0', 'netns a1', 'netns b0']);
    expect(lines(r.sec.log)).toEqual(['made-a0', 'made-a1', 'made-b0']);
  });
  it('8b. ... even when the revert starts late, after the later run has put its own script in place', async ({ expect }) => {
    const r = await inNamespace(
      // a setsid that starts reverts half a second late: by then run B's script is the current one
      'mkdir /run/bin\nreal=$(command -v setsid)\n' +
        put('/run/bin/setsid', '#!/bin/sh\ncase " $* " in *" revert "*) sleep 0.5 ;; esac\nexec "$real" "$@"') +
        'chmod +x /run/bin/setsid\nexport real PATH=/run/bin:$PATH\n' +
        launch('a', [step('a0', { owns: ns('a0') })], opts({ id: 'A', confirmTimeout: 1 })) +
        launch('b', [step('b0', { owns: ns('b0') })], opts({ id: 'B' })) +
        awaitTrue(`[ -s ${TXN_DIR}/revert.out ]`) +
        show('revert', `${TXN_DIR}/revert.out`) +
        show('journal', TXN_JOURNAL) +
        show('log', LOG),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(parseTxnOutput(r.sec.b!, 1).committed).toBe(true);
    expect(lines(r.sec.revert)).toEqual(['superseded by B: not reverted']);
    expect(lines(r.sec.journal)).toEqual([BEGIN('B'), 'done 0', 'commit']);
    expect(lines(r.sec.log)).toEqual(['made-a0', 'made-b0']);
  });

  it("9. a recovery that waited for the lock while another controller recovered the run and ran its own does not undo that run's steps", async ({ expect }) => {
    const r = await inNamespace(
      // run X, interrupted after its step 0
      put('/run/x.sh', launchScript(txnScript([step('x0'), step('x1')], opts({ id: 'X', pause: { step: 0, seconds: 3 } })), 0)) +
        'sh /run/x.sh > /run/x.out 2>&1 &\nxp=$!\n' +
        awaitJournal('done 0') +
        `read -r k id pid < ${TXN_JOURNAL}\nkill -9 "$pid"\nwait $xp\n` +
        // one controller recovers it and starts run Y, which pauses holding the lock
        recover('recover') +
        put('/run/y.sh', launchScript(txnScript([step('y0')], opts({ id: 'Y', lockWait: 5, pause: { step: 0, seconds: 1 } })), 5)) +
        'sh /run/y.sh > /run/y.out 2>&1 &\nyp=$!\n' +
        awaitTrue(`grep -qx made-y0 ${LOG}`) +
        // the other controller's recovery waits for the lock until Y has committed
        recover('recover-late') +
        'wait $yp\n' +
        show('y', '/run/y.out') +
        show('journal', TXN_JOURNAL) +
        show('log', LOG),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.sec.recover).toBe('@@undo 0\n@@rolledback 0\n@@apply-exit\n0\n');
    expect(r.sec['recover-late']).toBe('@@superseded Y commit\n@@apply-exit\n0\n');
    expect(parseTxnOutput(r.sec.y!, 1).committed).toBe(true);
    expect(lines(r.sec.journal)).toEqual([BEGIN('Y'), 'done 0', 'commit']);
    expect(lines(r.sec.log)).toEqual(['made-x0', 'undone-x0', 'made-y0']);
  });
});
