import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, startSshd, stopSshd, type LabInfo } from '../../src/lab/lab.js';
import type { ExecReport } from '../../src/report/exec-report.js';
import { cli, cliEnv, onVm, SEED_PART2, SEED_PB_JELLY, startLab, stopLab } from './lab-fixture.js';

/** `cnet-remote exec` over real SSH: per-host output, namespaces, exit codes, quoting. */
let lab: LabInfo;
let dir: string;
/** the lab's hosts, and both tutorials' networks on each */
let inv: string[];
beforeAll(async () => {
  lab = await startLab('ex', 3);
  dir = mkdtempSync(join(tmpdir(), 'cnet-exec-'));
  inv = [lab.inventory, SEED_PART2, SEED_PB_JELLY];
  // their namespaces, for --ns
  const up = await cli('up', ...inv, '--json');
  if (up.code !== 0) throw new Error(`up failed (exit ${up.code}): ${up.stdout}\n${up.stderr}`);
});
afterAll(async () => stopLab(lab));

const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const execJson = async (...args: string[]) => {
  const run = await cli('exec', ...inv, '--json', ...args);
  try {
    return { ...run, json: JSON.parse(run.stdout) as ExecReport };
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
};

describe.sequential('exec', () => {
  it('runs the command on every host in parallel, each line prefixed by its host; a summary; exit 0', async () => {
    const run = await cli('exec', ...inv, '--', 'hostname');
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout).sort()).toEqual(['vm1 | vm1', 'vm2 | vm2', 'vm3 | vm3']);
    expect(run.stderr).toMatch(/^3 hosts: 3 ok \(exit 0\), 0 failed, 0 unreachable in \d+\.\d\d s$/m);
  });

  it('--ns runs inside that namespace on each host: the address there, prefixed host/ns', async () => {
    const run = await cli('exec', ...inv, '--ns', 'container1', '--', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'ceth1');
    expect(run.code, run.stderr).toBe(0);
    const out = lines(run.stdout).sort();
    expect(out).toHaveLength(3);
    for (const [i, l] of out.entries()) expect(l).toMatch(new RegExp(`^vm${i + 1}/container1 \\| \\d+: ceth1\\s+inet 172\\.18\\.0\\.2/16 `));
  });

  it('exec --ns: per-host output, and exit 2 naming the host whose command failed, with its exit code', async () => {
    const run = await cli('exec', ...inv, '--ns', 'container1', '--', 'sh', '-c', 'ip -4 -o addr show dev ceth1 | cut -d" " -f2; test "$(hostname)" != vm2');
    expect(run.code).toBe(2);
    expect(lines(run.stdout).sort()).toEqual(['vm1/container1 | ceth1', 'vm2/container1 | ceth1', 'vm3/container1 | ceth1']);
    expect(run.stderr).toMatch(/^vm2\/container1 : exit 1$/m);
    expect(run.stderr).toMatch(/^3 hosts: 2 ok \(exit 0\), 1 failed \(exit≠0: vm2\/container1=1\), 0 unreachable in /m);
  });

  it('a command failing on one host only: exit 2, that host and its exit code in the summary; stderr lines marked', async () => {
    const run = await cli('exec', ...inv, '--', 'sh', '-c', 'test "$(hostname)" != vm2 || { echo "not here" >&2; exit 3; }');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^vm2 ! not here$/m);
    expect(run.stderr).toMatch(/^vm2 : exit 3$/m);
    expect(run.stderr).toMatch(/2 ok \(exit 0\), 1 failed \(exit≠0: vm2=3\), 0 unreachable/);
    expect(run.stdout).toBe('');
  });

  it('hostile arguments are passed literally: nothing is expanded, split or run', async () => {
    const words = ['$(touch /run/pwned)', '`touch /run/pwned2`', 'a  b', "it's", ';', 'touch', '/run/pwned3', '*', '$HOME'];
    const run = await cli('exec', ...inv, '--limit', 'vm1', '--', 'printf', '%s\\n', ...words);
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout)).toEqual(words.map((w) => `vm1 | ${w}`));
    const echo = await cli('exec', ...inv, '--limit', 'vm1', '--', 'echo', '$(id)');
    expect(echo.stdout).toBe('vm1 | $(id)\n');
    expect((await onVm(lab, 1, 'ls /run/pwned* 2>/dev/null | wc -l\n')).stdout.trim()).toBe('0');
  });

  it('--limit selects the hosts', async () => {
    const run = await cli('exec', ...inv, '--limit', 'vm1,vm3', '--', 'hostname');
    expect(run.code).toBe(0);
    expect(lines(run.stdout).sort()).toEqual(['vm1 | vm1', 'vm3 | vm3']);
    expect(run.stderr).toMatch(/^2 hosts: 2 ok/m);
  });

  it('--json: one object, a result per host with its code, stdout and stderr, and the summary', async () => {
    const run = await execJson('--limit', 'vm1,vm2', '--', 'sh', '-c', 'hostname; echo e >&2; test "$(hostname)" = vm1');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('');
    expect(run.json.command).toBe('exec');
    expect(run.json.argv).toEqual(['sh', '-c', 'hostname; echo e >&2; test "$(hostname)" = vm1']);
    expect(run.json.results).toEqual([
      { host: 'vm1', ns: null, status: 'ok', code: 0, stdout: 'vm1\n', stderr: 'e\n' },
      { host: 'vm2', ns: null, status: 'failed', code: 1, stdout: 'vm2\n', stderr: 'e\n' },
    ]);
    expect(run.json.summary).toEqual({ hosts: 2, ok: 1, failed: 1, unreachable: 0 });
  });

  it("--ns '*': each namespace the inventory declares for the host, each prefixed host/ns", async () => {
    const run = await execJson('--limit', 'vm2', '--ns', '*', '--', 'ip', '-o', 'link', 'show', 'up');
    expect(run.code, run.stdout).toBe(0);
    expect(run.json.results.map((r) => `${r.host}/${r.ns}`)).toEqual(['vm2/container1', 'vm2/container2', 'vm2/jelly', 'vm2/pb']);
    expect(run.json.results.find((r) => r.ns === 'pb')!.stdout).toMatch(/veth-pb/);
  });

  it('a namespace missing on the host: a failure of that host with ip’s message, not of the run', async () => {
    await onVm(lab, 3, 'ip netns add only3\n');
    try {
      const run = await cli('exec', ...inv, '--ns', 'only3', '--', 'true');
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^vm1\/only3 ! Cannot open network namespace "only3"/m);
      expect(run.stderr).toMatch(/1 ok \(exit 0\), 2 failed \(exit≠0: vm1\/only3=\d+, vm2\/only3=\d+\)/);
    } finally {
      await onVm(lab, 3, 'ip netns del only3\n');
    }
  });

  it('an unreachable host: exit 4, named in the summary; the others still run', async () => {
    stopSshd(lab.plan, 3);
    try {
      const run = await cli('exec', ...inv, '--timeout', '3', '--', 'hostname');
      expect(run.code).toBe(4);
      expect(lines(run.stdout).sort()).toEqual(['vm1 | vm1', 'vm2 | vm2']);
      expect(run.stderr).toMatch(/^vm3 : UNREACHABLE: /m);
      expect(run.stderr).toMatch(/2 ok \(exit 0\), 0 failed, 1 unreachable \(vm3\)/);
    } finally {
      startSshd(lab.plan, 3);
    }
  });

  it('through sudo (ansible_become), with its password from the environment: root, and the password never printed', async () => {
    const { sudoer, passwordSudoer } = LAB_USERS;
    const become = join(dir, 'become.yaml');
    writeFileSync(
      become,
      `all:\n  children:\n    lab:\n      hosts:\n        vm1: { ansible_user: ${sudoer}, ansible_become: true }\n        vm2: { ansible_user: ${passwordSudoer}, ansible_become: true }\n`,
    );
    const run = await cliEnv(
      { CNET_BECOME_PASSWORD: lab.becomePassword },
      'exec',
      ...inv,
      become,
      '--limit',
      'vm1,vm2',
      '--ns',
      'container1',
      '--',
      'id',
      '-u',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout).sort()).toEqual(['vm1/container1 | 0', 'vm2/container1 | 0']);
    expect(run.stdout + run.stderr).not.toContain(lab.becomePassword);
    expect(readFileSync(become, 'utf8')).not.toContain(lab.becomePassword);
  });
});
