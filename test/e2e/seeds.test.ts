import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cli, cliJson, onVm, pings, SEED_PART2, SEED_PB_JELLY, snapshot, startLab, stopLab } from './lab-fixture.js';

/** Both seeds, over real SSH on simulated VMs: build, prove by ping, converge, drift, repair, tear down. */
let lab: LabInfo;
beforeAll(async () => {
  lab = await startLab('sd', 2);
});
afterAll(async () => stopLab(lab));

describe.sequential('seed part 2: container1/container2 on br0', () => {
  let before: string;
  const inv = () => [lab.inventory, SEED_PART2];

  it('comes up on every host, verified', async () => {
    // something cnet-remote did not create, which must survive `down`
    await onVm(lab, 1, 'ip link add name keepme0 type bridge\niptables -t nat -A POSTROUTING -s 10.77.0.0/16 -j MASQUERADE\n');
    before = await snapshot(lab, 1);
    const run = await cliJson('up', ...inv());
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.summary).toEqual({ ok: 0, changed: 2, failed: 0, unreachable: 0 });
    for (const h of run.json.hosts) {
      expect(h.verified).toBe(true);
      expect(h.mismatches).toEqual([]);
      expect(h.steps).toContain('ip link add name veth1 type veth peer name ceth1 address 02:42:ac:12:00:02 netns container1');
    }
  });

  it('containers ping each other, the host pings them, they reach the upstream through NAT', async () => {
    for (const vm of [1, 2]) {
      expect(await pings(lab, vm, 'container1', '172.18.0.3')).toBe(true);
      expect(await pings(lab, vm, 'container2', '172.18.0.2')).toBe(true);
      expect(await pings(lab, vm, undefined, '172.18.0.2')).toBe(true);
      expect(await pings(lab, vm, 'container2', '172.18.0.1')).toBe(true);
      expect(await pings(lab, vm, 'container1', lab.plan.internetAddress)).toBe(true);
    }
  });

  it('a second up changes nothing and says so', async () => {
    const run = await cliJson('up', ...inv());
    expect(run.code).toBe(0);
    expect(run.json.summary).toEqual({ ok: 2, changed: 0, failed: 0, unreachable: 0 });
    expect(run.json.hosts.map((h) => h.changes)).toEqual([0, 0]);
    const human = await cli('up', ...inv());
    expect(human.stdout).toMatch(/vm1 +: ok=1 changed=0 unreachable=0 failed=0/);
  });

  it('without the NAT rule the upstream is unreachable while the bridge still works; verify names it, up restores only it', async () => {
    // (conntrack keeps an ICMP flow's NAT for 30 s after its rule is gone: forget those flows too)
    await onVm(
      lab,
      1,
      "iptables -t nat -D POSTROUTING -s 172.18.0.0/16 '!' -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE\nconntrack -D -p icmp >/dev/null 2>&1 || true\n",
    );
    expect(await pings(lab, 1, 'container1', lab.plan.internetAddress)).toBe(false);
    expect(await pings(lab, 1, 'container1', '172.18.0.3')).toBe(true);

    const verify = await cliJson('verify', ...inv());
    expect(verify.code).toBe(2);
    const vm1 = verify.json.hosts.find((h) => h.name === 'vm1')!;
    expect(vm1.status).toBe('failed');
    expect(vm1.mismatches).toEqual([
      { path: 'bridges.br0.nat', desired: 'MASQUERADE 172.18.0.0/16 ! -o br0', actual: 'absent', object: { kind: 'nat', name: 'br0' }, part: '' },
    ]);
    expect(verify.json.hosts.find((h) => h.name === 'vm2')!.status).toBe('ok');

    const up = await cliJson('up', ...inv());
    expect(up.code).toBe(0);
    expect(up.json.hosts.find((h) => h.name === 'vm1')!.steps).toEqual([
      "iptables -w -t nat -A POSTROUTING -s 172.18.0.0/16 '!' -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE",
    ]);
    expect(up.json.hosts.find((h) => h.name === 'vm2')!.changes).toBe(0);
    expect(await pings(lab, 1, 'container1', lab.plan.internetAddress)).toBe(true);
  });

  it('a hand-deleted namespace and a downed bridge are named by verify and restored by up', async () => {
    await onVm(lab, 2, 'ip netns del container2\nip link set dev br0 down\n');
    const verify = await cliJson('verify', ...inv(), '--limit', 'vm2');
    expect(verify.code).toBe(2);
    const paths = verify.json.hosts[0]!.mismatches.map((m) => m.path);
    expect(paths).toContain('namespaces.container2');
    expect(paths).toContain('bridges.br0.state');
    expect(paths.some((p) => p.startsWith('namespaces.container1'))).toBe(false);

    const up = await cliJson('up', ...inv(), '--limit', 'vm2');
    expect(up.code).toBe(0);
    const steps = up.json.hosts[0]!.steps;
    expect(steps).toContain('ip netns add container2');
    expect(steps).toContain('ip link set dev br0 up');
    expect(steps.some((s) => s.includes('container1') || s.includes('veth1'))).toBe(false);
    expect(await pings(lab, 2, 'container1', '172.18.0.3')).toBe(true);
  });

  it('down leaves the host as it was; foreign interface and rule survive; down twice is fine', async () => {
    const down = await cliJson('down', ...inv());
    expect(down.code).toBe(0);
    expect(down.json.hosts.every((h) => h.verified)).toBe(true);
    expect(await snapshot(lab, 1)).toBe(before);
    const state = await onVm(lab, 1, 'ip -br link show keepme0; iptables -t nat -S POSTROUTING\n');
    expect(state.stdout).toContain('keepme0');
    expect(state.stdout).toContain('-A POSTROUTING -s 10.77.0.0/16 -j MASQUERADE');
    const again = await cliJson('down', ...inv());
    expect(again.code).toBe(0);
    expect(again.json.summary).toEqual({ ok: 2, changed: 0, failed: 0, unreachable: 0 });
  });

  it('down removes what up made even when the inventory changed since', async () => {
    await cliJson('up', ...inv(), '--limit', 'vm2');
    const down = await cliJson('down', lab.inventory, '--limit', 'vm2'); // no cnet at all now
    expect(down.code).toBe(0);
    expect(down.json.hosts[0]!.steps).toContain('ip netns del container1');
    const left = await onVm(lab, 2, 'ip netns list; ip -br link | grep -c veth || true\n');
    expect(left.stdout.trim()).toBe('0');
  });
});

describe.sequential('seed pb & jelly: brd1, bread-*-veth', () => {
  const inv = () => [lab.inventory, SEED_PB_JELLY];

  it("comes up with the tutorial's exact names and works", async () => {
    const run = await cliJson('up', ...inv());
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.summary.changed).toBe(2);
    const links = await onVm(lab, 1, 'ip -br link show master brd1 | cut -d@ -f1 | cut -d" " -f1 | sort; ip -n pb -br link show veth-pb | cut -d@ -f1\n');
    expect(links.stdout.split('\n').filter(Boolean)).toEqual(['bread-j-veth', 'bread-pb-veth', 'veth-pb']);
    for (const vm of [1, 2]) {
      expect(await pings(lab, vm, 'jelly', '172.19.0.2')).toBe(true);
      expect(await pings(lab, vm, undefined, '172.19.0.3')).toBe(true);
      expect(await pings(lab, vm, 'pb', lab.plan.internetAddress)).toBe(true);
    }
    const again = await cliJson('up', ...inv());
    expect(again.json.summary).toEqual({ ok: 2, changed: 0, failed: 0, unreachable: 0 });
    const down = await cliJson('down', ...inv());
    expect(down.code).toBe(0);
    expect(await pings(lab, 1, undefined, '172.19.0.3')).toBe(false);
  });
});
