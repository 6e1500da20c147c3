import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cli, cliJson, onVm, SEED_PB_JELLY, startLab, stopLab } from './lab-fixture.js';

/** `plan` prints what `up` would run, and it is runnable by hand: run it, and `verify` agrees. */
let lab: LabInfo;
beforeAll(async () => {
  lab = await startLab('pl', 1);
});
afterAll(async () => stopLab(lab));

it('plan prints a runnable script; run by hand over ssh, the host verifies and up has nothing left to do', async () => {
  const plan = await cli('plan', lab.inventory, SEED_PB_JELLY);
  expect(plan.code).toBe(0);
  const lines = plan.stdout.trim().split('\n');
  expect(lines[0]).toBe('# vm1: 28 commands');
  expect(lines).toContain('ip link add name bread-pb-veth type veth peer name veth-pb address 02:42:ac:13:00:02 netns pb');
  expect(plan.stderr).toMatch(/RECAP/); // progress and recap stay off stdout

  const ran = await onVm(lab, 1, `set -e\n${plan.stdout}`);
  expect(ran.code, ran.stderr).toBe(0);
  const verify = await cliJson('verify', lab.inventory, SEED_PB_JELLY);
  expect(verify.code).toBe(0);
  expect(verify.json.hosts[0]!.mismatches).toEqual([]);
  const again = await cli('plan', lab.inventory, SEED_PB_JELLY);
  expect(again.stdout.trim()).toBe('# vm1: nothing to do');
});
