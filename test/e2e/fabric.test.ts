import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cli, cliJson, onVm, pings, ROOT, startLab, stopLab } from './lab-fixture.js';

/**
 * The fabric over real SSH on 3 simulated VMs sharing one underlay segment (the lab's): in
 * `routed` mode and in `vxlan` mode, containers on each host reach containers on every other
 * host without NAT, and the upstream through NAT; re-up is a no-op; a deleted route or
 * forwarding entry is found by verify and repaired by up; down removes every fabric object and
 * nothing else.
 */
let lab: LabInfo;
beforeAll(async () => {
  lab = await startLab('fab', 3);
});
afterAll(async () => stopLab(lab));

const HOSTS = [1, 2, 3];
/** the host's subnet's third octet: vm1 .0, vm2 .1, vm3 .2 (inventory order) */
const octet = (vm: number) => vm - 1;

/** Everything down must leave as it was, routes and forwarding entries included. */
async function state(vm: number): Promise<string> {
  const run = await onVm(
    lab,
    vm,
    `${[
      "ip -j link show | tr ',' '\\n' | grep '\"ifname\"' | sort",
      'ip netns list | sort',
      'ip route show table main',
      'bridge fdb show | grep -v permanent || true',
      'iptables-save -t nat | grep -v "^#" | sed "s/\\[[0-9:]*\\]//"',
      'cat /proc/sys/net/ipv4/ip_forward',
      'ls /run/cnet-remote/owned 2>/dev/null || echo no-record',
    ].join('\n')}\n`,
  );
  return run.stdout;
}

/** Packets our MASQUERADE rule on the host has matched since its counters were zeroed. */
async function masqueraded(vm: number): Promise<number> {
  const run = await onVm(lab, vm, "iptables -t nat -L POSTROUTING -v -x -n | grep cnet-remote:cnet0 | awk '{print $1}'\n");
  return Number(run.stdout.trim());
}

describe.sequential.each([
  {
    mode: 'routed',
    net: '172.30',
    file: 'fabric-routed.yaml',
    drift: (peer: number) => `ip route del 172.30.${octet(peer)}.0/24\n`,
    path: (peer: number) => `fabric.routes.vm${peer}`,
  },
  {
    mode: 'vxlan',
    net: '172.31',
    file: 'fabric-vxlan.yaml',
    // the flood entry; then what the device has learned since, and the host's neighbours in the
    // peer's subnet: known MACs would still reach the peer (learning refills the entries as soon as
    // the peer sends anything), but a neighbour to resolve needs ARP, a broadcast: the flood entry
    drift: (peer: number) => {
      const dst = lab.plan.vmAddress(peer);
      return [
        `bridge fdb del 00:00:00:00:00:00 dev vxcnet0 dst ${dst}`,
        `bridge fdb show dev vxcnet0 | awk '/ dst ${dst} / {print $1}' | while read m; do bridge fdb del $m dev vxcnet0 dst ${dst}; done`,
        `ip neigh flush to 172.31.${octet(peer)}.0/24 dev cnet0`,
        '',
      ].join('\n');
    },
    path: (peer: number) => `fabric.fdb.vm${peer}`,
  },
])('fabric, $mode mode', ({ mode, net, file, drift, path }) => {
  const inv = () => [lab.inventory, join(ROOT, 'inventories', file)];
  const web = (vm: number) => `${net}.${octet(vm)}.3`;
  const db = (vm: number) => `${net}.${octet(vm)}.2`;
  const before = new Map<number, string>();

  it('plan names the fabric objects, then up builds them on every host, verified', async () => {
    // things cnet-remote did not create, which must survive `down`
    await onVm(lab, 1, 'ip link add name keepme0 type bridge 2>/dev/null; ip link set keepme0 up; ip route replace 10.99.0.0/24 dev keepme0\n');
    for (const vm of HOSTS) before.set(vm, await state(vm));
    const plan = await cli('plan', ...inv(), '--limit', 'vm1');
    expect(plan.code, plan.stderr).toBe(0);
    if (mode === 'routed') {
      expect(plan.stdout).toContain(`ip route replace ${net}.1.0/24 via ${lab.plan.vmAddress(2)}`);
      expect(plan.stdout).toContain(`ip route replace ${net}.2.0/24 via ${lab.plan.vmAddress(3)}`);
    } else {
      expect(plan.stdout).toContain(`ip link add name vxcnet0 type vxlan id 42 dstport 4789 local ${lab.plan.vmAddress(1)}`);
      expect(plan.stdout).toContain(`bridge fdb append 00:00:00:00:00:00 dev vxcnet0 dst ${lab.plan.vmAddress(2)}`);
      expect(plan.stdout).toContain('ip link set dev vxcnet0 mtu 1450');
    }
    const run = await cliJson('up', ...inv());
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.json.summary).toEqual({ ok: 0, changed: 3, failed: 0, unreachable: 0 });
    for (const h of run.json.hosts) expect(h.mismatches, h.name).toEqual([]);
  });

  it('a container on each host pings a container on every other host, without NAT; the upstream only through NAT', async () => {
    for (const vm of HOSTS) await onVm(lab, vm, 'iptables -t nat -Z POSTROUTING\nconntrack -F >/dev/null 2>&1 || true\n');
    for (const vm of HOSTS) {
      for (const peer of HOSTS.filter((p) => p !== vm)) {
        expect(await pings(lab, vm, 'web', db(peer)), `vm${vm}/web -> vm${peer}/db`).toBe(true);
        expect(await pings(lab, vm, 'db', web(peer)), `vm${vm}/db -> vm${peer}/web`).toBe(true);
      }
    }
    for (const vm of HOSTS) expect(await masqueraded(vm), `vm${vm} masqueraded fabric traffic`).toBe(0);
    for (const vm of HOSTS) expect(await pings(lab, vm, 'web', lab.plan.internetAddress), `vm${vm}/web -> upstream`).toBe(true);
    for (const vm of HOSTS) expect(await masqueraded(vm)).toBeGreaterThan(0);
  });

  it('verify --probe crosses hosts: each host pings a container on every other, all answered', async () => {
    const run = await cli('verify', ...inv(), '--probe', '--json');
    expect(run.code, run.stderr).toBe(0);
    const hosts = (JSON.parse(run.stdout) as { hosts: { name: string; probes: { kind: string; from: string; to: string; ok: boolean }[] }[] }).hosts;
    for (const h of hosts) {
      const fabric = h.probes.filter((p) => p.kind === 'fabric');
      expect(fabric.map((p) => p.to).sort()).toEqual(HOSTS.filter((p) => `vm${p}` !== h.name).map((p) => `vm${p}/db`));
      expect(fabric.every((p) => p.ok && p.from === 'db')).toBe(true);
    }
    const human = await cli('verify', ...inv(), '--probe');
    expect(human.stderr).toContain('fabric probes: each host pings a container on every other member (2)');
  });

  it('a second up changes nothing', async () => {
    const run = await cliJson('up', ...inv());
    expect(run.code).toBe(0);
    expect(run.json.summary).toEqual({ ok: 3, changed: 0, failed: 0, unreachable: 0 });
  });

  it(`a lost ${mode === 'routed' ? 'route' : 'forwarding entry'} is found by verify (and its probe says why), and up repairs only it`, async () => {
    await onVm(lab, 1, drift(2));
    // routed: no route, no ping. VXLAN: unicast to MACs the device learned may still pass for a
    // while (learning refills entries whenever the peer sends), so there only verify must notice
    if (mode === 'routed') expect(await pings(lab, 1, 'web', db(2))).toBe(false);
    const verify = await cliJson('verify', ...inv(), '--probe');
    expect(verify.code, verify.stdout).toBe(2);
    const vm1 = verify.json.hosts.find((h) => h.name === 'vm1')!;
    expect(vm1.mismatches.map((m) => m.path)).toEqual([path(2)]);
    const probe = (vm1 as unknown as { probes: { kind: string; to: string; ok: boolean; cause?: string }[] }).probes.find(
      (p) => p.kind === 'fabric' && p.to === 'vm2/db',
    )!;
    if (mode === 'routed') expect(probe.ok).toBe(false);
    if (!probe.ok) expect(probe.cause).toMatch(mode === 'routed' ? /no route to 172\.30\.1\.0\/24 via/ : /forwarding entry is missing/);
    expect(verify.json.hosts.filter((h) => h.name !== 'vm1').every((h) => h.verified)).toBe(true);

    const up = await cliJson('up', ...inv());
    expect(up.code).toBe(0);
    expect(up.json.hosts.find((h) => h.name === 'vm1')!.changes).toBe(1);
    expect(up.json.hosts.filter((h) => h.name !== 'vm1').map((h) => h.changes)).toEqual([0, 0]);
    expect(await pings(lab, 1, 'web', db(2))).toBe(true);
  });

  it('down removes every fabric object and nothing else', async () => {
    const run = await cliJson('down', ...inv());
    expect(run.code, run.stderr).toBe(0);
    for (const vm of HOSTS) expect(await state(vm), `vm${vm}`).toBe(before.get(vm));
    expect(await state(1)).toContain('10.99.0.0/24 dev keepme0');
    await onVm(lab, 1, 'ip link del keepme0\n');
  });
});
