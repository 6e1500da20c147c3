import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cliJson, onVm, pings, ROOT, snapshot, startLab, stopLab } from './lab-fixture.js';
import { until } from './run-fixture.js';

/**
 * The seeds' topology dual-stack (inventories/seed-dual-stack.yaml: br0 and brd1 with an IPv6
 * prefix beside their IPv4 subnet, the IPv6-only bridge v6only) on three lab VMs over real SSH:
 * built and proved by probes and pings over both families (NAT66 to the lab's IPv6 upstream),
 * converged, a removed IPv6 address named and restored, an ip6tables FORWARD policy of DROP
 * diagnosed, accept_ra kept working while IPv6 forwarding is on, torn down to exactly what was
 * there, and NAT66 in the nftables backend.
 */
const SEED_DUAL = join(ROOT, 'inventories', 'seed-dual-stack.yaml');
const VMS = [1, 2, 3];

let lab: LabInfo;
let dir: string;
const inv = () => [lab.inventory, SEED_DUAL];
beforeAll(async () => {
  lab = await startLab('ds', 3);
  dir = mkdtempSync(join(tmpdir(), 'cnet-dual-stack-'));
});
afterAll(async () => {
  await stopLab(lab);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Json = Awaited<ReturnType<typeof cliJson>>['json'];
type Probe = { kind: string; from: string; to: string; target: string; ok: boolean; cause?: string; latencyMs?: number };
type Host = Json['hosts'][number] & { probes?: Probe[]; warnings?: { message: string; fix?: string }[]; firewall?: { backend: string } };
const host = (json: Json, name: string) => json.hosts.find((h) => h.name === name) as Host;
const v6 = (p: Probe) => p.target.includes(':');

/** snapshot() (links, namespaces, iptables, ip_forward, the record) and the rest of both families: addresses, routes, ip6tables, switches. */
async function snapshotDual(vm: number): Promise<string> {
  // a link-local address still in duplicate address detection has no local route yet (the lab's eth0 just after its start)
  await until(async () => (await onVm(lab, vm, 'ip -6 addr show tentative\n')).stdout === '');
  const run = await onVm(
    lab,
    vm,
    `${[
      'ip -br addr show',
      'ip route show table all',
      'ip -6 route show table all',
      'ip6tables -t nat -S',
      'ip6tables -S',
      'sysctl net.ipv6.conf.all.forwarding net.ipv6.conf.default.forwarding net.ipv6.conf.eth0.forwarding net.ipv6.conf.eth0.accept_ra',
    ].join('\n')}\n`,
  );
  expect(run.code, run.stderr).toBe(0);
  return (await snapshot(lab, vm)) + run.stdout;
}

/** What must be gone after `down`: fd00: addresses anywhere, our IPv6 routes, our ip6tables rules; and both forwarding switches. */
const LEFT_SCRIPT = `${[
  'ip -6 addr show | grep -c fd00: || true',
  'for ns in $(ip netns list | cut -d" " -f1); do ip -n "$ns" -6 addr show; done | grep -c fd00: || true',
  "ip -6 route show table all | grep -cE 'fd00:|br0|brd1|v6only' || true",
  'ip6tables-save | grep -c cnet-remote || true',
  'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding',
].join('\n')}\n`;

describe.sequential('the seeds dual-stack on 3 hosts, and an IPv6-only bridge', () => {
  const before = new Map<number, string>();

  it('up --probe: every host verified, every probe over both families passes; nodad addresses, NAT66', async () => {
    // something of vm1's own in IPv6, which must survive `down`
    const foreign = await onVm(
      lab,
      1,
      'set -e\nip link add name keep6 type bridge\nsysctl -qw net.ipv6.conf.keep6.accept_dad=0\nip -6 addr add fd77::1/64 dev keep6 nodad\nip link set dev keep6 up\nip6tables -t nat -A POSTROUTING -s fd77::/64 -j MASQUERADE\n',
    );
    expect(foreign.code, foreign.stderr).toBe(0);
    for (const [vm, snap] of await Promise.all(VMS.map(async (vm) => [vm, await snapshotDual(vm)] as const))) before.set(vm, snap);
    // the lab's own IPv6 is in the snapshot: its eth0 address and its IPv6 default route
    expect(before.get(1)).toContain(lab.plan.vmAddress6(1));
    expect(before.get(1)).toMatch(new RegExp(`default via ${lab.plan.upstreamAddress6} dev eth0`));

    const run = await cliJson('up', ...inv(), '--probe');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.json.summary).toEqual({ ok: 0, changed: 3, failed: 0, unreachable: 0 });
    for (const name of ['vm1', 'vm2', 'vm3']) {
      const h = host(run.json, name);
      expect(h.verified).toBe(true);
      expect(h.mismatches).toEqual([]);
      expect(h.steps).toContain('ip addr add fd00:18::1/64 dev br0 nodad');
      expect(h.steps).toContain('ip -n container1 addr add fd00:18::2/64 dev ceth1 nodad');
      expect(h.steps).toContain('ip -n container2 addr add fd00:18::3/64 dev ceth2 nodad');
      expect(h.steps).toContain('ip -n only6 addr add fd00:60::2/64 dev eth0 nodad');
      expect(h.steps).toContain("ip6tables -w -t nat -A POSTROUTING -s fd00:18::/64 '!' -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE");
      expect(h.steps).toContain('sysctl -w net.ipv6.conf.all.forwarding=1');
      // no IPv6 address added with DAD (it would be tentative, and verify would flap)
      expect(h.steps.filter((s) => / addr add [0-9a-f]*:[0-9a-f:]*\//.test(s)).every((s) => s.endsWith(' nodad'))).toBe(true);

      const probes = h.probes!;
      expect(probes.filter((p) => !p.ok)).toEqual([]);
      expect(new Set(probes.filter(v6).map((p) => p.kind))).toEqual(new Set(['peer', 'gateway', 'host', 'upstream']));
      expect(new Set(probes.filter((p) => !v6(p)).map((p) => p.kind))).toEqual(new Set(['peer', 'gateway', 'host', 'upstream']));
      const named = probes.map((p) => `${p.kind} ${p.from} ${p.target}`);
      expect(named).toEqual(
        expect.arrayContaining([
          'peer container1 fd00:18::3',
          'peer container2 fd00:18::2',
          'gateway container1 fd00:18::1',
          'host host fd00:18::2',
          `upstream container1 ${lab.plan.internetAddress6}`,
          `upstream pb ${lab.plan.internetAddress6}`,
          'gateway only6 fd00:60::1',
          'host host fd00:60::2',
          `upstream only6 ${lab.plan.internetAddress6}`,
          `upstream container1 ${lab.plan.internetAddress}`,
        ]),
      );
      // the IPv6-only bridge is probed over IPv6 only
      expect(probes.filter((p) => p.from === 'only6' || p.to === 'only6').every(v6)).toBe(true);
    }
  });

  it('containers ping each other over both families, their IPv6 gateway, the host pings them, the upstream answers through NAT66', async () => {
    const up6 = lab.plan.internetAddress6;
    const checks: [string | undefined, string][] = [
      ['container1', 'fd00:18::3'],
      ['container2', 'fd00:18::2'],
      ['container1', '172.18.0.3'],
      ['container2', '172.18.0.2'],
      ['container1', 'fd00:18::1'],
      [undefined, 'fd00:18::2'],
      ['only6', 'fd00:60::1'],
      ['only6', up6],
      ['pb', up6],
    ];
    const results = await Promise.all(
      VMS.map(async (vm) => Promise.all(checks.map(async ([ns, to]) => `vm${vm} ${ns ?? 'host'} -> ${to}: ${await pings(lab, vm, ns, to)}`))),
    );
    expect(results.flat()).toEqual(VMS.flatMap((vm) => checks.map(([ns, to]) => `vm${vm} ${ns ?? 'host'} -> ${to}: true`)));
    // the upstream has no route to the containers' prefixes: its answers came back only because the VMs masquerade (NAT66)
    for (const to of ['fd00:18::2', 'fd00:60::2']) {
      const route = spawnSync('ip', ['netns', 'exec', lab.plan.upstreamNs, 'ip', '-6', 'route', 'get', to], { encoding: 'utf8' });
      expect(route.status).not.toBe(0);
      expect(route.stderr).toMatch(/unreachable/);
    }
  });

  it('a second up changes nothing on any host', async () => {
    const run = await cliJson('up', ...inv());
    expect(run.code, run.stdout).toBe(0);
    expect(run.json.summary).toEqual({ ok: 3, changed: 0, failed: 0, unreachable: 0 });
    expect(run.json.hosts.map((h) => [h.name, h.changes])).toEqual([
      ['vm1', 0],
      ['vm2', 0],
      ['vm3', 0],
    ]);
  });

  it("container1's IPv6 address removed by hand: verify names exactly it, up restores only it (nodad), IPv6 ping works again", async () => {
    const del = await onVm(lab, 2, 'ip -n container1 addr del fd00:18::2/64 dev ceth1\n');
    expect(del.code, del.stderr).toBe(0);
    expect(await pings(lab, 2, 'container2', 'fd00:18::2')).toBe(false);
    expect(await pings(lab, 2, 'container2', '172.18.0.2')).toBe(true);

    const verify = await cliJson('verify', ...inv());
    expect(verify.code, verify.stdout).toBe(2);
    const vm2 = host(verify.json, 'vm2');
    expect(vm2.status).toBe('failed');
    expect(vm2.mismatches.map((m) => m.path)).toEqual(['namespaces.container1.address']);
    expect(vm2.mismatches[0]!.desired.split(', ')).toContain('fd00:18::2/64');
    expect(vm2.mismatches[0]!.actual).not.toContain('fd00:18::2');
    for (const name of ['vm1', 'vm3']) expect([name, host(verify.json, name).status, host(verify.json, name).mismatches]).toEqual([name, 'ok', []]);

    const up = await cliJson('up', ...inv());
    expect(up.code, up.stdout).toBe(0);
    expect(host(up.json, 'vm2').steps).toEqual(['ip -n container1 addr add fd00:18::2/64 dev ceth1 nodad']);
    expect(host(up.json, 'vm1').changes + host(up.json, 'vm3').changes).toBe(0);
    expect(await pings(lab, 2, 'container2', 'fd00:18::2')).toBe(true);
    expect(await pings(lab, 2, 'container1', lab.plan.internetAddress6)).toBe(true);
  });

  it('ip6tables FORWARD policy DROP (Ubuntu 24.04, Docker): IPv6 upstream probes fail, blamed on it with the fix; IPv4 ones pass', async () => {
    await onVm(lab, 1, 'ip6tables -P FORWARD DROP\n');
    try {
      const run = await cliJson('verify', ...inv(), '--probe', '--limit', 'vm1');
      expect(run.code, run.stdout).toBe(2);
      const h = host(run.json, 'vm1');
      expect(h.mismatches).toEqual([]);
      const upstream = h.probes!.filter((p) => p.kind === 'upstream');
      const bridgeOf: Record<string, string> = { container1: 'br0', container2: 'br0', jelly: 'brd1', pb: 'brd1', only6: 'v6only' };
      const upstream6 = upstream.filter(v6);
      expect(upstream6.map((p) => p.from).sort()).toEqual(['container1', 'container2', 'jelly', 'only6', 'pb']);
      for (const p of upstream6) {
        expect(p.ok).toBe(false);
        expect(p.cause).toMatch(
          new RegExp(
            `^dropped in ip6tables FORWARD \\(policy DROP\\): ip6tables -I FORWARD -i ${bridgeOf[p.from]} -j ACCEPT && ip6tables -I FORWARD -o ${bridgeOf[p.from]} `,
          ),
        );
      }
      const upstream4 = upstream.filter((p) => !v6(p));
      expect(upstream4.map((p) => p.from).sort()).toEqual(['container1', 'container2', 'jelly', 'pb']);
      expect(upstream4.every((p) => p.ok)).toBe(true);
      // IPv4 is untouched by an ip6tables policy: every failed probe is an IPv6 one
      expect(h.probes!.filter((p) => !p.ok).every(v6)).toBe(true);
      expect(h.probes!.filter((p) => !v6(p)).every((p) => p.ok)).toBe(true);
      expect(h.warnings!.some((w) => /FORWARD policy \(IPv6\) is DROP/.test(w.message) && /ip6tables -I FORWARD -i br0 -j ACCEPT/.test(w.fix ?? ''))).toBe(
        true,
      );
    } finally {
      await onVm(lab, 1, 'ip6tables -P FORWARD ACCEPT\n');
    }
    const again = await cliJson('verify', ...inv(), '--probe', '--limit', 'vm1');
    expect(again.code, again.stdout).toBe(0);
    expect(host(again.json, 'vm1').probes!.filter((p) => !p.ok)).toEqual([]);
  });

  it("down leaves no IPv6 address, route or rule of ours, both switches at 0, the lab's own IPv6 and vm1's foreign IPv6 as they were", async () => {
    const down = await cliJson('down', ...inv());
    expect(down.code, down.stdout).toBe(0);
    expect(down.json.hosts.every((h) => h.verified)).toBe(true);
    const after = await Promise.all(VMS.map(async (vm) => [await snapshotDual(vm), (await onVm(lab, vm, LEFT_SCRIPT)).stdout] as const));
    for (const [i, vm] of VMS.entries()) {
      expect(after[i]![0]).toBe(before.get(vm));
      // fd00: addresses in root / in namespaces, our IPv6 routes, our ip6tables rules, ip_forward, IPv6 forwarding
      expect(after[i]![1].trim().split('\n')).toEqual(['0', '0', '0', '0', '0', '0']);
    }
    const kept = await onVm(lab, 1, 'ip -6 -br addr show dev keep6\nip6tables -t nat -S POSTROUTING\n');
    expect(kept.stdout).toContain('fd77::1/64');
    expect(kept.stdout).toContain('-A POSTROUTING -s fd77::/64 -j MASQUERADE');
  });
});

describe.sequential('accept_ra: a host that learns IPv6 routes from router advertisements', () => {
  const RA_ROUTE = '2001:db8:77::/64 via fe80::1 dev eth0 proto ra';
  let original = '';
  let before = '';
  let first: Awaited<ReturnType<typeof cliJson>>;

  it('up raises eth0 accept_ra to 2 before it turns IPv6 forwarding on', async () => {
    original = (await onVm(lab, 3, 'cat /proc/sys/net/ipv6/conf/eth0/accept_ra\n')).stdout.trim();
    const ra = await onVm(lab, 3, `sysctl -qw net.ipv6.conf.eth0.accept_ra=1\nip -6 route add ${RA_ROUTE}\n`);
    expect(ra.code, ra.stderr).toBe(0);
    before = await snapshotDual(3);
    expect(before).toContain('2001:db8:77::/64 via fe80::1 dev eth0 proto ra');
    expect(before).toContain('net.ipv6.conf.eth0.accept_ra = 1');

    first = await cliJson('up', ...inv(), '--limit', 'vm3');
    const steps = first.json.hosts[0]!.steps;
    const raise = steps.indexOf('sysctl -w net.ipv6.conf.eth0.accept_ra=2');
    expect(raise, steps.join('\n')).toBeGreaterThanOrEqual(0);
    expect(raise).toBeLessThan(steps.indexOf('sysctl -w net.ipv6.conf.all.forwarding=1'));
    const state = await onVm(lab, 3, 'cat /proc/sys/net/ipv6/conf/eth0/accept_ra /proc/sys/net/ipv6/conf/all/forwarding\nip -6 route show proto ra\n');
    expect(state.stdout).toBe('2\n1\n2001:db8:77::/64 via fe80::1 dev eth0 metric 1024 pref medium\n');
  });

  it('down puts accept_ra back to 1 and IPv6 forwarding to 0, the RA-learned route kept', async () => {
    const down = await cliJson('down', ...inv(), '--limit', 'vm3');
    expect(down.code, down.stdout).toBe(0);
    expect(down.json.hosts[0]!.steps).toContain('sysctl -w net.ipv6.conf.eth0.accept_ra=1');
    const state = await onVm(lab, 3, 'cat /proc/sys/net/ipv6/conf/eth0/accept_ra /proc/sys/net/ipv6/conf/all/forwarding\n');
    expect(state.stdout).toBe('1\n0\n');
    expect(await snapshotDual(3)).toBe(before);
  });

  it('the raised accept_ra is what the inventory wants: up verifies it, a second up changes nothing and keeps it at 2', async () => {
    try {
      // the first up of this describe, as it reported itself
      expect(first.code, first.stdout).toBe(0);
      expect(first.json.hosts[0]!.mismatches).toEqual([]);
      const up = await cliJson('up', ...inv(), '--limit', 'vm3');
      expect(up.code, up.stdout).toBe(0);
      const again = await cliJson('up', ...inv(), '--limit', 'vm3');
      expect(again.code, again.stdout).toBe(0);
      expect(again.json.hosts[0]!.steps).toEqual([]);
      expect((await onVm(lab, 3, 'cat /proc/sys/net/ipv6/conf/eth0/accept_ra\n')).stdout).toBe('2\n');
    } finally {
      await cliJson('down', ...inv(), '--limit', 'vm3');
      await onVm(lab, 3, `ip -6 route del ${RA_ROUTE}\nsysctl -qw net.ipv6.conf.eth0.accept_ra=${original}\n`);
    }
  });
});

describe.sequential('NAT66 in the nftables backend', () => {
  let nftInventory = '';

  it('up with cnet.firewall nftables: the inet table holds the ip6 masquerade, ip6tables none of ours, the IPv6 upstream answers', async () => {
    nftInventory = join(dir, 'nftables.yaml');
    writeFileSync(nftInventory, 'all:\n  vars:\n    cnet: { firewall: nftables }\n');
    // no NAT state left from the iptables rounds: an answer now is this backend's
    await Promise.all(VMS.map((vm) => onVm(lab, vm, 'conntrack -F >/dev/null 2>&1 || true\n')));

    const run = await cliJson('up', ...inv(), nftInventory, '--probe');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const name of ['vm1', 'vm2', 'vm3']) {
      const h = host(run.json, name);
      expect(h.firewall?.backend).toBe('nftables');
      expect(h.verified).toBe(true);
      expect(h.steps.some((s) => s.startsWith('ip6tables'))).toBe(false);
      expect(h.probes!.filter((p) => !p.ok)).toEqual([]);
      expect(
        h
          .probes!.filter((p) => p.kind === 'upstream' && v6(p))
          .map((p) => p.from)
          .sort(),
      ).toEqual(['container1', 'container2', 'jelly', 'only6', 'pb']);
    }
    for (const vm of VMS) {
      const fw = await onVm(
        lab,
        vm,
        'nft list table inet cnet_remote\necho ---\nip6tables-save | grep -c cnet-remote || true\niptables-save | grep -c cnet-remote || true\n',
      );
      const [table, counts] = fw.stdout.split('---\n');
      expect(table).toContain('ip6 saddr fd00:18::/64 oifname != "br0" masquerade comment "cnet-remote:br0"');
      expect(table).toContain('ip6 saddr fd00:60::/64 oifname != "v6only" masquerade comment "cnet-remote:v6only"');
      expect(counts).toBe('0\n0\n');
    }
    expect(await pings(lab, 2, 'only6', lab.plan.internetAddress6)).toBe(true);
  });

  it('down removes the table', async () => {
    const down = await cliJson('down', ...inv(), nftInventory);
    expect(down.code, down.stdout).toBe(0);
    expect(down.json.hosts.every((h) => h.verified && h.steps.includes('nft delete table inet cnet_remote'))).toBe(true);
    for (const vm of VMS) {
      const tables = await onVm(lab, vm, 'nft list tables\n');
      expect(tables.code, tables.stderr).toBe(0);
      expect(tables.stdout).not.toContain('cnet_remote');
      const left = await onVm(lab, vm, LEFT_SCRIPT);
      expect(left.stdout.trim().split('\n')).toEqual(['0', '0', '0', '0', '0', '0']);
    }
  });
});
