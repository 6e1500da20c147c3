import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LabInfo } from '../../src/lab/lab.js';
import { cli, cliJson, onVm, startLab, stopLab } from './lab-fixture.js';

/**
 * The dual-stack fabric over real SSH on 3 lab VMs (one underlay segment with both families):
 * routed (each peer's IPv6 subnet via its cnet_underlay_address6), VXLAN over the IPv4 underlay
 * and VXLAN over the IPv6 one (cnet_underlay_address the VM's IPv6 address, MTU 1500 − 70). Each
 * is brought up, its cross-host probes pass over IPv4 and IPv6, a second up changes nothing, and
 * down leaves the hosts exactly as they were. The routed one also loses an IPv6 route, which
 * verify names and up restores alone. And a routed fabric with supernet6 but a host with no IPv6
 * underlay address is an inventory error, positioned, before any host is touched.
 */
let lab: LabInfo;
let dir: string;
beforeAll(async () => {
  lab = await startLab('fd', 3);
  dir = mkdtempSync(join(tmpdir(), 'cnet-fabric-dual-'));
});
afterAll(async () => {
  await stopLab(lab);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const HOSTS = [1, 2, 3];
const peersOf = (vm: number) => HOSTS.filter((p) => p !== vm);
/** vm's container at host part `host` in the fabric's subnets (inventory order: vm1 the first), IPv4 and IPv6 as ip prints them */
const container4 = (net: string, vm: number, host: number) => `172.${net}.${vm - 1}.${host}`;
const container6 = (net: string, vm: number, host: number) => (vm === 1 ? `fd00:${net}::${host}` : `fd00:${net}:0:${vm - 1}::${host}`);

type Json = Awaited<ReturnType<typeof cliJson>>['json'];
type Probe = { kind: string; from: string; to: string; target: string; ok: boolean; cause?: string };
type Mismatch = Json['hosts'][number]['mismatches'][number] & { object: { kind: string; name: string; host?: string } };
type Host = Omit<Json['hosts'][number], 'mismatches'> & { probes?: Probe[]; mismatches: Mismatch[] };
const hostOf = (json: Json, name: string) => json.hosts.find((h) => h.name === name) as Host;

/** An inventory file of the test's: the fabric and its namespaces for every host, and per-host variables. */
function inventoryFile(name: string, fabric: Record<string, unknown>, hostVars: (vm: number) => Record<string, string> = () => ({})): string {
  const file = join(dir, name);
  const doc = {
    all: {
      vars: { cnet: { fabric, namespaces: { db: { bridge: 'cnet0' }, web: { bridge: 'cnet0' } } } },
      children: { lab: { hosts: Object.fromEntries(HOSTS.map((vm) => [`vm${vm}`, hostVars(vm)])) } },
    },
  };
  writeFileSync(file, stringify(doc));
  return file;
}

const SPLIT = '=====\n';

/** What down must leave exactly as it was (both families), then anything of the fabric left (net: `30`, `31`, `29`): its IPv6 addresses and routes anywhere, cnet0, vxcnet0; and IPv6 forwarding. */
async function look(vm: number, net: string): Promise<{ state: string; fd00: string; links: string; forwarding: string }> {
  const run = await onVm(
    lab,
    vm,
    `${[
      "ip -j link show | tr ',' '\\n' | grep '\"ifname\"' | sort",
      'ip netns list | sort',
      'ip -br addr show',
      'ip route show table main',
      'ip -6 route show table main',
      'bridge fdb show | grep -v permanent || true',
      'iptables-save -t nat | grep -v "^#" | sed "s/\\[[0-9:]*\\]//"',
      'ip6tables-save -t nat | grep -v "^#" | sed "s/\\[[0-9:]*\\]//"',
      'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding',
      'ls /run/cnet-remote/owned 2>/dev/null || echo no-record',
      `printf '${SPLIT}'`,
      `{ ip -6 addr show; ip -6 route show table all; for ns in $(ip netns list | cut -d' ' -f1); do ip -n "$ns" -6 addr show; ip -n "$ns" -6 route show; done; } | grep "fd00:${net}:" || true`,
      `printf '${SPLIT}'`,
      'ip -br link show | grep -E "cnet0|vxcnet0" || true',
      `printf '${SPLIT}'`,
      'cat /proc/sys/net/ipv6/conf/all/forwarding',
    ].join('\n')}\n`,
  );
  expect(run.code, run.stderr).toBe(0);
  const [state, fd00, links, forwarding] = run.stdout.split(SPLIT);
  return { state: state!, fd00: fd00!.trim(), links: links!.trim(), forwarding: forwarding!.trim() };
}

/** look() on every host at once. */
const lookAll = (net: string) => Promise.all(HOSTS.map((vm) => look(vm, net)));

/**
 * verify --probe: every host verified, and its fabric probes reach db on every peer over IPv4 and
 * IPv6, all answered (`up --probe` leaves the fabric's probes out: its peers are being built).
 */
async function probesPass(inv: string[], net: string): Promise<void> {
  const run = await cliJson('verify', ...inv, '--probe');
  expect(run.code, run.stderr + run.stdout).toBe(0);
  const json = run.json;
  for (const vm of HOSTS) {
    const h = hostOf(json, `vm${vm}`);
    expect(h.verified, h.name).toBe(true);
    expect(h.mismatches, h.name).toEqual([]);
    const fabric = h.probes!.filter((p) => p.kind === 'fabric');
    const want = peersOf(vm).flatMap((p) => [`vm${p}/db ${container4(net, p, 2)}`, `vm${p}/db ${container6(net, p, 2)}`]);
    expect(fabric.map((p) => `${p.to} ${p.target}`).sort(), h.name).toEqual(want.sort());
    for (const p of fabric) expect(p.ok, `${h.name}: ${p.from} -> ${p.to} ${p.target}: ${p.cause}`).toBe(true);
  }
}

/** up; every host changed, verified with no mismatch. */
async function upBuilds(inv: string[]): Promise<void> {
  const run = await cliJson('up', ...inv);
  expect(run.code, run.stderr + run.stdout).toBe(0);
  expect(run.json.summary).toEqual({ ok: 0, changed: 3, failed: 0, unreachable: 0 });
  for (const h of run.json.hosts) expect(h.mismatches, h.name).toEqual([]);
}

/** up again: nothing changed on any host. */
async function secondUpChangesNothing(inv: string[]): Promise<void> {
  const run = await cliJson('up', ...inv);
  expect(run.code, run.stderr + run.stdout).toBe(0);
  expect(run.json.summary).toEqual({ ok: 3, changed: 0, failed: 0, unreachable: 0 });
}

/** down; then each host as it was before up, no fd00:NET: address or route, no fabric device, IPv6 forwarding 0. */
async function downClean(inv: string[], net: string, before: string[]): Promise<void> {
  const run = await cliJson('down', ...inv);
  expect(run.code, run.stderr + run.stdout).toBe(0);
  for (const [i, after] of (await lookAll(net)).entries()) {
    expect(after.state, `vm${i + 1}`).toBe(before[i]);
    expect({ ...after, state: undefined }, `vm${i + 1}`).toEqual({ state: undefined, fd00: '', links: '', forwarding: '0' });
  }
}

interface VxlanSeen {
  mtu: number;
  id: number;
  local?: string;
  local6?: string;
  /** the flood entries' (all-zero MAC) underlay destinations, sorted */
  flood: string[];
  bridgeMtu: number;
  text: string;
}

/** The VXLAN device on the host, as `ip -d -j link` gives it, its flood entries, cnet0's MTU and `ip -d link show vxcnet0`. */
async function vxlanSeen(vm: number): Promise<VxlanSeen> {
  const run = await onVm(
    lab,
    vm,
    `ip -d -j link show vxcnet0; printf '${SPLIT}'; bridge -j fdb show dev vxcnet0; printf '${SPLIT}'; ip -j link show cnet0; printf '${SPLIT}'; ip -d link show vxcnet0\n`,
  );
  expect(run.code, run.stderr).toBe(0);
  const [dev, fdb, bridge, text] = run.stdout.split(SPLIT);
  const link = (JSON.parse(dev!) as { mtu: number; linkinfo: { info_kind: string; info_data: { id: number; local?: string; local6?: string } } }[])[0]!;
  expect(link.linkinfo.info_kind).toBe('vxlan');
  const { id, local, local6 } = link.linkinfo.info_data;
  return {
    mtu: link.mtu,
    id,
    ...(local === undefined ? {} : { local }),
    ...(local6 === undefined ? {} : { local6 }),
    flood: (JSON.parse(fdb!) as { mac: string; dst?: string }[])
      .filter((e) => e.mac === '00:00:00:00:00:00')
      .map((e) => e.dst ?? '')
      .sort(),
    bridgeMtu: (JSON.parse(bridge!) as { mtu: number }[])[0]!.mtu,
    text: text!,
  };
}

describe.sequential('a dual-stack fabric on 3 hosts', () => {
  it('a routed fabric with supernet6 and a host with no IPv6 underlay address (reached over IPv4): an inventory error, positioned, nothing touched', async () => {
    // vm1 and vm2 have their IPv6 underlay address, vm3 has not: its ansible_host is IPv4
    const file = inventoryFile('routed-no-underlay6.yaml', { mode: 'routed', supernet: '172.30.0.0/16', supernet6: 'fd00:30::/48' }, (vm) =>
      vm === 3 ? {} : { cnet_underlay_address6: lab.plan.vmAddress6(vm) },
    );
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('supernet6:')) + 1;
    const run = await cli('up', lab.inventory, file);
    expect(run.code, run.stderr).toBe(1);
    const issues = run.stderr.split('\n').filter((l) => l.startsWith(`${file}:`));
    expect(issues, run.stderr).toHaveLength(1);
    expect(issues[0]!.startsWith(`${file}:${line}:`)).toBe(true);
    expect(issues[0]).toMatch(/^\S+:\d+:\d+ all\.vars\.cnet\.fabric\.supernet6: host "vm3" has no IPv6 underlay address/);
    expect(issues[0]).toContain('set cnet_underlay_address6');
    expect(run.stdout).toBe('');
    // nothing was touched: no fabric bridge on any host
    for (const [i, seen] of (await lookAll('30')).entries()) expect(seen.links, `vm${i + 1}`).toBe('');
  });

  describe.sequential('routed: IPv4 via ansible_host, IPv6 via cnet_underlay_address6', () => {
    let before: string[];
    let inv: string[];

    it('up builds both families on every host; each peer IPv6 subnet routed via its IPv6 address', async () => {
      const file = inventoryFile('routed.yaml', { mode: 'routed', supernet: '172.30.0.0/16', supernet6: 'fd00:30::/48' }, (vm) => ({
        cnet_underlay_address6: lab.plan.vmAddress6(vm),
      }));
      inv = [lab.inventory, file];
      const seen = await lookAll('30');
      for (const [i, s] of seen.entries())
        expect({ ...s, state: undefined }, `vm${i + 1} before`).toEqual({ state: undefined, fd00: '', links: '', forwarding: '0' });
      before = seen.map((s) => s.state);
      await upBuilds(inv);
      const [vm1, vm2] = await Promise.all([
        onVm(lab, 1, `ip -6 route show\nprintf '${SPLIT}'\nip route show\n`),
        onVm(lab, 2, 'ip -n db -6 -br addr show dev eth0; cat /proc/sys/net/ipv6/conf/all/forwarding\n'),
      ]);
      const [routes6, routes4] = vm1.stdout.split(SPLIT);
      expect(routes6).toMatch(new RegExp(`^fd00:30:0:1::/64 via ${lab.plan.vmAddress6(2)} dev eth0 `, 'm'));
      expect(routes6).toMatch(new RegExp(`^fd00:30:0:2::/64 via ${lab.plan.vmAddress6(3)} dev eth0 `, 'm'));
      expect(routes6).toMatch(/^fd00:30::\/64 dev cnet0 /m);
      expect(routes4).toMatch(new RegExp(`^172\\.30\\.1\\.0/24 via ${lab.plan.vmAddress(2).replace(/\./g, '\\.')} dev eth0`, 'm'));
      expect(vm2.stdout).toContain('fd00:30:0:1::2/64');
      expect(vm2.stdout.trim().split('\n').at(-1), 'vm2 IPv6 forwarding').toBe('1');
    });

    it('verify --probe: every host ok, fabric probes to every peer over IPv4 and IPv6 answered', async () => {
      await probesPass(inv, '30');
    });

    it('a second up changes nothing', async () => {
      await secondUpChangesNothing(inv);
    });

    it("vm1's IPv6 route to vm2's subnet deleted: verify names exactly it, up restores exactly it", async () => {
      const del = await onVm(lab, 1, 'ip -6 route del fd00:30:0:1::/64\n');
      expect(del.code, del.stderr).toBe(0);
      const verify = await cliJson('verify', ...inv);
      expect(verify.code, verify.stdout).toBe(2);
      const vm1 = hostOf(verify.json, 'vm1');
      expect(vm1.mismatches.map((m) => m.object)).toEqual([{ kind: 'route', name: 'fd00:30:0:1::/64', host: 'vm2' }]);
      expect(vm1.mismatches[0]!.actual).toBe('absent');
      for (const vm of [2, 3]) expect(hostOf(verify.json, `vm${vm}`).verified).toBe(true);

      const up = await cliJson('up', ...inv);
      expect(up.code, up.stderr + up.stdout).toBe(0);
      const fixed = hostOf(up.json, 'vm1');
      expect(fixed.changes).toBe(1);
      expect(fixed.steps).toHaveLength(1);
      expect(fixed.steps[0]).toContain('fd00:30:0:1::/64');
      expect(fixed.steps[0]).toContain(lab.plan.vmAddress6(2));
      expect(up.json.hosts.filter((h) => h.name !== 'vm1').map((h) => h.changes)).toEqual([0, 0]);
      const routes = await onVm(lab, 1, 'ip -6 route show fd00:30:0:1::/64\n');
      expect(routes.stdout).toMatch(new RegExp(`^fd00:30:0:1::/64 via ${lab.plan.vmAddress6(2)} dev eth0 `));
    });

    it('down: no fd00:30 address or route, no cnet0, IPv6 forwarding back to 0; each host as it was', async () => {
      await downClean(inv, '30', before);
    });
  });

  describe.sequential.each([
    {
      underlay: 'IPv4',
      net: '31',
      mtu: 1450,
      address: (vm: number) => lab.plan.vmAddress(vm),
      hostVars: () => ({}),
    },
    {
      underlay: 'IPv6',
      net: '29',
      mtu: 1430,
      address: (vm: number) => lab.plan.vmAddress6(vm),
      hostVars: (vm: number) => ({ cnet_underlay_address: lab.plan.vmAddress6(vm) }),
    },
  ])('vxlan over the $underlay underlay', ({ underlay, net, mtu, address, hostVars }) => {
    let before: string[];
    let inv: string[];

    it(`up: the VXLAN device sends from the host's ${underlay} address, MTU ${mtu}; flood entries to the peers' ${underlay} addresses`, async () => {
      const file = inventoryFile(`vxlan-${underlay}.yaml`, { mode: 'vxlan', supernet: `172.${net}.0.0/16`, supernet6: `fd00:${net}::/48` }, hostVars);
      inv = [lab.inventory, file];
      before = (await lookAll(net)).map((s) => s.state);
      await upBuilds(inv);
      const seen = await Promise.all(HOSTS.map(vxlanSeen));
      for (const [i, dev] of seen.entries()) {
        const vm = i + 1;
        expect({ ...dev, text: undefined }, `vm${vm}`).toEqual({
          mtu,
          id: 42,
          ...(underlay === 'IPv4' ? { local: address(vm) } : { local6: address(vm) }),
          flood: peersOf(vm).map(address).sort(),
          bridgeMtu: mtu,
          text: undefined,
        });
        expect(dev.text, `vm${vm}`).toContain(`local ${address(vm)} `);
      }
    });

    it('verify --probe: every host ok, fabric probes to every peer over IPv4 and IPv6 answered', async () => {
      await probesPass(inv, net);
    });

    it('a second up changes nothing', async () => {
      await secondUpChangesNothing(inv);
    });

    it(`down: no fd00:${net} address or route, no cnet0 or vxcnet0, IPv6 forwarding back to 0; each host as it was`, async () => {
      await downClean(inv, net, before);
    });
  });
});
