import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { blackhole, type LabInfo } from '../../src/lab/lab.js';
import { cliEnv, onVm, SEED_PART2, snapshot, startLab, stopLab } from './lab-fixture.js';
import { background, byName, journalEnd, until, vmPids as vmPidsOf } from './run-fixture.js';

/**
 * The fault suite: for each fault, the other hosts finish correctly, the faulty host is either
 * fully converged or exactly as before, nothing cnet-remote owns leaks, nothing else is touched.
 */
let lab: LabInfo;
let dir: string;
const inv = () => [lab.inventory, SEED_PART2];
beforeAll(async () => {
  lab = await startLab('flt', 3);
  dir = mkdtempSync(join(tmpdir(), 'cnet-faults-'));
});
afterAll(async () => stopLab(lab));

/** Something that is not ours on every VM, which no fault may touch. */
const FOREIGN =
  'ip link add name keep0 type bridge 2>/dev/null; iptables -t nat -C POSTROUTING -s 10.99.0.0/16 -j MASQUERADE 2>/dev/null || iptables -t nat -A POSTROUTING -s 10.99.0.0/16 -j MASQUERADE\n';
let clean: string[];
beforeEach(async () => {
  // start each fault from nothing of ours
  await cliEnv({}, 'down', ...inv());
  for (const vm of [1, 2, 3]) await onVm(lab, vm, FOREIGN);
  clean = await Promise.all([1, 2, 3].map((vm) => snapshot(lab, vm)));
});

async function converged(vm: number): Promise<boolean> {
  const run = await cliEnv({}, 'verify', ...inv(), '--limit', `vm${vm}`, '--json');
  return byName(run.stdout)[`vm${vm}`]!.status === 'ok';
}

/** converged, or exactly as before: never half built */
async function convergedOrUntouched(vm: number): Promise<'converged' | 'untouched'> {
  if (await converged(vm)) return 'converged';
  expect(await snapshot(lab, vm)).toBe(clean[vm - 1]);
  return 'untouched';
}

/** pids of a VM's processes whose command line matches */
const vmPids = (vm: number, pattern: RegExp) => vmPidsOf(lab, vm, pattern);
/** the last word of a VM's journal */
const journalIs = (vm: number, line: string) => async () => (await journalEnd(lab, vm)) === line;

describe.sequential('faults', () => {
  it('sshd stopped before the run: that host is unreachable and untouched, the others converge', async () => {
    const { stopSshd, startSshd } = await import('../../src/lab/lab.js');
    stopSshd(lab.plan, 2);
    try {
      const run = await cliEnv({}, 'up', ...inv(), '--json', '--timeout', '3');
      const h = byName(run.stdout);
      expect([h.vm1!.status, h.vm2!.status, h.vm3!.status]).toEqual(['changed', 'unreachable', 'changed']);
    } finally {
      startSshd(lab.plan, 2);
      await until(async () => (await onVm(lab, 2, 'true\n')).code === 0);
    }
    expect(await convergedOrUntouched(2)).toBe('untouched');
    expect(await converged(1)).toBe(true);
  });

  it('a host blackholed during the run: its deadline is honoured, and its transaction finishes on the host by itself', async () => {
    const run = background({ CNET_FAULT_PAUSE: '3:2' }, 'up', ...inv(), '--json', '--deadline', '6');
    // cut vm2 off once its transaction is under way (paused after step 3)
    await until(journalIs(2, 'done 3'));
    await blackhole(lab.plan, 2);
    const res = await run.done;
    await blackhole(lab.plan, 2, false);
    const h = byName(res.stdout);
    expect(h.vm2!.status).toBe('unreachable');
    expect(h.vm2!.error).toMatch(/deadline of 6 s exceeded/);
    expect([h.vm1!.status, h.vm3!.status]).toEqual(['changed', 'changed']);
    await until(journalIs(2, 'commit'));
    expect(await convergedOrUntouched(2)).toBe('converged');
  });

  it('the SSH session killed mid-apply: the transaction goes on and commits; the next run has nothing to do', async () => {
    const run = background({ CNET_FAULT_PAUSE: '3:2' }, 'up', ...inv(), '--json', '--limit', 'vm1');
    await until(journalIs(1, 'done 3'));
    const sessions = await vmPids(1, /^\d+ sshd: root@notty/);
    expect(sessions.length).toBeGreaterThan(0);
    await onVm(lab, 1, `kill ${sessions.join(' ')}\n`);
    const res = await run.done;
    expect(byName(res.stdout).vm1!.status).toBe('unreachable');
    await until(journalIs(1, 'commit'));
    expect(await convergedOrUntouched(1)).toBe('converged');
    const again = await cliEnv({}, 'up', ...inv(), '--json', '--limit', 'vm1');
    expect(byName(again.stdout).vm1!.changes).toBe(0);
  });

  it('the runner killed mid-apply too: the next run finds the journal, rolls back, and builds cleanly', async () => {
    const run = background({ CNET_FAULT_PAUSE: '6:3' }, 'up', ...inv(), '--json', '--limit', 'vm1');
    await until(journalIs(1, 'done 6'));
    // the runner is the journal's pid (a process listing may also catch a fork of it, before it execs)
    const runner = await onVm(lab, 1, 'read -r k id pid < /run/cnet-remote/txn/journal; echo "$pid"; tr "\\0" " " < /proc/$pid/cmdline\n');
    const [pid, cmdline] = runner.stdout.split('\n');
    expect(cmdline).toBe('sh /run/cnet-remote/txn/current.sh apply locked ');
    const sessions = await vmPids(1, /^\d+ sshd: root@notty/);
    await onVm(lab, 1, `kill -9 -${pid} ${sessions.join(' ')}\n`);
    await run.done;
    // half built now: the journal says so
    expect(await journalEnd(lab, 1)).toMatch(/^done \d+$/);
    const next = await cliEnv({}, 'up', ...inv(), '--json', '--limit', 'vm1');
    const h = byName(next.stdout).vm1!;
    expect(h.status).toBe('changed');
    expect(h.warnings?.some((w) => /had been interrupted .* rolled back from its journal/.test(w.message))).toBe(true);
    expect(await convergedOrUntouched(1)).toBe('converged');
  });

  it('a step failing mid-plan on an interface that is not ours: refused, rolled back, the foreign interface intact', async () => {
    const run = background({ CNET_FAULT_PAUSE: '1:2' }, 'up', ...inv(), '--json', '--limit', 'vm3');
    await until(journalIs(3, 'done 1'));
    await onVm(lab, 3, 'ip link add name br0 type bridge\n'); // someone else's br0, made while the plan runs
    const h = byName((await run.done).stdout).vm3!;
    expect(h.status).toBe('failed');
    expect(h.error).toMatch(/ip link add name br0 type bridge: RTNETLINK answers: File exists; rolled back \d+ steps/);
    const state = await onVm(lab, 3, 'ip -br link show br0; ip -j -d link show br0 | grep -c cnet-remote || true\n');
    expect(state.stdout).toMatch(/^br0 /);
    expect(state.stdout.trim().endsWith('0')).toBe(true); // not marked as ours
    await onVm(lab, 3, 'ip link del br0\n');
    expect(await convergedOrUntouched(3)).toBe('untouched');
  });

  it('two up runs at once: one applies, the other is refused by the lock naming the holder; the host converges', async () => {
    // a pause long enough for the second run to start, connect and gather on a loaded machine
    const a = background({ CNET_FAULT_PAUSE: '1:5' }, 'up', ...inv(), '--json', '--limit', 'vm2');
    await until(journalIs(2, 'done 1'));
    const b = await cliEnv({}, 'up', ...inv(), '--json', '--limit', 'vm2');
    const first = byName((await a.done).stdout).vm2!;
    const second = byName(b.stdout).vm2!;
    expect(first.status).toBe('changed');
    expect(second.status).toBe('failed');
    expect(second.error).toMatch(/the host is locked by another run: cnet-remote up from \S+@\S+ \(pid \d+\)/);
    expect(await convergedOrUntouched(2)).toBe('converged');
  });

  it('SIGINT to the controller mid-run: no new host starts, the running one finishes, the recap is printed, exit 130', async () => {
    const run = background({ CNET_FAULT_PAUSE: '1:2' }, 'up', ...inv(), '--forks', '1');
    await until(journalIs(1, 'done 1'));
    run.child.kill('SIGINT');
    const res = await run.done;
    expect(res.code).toBe(130);
    expect(res.stdout).toMatch(/RECAP/);
    expect(res.stdout).toMatch(/vm1 +: ok=1 changed=\d+ unreachable=0 failed=0/);
    expect(res.stderr).toMatch(/not started: interrupted/);
    expect(await convergedOrUntouched(1)).toBe('converged');
    for (const vm of [2, 3]) expect(await convergedOrUntouched(vm)).toBe('untouched');
  });

  it('a plan that would take the management path, or a subnet overlapping a host route: refused before anything is applied', async () => {
    const bad = join(dir, 'mgmt.yaml');
    const net = lab.plan.net;
    writeFileSync(
      bad,
      `all:\n  vars:\n    cnet:\n      bridges:\n        brx: { subnet: 10.${net}.0.0/20, nat: false }\n      namespaces:\n        nsx: { bridge: brx }\n`,
    );
    const run = await cliEnv({}, 'up', lab.inventory, bad, '--json', '--limit', 'vm1');
    const h = byName(run.stdout).vm1!;
    expect(h.status).toBe('failed');
    expect(h.error).toMatch(/refused, nothing applied: .*contains 10\.\d+\.0\.\d+, an address of this SSH session/);
    expect(h.error).toMatch(/overlaps the host's route 10\.\d+\.0\.0\/17 dev eth0/);
    expect(await snapshot(lab, 1)).toBe(clean[0]);
  });

  it('--confirm-timeout: not confirmed, the host reverts by itself; confirmed, it stays', async () => {
    const armed = await cliEnv({}, 'up', ...inv(), '--json', '--limit', 'vm1', '--confirm-timeout', '2', '--manual-confirm');
    expect(byName(armed.stdout).vm1!.warnings?.some((w) => /armed: the host reverts this run in 2 s/.test(w.message))).toBe(true);
    // built and verified by the run itself (read back over SSH now, a loaded machine may be past the 2 s already)
    expect(byName(armed.stdout).vm1).toMatchObject({ status: 'changed', verified: true });
    await until(async () => /^reverted/.test(await journalEnd(lab, 1)));
    expect(await journalEnd(lab, 1)).toBe('reverted 0');
    expect(await convergedOrUntouched(1)).toBe('untouched');

    // the run confirms over a fresh connection within its timeout: 10 s, for a loaded machine
    const kept = await cliEnv({}, 'up', ...inv(), '--json', '--limit', 'vm1', '--confirm-timeout', '10');
    expect(byName(kept.stdout).vm1!.status).toBe('changed');
    // the armed revert wakes up, finds the run confirmed, and ends: then the run has stayed
    expect(await journalEnd(lab, 1)).toBe('confirmed');
    await until(async () => (await vmPids(1, / revert 10 *$/)).length === 0, 90_000);
    expect(await journalEnd(lab, 1)).toBe('confirmed');
    expect(await converged(1)).toBe(true);

    // and by hand: `confirm` over a fresh connection
    await cliEnv({}, 'down', ...inv(), '--limit', 'vm2');
    // time enough for a fresh connection on a loaded machine (3 s was not, with two test runs at once)
    await cliEnv({}, 'up', ...inv(), '--limit', 'vm2', '--confirm-timeout', '20', '--manual-confirm');
    const confirmed = await cliEnv({}, 'confirm', ...inv(), '--limit', 'vm2', '--json');
    expect(byName(confirmed.stdout).vm2!.status).toBe('changed');
    await until(async () => (await vmPids(2, / revert 20 *$/)).length === 0, 90_000);
    expect(await journalEnd(lab, 2)).toBe('confirmed');
    expect(await converged(2)).toBe(true);
  });
});
