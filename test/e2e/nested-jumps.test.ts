import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cliJson, realSsh, SEED_PART2, startLab, stopLab } from './lab-fixture.js';

/**
 * Nested jumps written only in the ssh config, each hop its own Host block (deep1 → ProxyJump priv1,
 * priv1 → ProxyJump vm1), and an inventory that names the hosts and nothing else: cnet-remote
 * follows the chain as `ssh -J` does, and the real ssh with the same config reaches the same host.
 */
let lab: LabInfo;
let dir: string;
let config: string;
let inventory: string;
beforeAll(async () => {
  lab = await startLab('nj', 1, { behind: 2, behind2: 1 });
  dir = mkdtempSync(join(tmpdir(), 'cnet-nested-'));
  const vm = (name: string) => lab.plan.vms.find((v) => v.name === name)!.address;
  const block = (name: string, jump?: string) =>
    [
      `Host ${name}`,
      `  HostName ${vm(name)}`,
      '  User root',
      `  IdentityFile ${lab.key}`,
      `  UserKnownHostsFile ${lab.knownHosts}`,
      ...(jump ? [`  ProxyJump ${jump}`] : []),
    ].join('\n');
  config = join(dir, 'ssh_config');
  writeFileSync(
    config,
    [
      block('deep1', 'priv1'),
      block('priv1', 'vm1'),
      block('priv2', 'vm1'),
      block('vm1'),
      'Host *\n  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n',
    ].join('\n'),
  );
  inventory = join(dir, 'hosts.yaml');
  // names only: no address, user, key nor ansible_ssh_common_args
  writeFileSync(inventory, 'all:\n  hosts:\n    deep1:\n    priv2:\n');
});
afterAll(async () => stopLab(lab));

/** Logins the lab VM `key` (h1, p1, q1) accepted from `from`. */
const logins = (key: string, from: string) =>
  readFileSync(join(lab.plan.dir, `${key}.log`), 'utf8').match(new RegExp(`Accepted publickey for root from ${from.replaceAll('.', '\\.')} `, 'g'))?.length ??
  0;

const ssh = (...args: string[]) => realSsh(args);

describe.sequential('nested jumps from the ssh config (deep1 → priv1 → vm1)', () => {
  it('up, verify and down reach deep1 through priv1 and vm1, each bastion opened once', async () => {
    const up = await cliJson('up', inventory, SEED_PART2, '-F', config);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(Object.fromEntries(up.json.hosts.map((h) => [h.name, h.status]))).toEqual({ deep1: 'changed', priv2: 'changed' });
    // one login on vm1 from the controller for both hosts behind it (deep1 through priv1, priv2)
    expect(logins('h1', lab.plan.controllerAddress)).toBe(1);
    const verify = await cliJson('verify', inventory, SEED_PART2, '-F', config);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.json.hosts.map((h) => h.verified)).toEqual([true, true]);
    const down = await cliJson('down', inventory, SEED_PART2, '-F', config);
    expect(down.code, down.stdout).toBe(0);
    expect(down.json.summary.failed ?? 0).toBe(0);
    expect(down.json.summary.unreachable ?? 0).toBe(0);
  });

  it('the real ssh with the same config reaches the same host the same way', async () => {
    const run = await ssh('-F', config, 'deep1', 'hostname');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('deep1');
  });

  it('a loop in the config is refused, naming the chain, and nothing is connected to', async () => {
    const looped = join(dir, 'ssh_config_loop');
    writeFileSync(looped, `Host priv1\n  ProxyJump deep1\n${readFileSync(config, 'utf8')}`);
    const before = logins('h1', lab.plan.controllerAddress);
    const run = await cliJson('verify', inventory, SEED_PART2, '-F', looped, '--limit', 'deep1');
    expect(run.code).not.toBe(0);
    expect(run.json.hosts[0]).toMatchObject({ name: 'deep1', status: 'unreachable' });
    expect(run.json.hosts[0]!.error).toMatch(/loop \(deep1 → priv1 → deep1 → priv1\)/);
    expect(logins('h1', lab.plan.controllerAddress)).toBe(before);
  });
});
