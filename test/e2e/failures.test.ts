import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, stopSshd, type LabInfo } from '../../src/lab/lab.js';
import { cli, cliJson, onVm, SEED_PART2, startLab, stopLab } from './lab-fixture.js';

/** Hosts that cannot be reached or trusted, and bad input: the others finish, nothing is touched. */
let lab: LabInfo;
beforeAll(async () => {
  lab = await startLab('fai', 3);
});
afterAll(async () => stopLab(lab));

describe.sequential('failures', () => {
  it('a host whose sshd is stopped is unreachable while the others finish (exit 4)', async () => {
    stopSshd(lab.plan, 2);
    try {
      const run = await cliJson('up', lab.inventory, SEED_PART2, '--timeout', '5');
      expect(run.code).toBe(4);
      expect(run.json.summary).toEqual({ ok: 0, changed: 2, failed: 0, unreachable: 1 });
      const vm2 = run.json.hosts.find((h) => h.name === 'vm2')!;
      expect(vm2.status).toBe('unreachable');
      expect(vm2.error).toMatch(/connection refused/);
      const human = await cli('verify', lab.inventory, SEED_PART2, '--timeout', '5');
      expect(human.code).toBe(4);
      expect(human.stdout).toMatch(/vm2 +: ok=0 changed=0 unreachable=1 failed=0/);
    } finally {
      startSshd(lab.plan, 2);
    }
    await new Promise((r) => setTimeout(r, 300));
    const again = await cliJson('up', lab.inventory, SEED_PART2);
    expect(again.code).toBe(0);
    expect(again.json.hosts.map((h) => [h.name, h.status])).toEqual([
      ['vm1', 'ok'],
      ['vm2', 'changed'],
      ['vm3', 'ok'],
    ]);
  });

  it('a changed host key is refused with its fingerprint under strict and accept-new; off warns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnet-hk-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
    const other = readFileSync(join(dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const known = join(dir, 'known_hosts');
    writeFileSync(known, `${lab.plan.vmAddress(3)} ${other}\n`);
    const realFp = execFileSync('ssh-keygen', ['-lf', join(lab.plan.dir, 'hostkeys', 'h3.pub')], { encoding: 'utf8' }).split(' ')[1]!;
    for (const mode of ['strict', 'accept-new']) {
      const inv = join(dir, `inv-${mode}.yaml`);
      writeFileSync(inv, `all:\n  vars:\n    cnet_known_hosts_file: ${known}\n    cnet_host_key_checking: ${mode}\n  hosts:\n    vm3: {}\n`);
      const run = await cliJson('verify', lab.inventory, SEED_PART2, inv, '--limit', 'vm3');
      expect(run.code).toBe(4);
      expect(run.json.hosts[0]!.status).toBe('unreachable');
      expect(run.json.hosts[0]!.error).toContain(realFp);
      expect(run.json.hosts[0]!.error).toMatch(/CHANGED/);
    }
    const off = join(dir, 'inv-off.yaml');
    writeFileSync(
      off,
      `all:\n  vars:\n    cnet_known_hosts_file: ${known}\n    ansible_host_key_checking: false\n    cnet_host_key_checking: off\n  hosts:\n    vm3: {}\n`,
    );
    const run = await cli('verify', lab.inventory, SEED_PART2, off, '--limit', 'vm3');
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).toContain(realFp);
    expect(readFileSync(known, 'utf8')).toBe(`${lab.plan.vmAddress(3)} ${other}\n`);
  });

  it('accept-new records an unknown key in OpenSSH format and trusts it next time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnet-hk-'));
    const known = join(dir, 'known_hosts');
    const inv = join(dir, 'inv.yaml');
    writeFileSync(inv, `all:\n  vars:\n    cnet_known_hosts_file: ${known}\n    cnet_host_key_checking: accept-new\n`);
    const first = await cliJson('verify', lab.inventory, SEED_PART2, inv);
    expect(first.code).toBe(0);
    expect(execFileSync('ssh-keygen', ['-F', lab.plan.vmAddress(1), '-f', known], { encoding: 'utf8' })).toContain('ssh-ed25519');
    const strict = join(dir, 'strict.yaml');
    writeFileSync(strict, `all:\n  vars:\n    cnet_known_hosts_file: ${known}\n    cnet_host_key_checking: strict\n`);
    expect((await cliJson('verify', lab.inventory, SEED_PART2, strict)).code).toBe(0);
  });

  it('bad input is refused with file:line:col before any host is touched (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnet-bad-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'all:\n  vars:\n    cnet:\n      bridges:\n        br9: { subnet: 172.30.0.0/16 }\n      namespaces:\n        "x;reboot": { bridge: br9 }\n',
    );
    const before = await onVm(lab, 1, 'ip netns list; ip -br link\n');
    const run = await cli('up', lab.inventory, bad);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${bad}:7:9`);
    expect(run.stderr).toMatch(/x;reboot/);
    expect(run.stderr).toMatch(/nothing was touched/);
    expect((await onVm(lab, 1, 'ip netns list; ip -br link\n')).stdout).toBe(before.stdout);
  });

  it('usage errors exit 1 with a message', async () => {
    const run = await cli('up', lab.inventory, '--limit', 'nosuchhost');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/nosuchhost/);
    expect((await cli('up')).code).toBe(1);
    expect((await cli('up', lab.inventory, '--forks', '0')).code).toBe(1);
  });
});
