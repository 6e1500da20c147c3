import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cli, cliJson, onVm, pings, ROOT, SEED_PART2, SEED_PB_JELLY, startLab, stopLab } from './lab-fixture.js';

/**
 * The compatibility matrix: the seeds' scenario on lab VMs that are real Debian systems (their own
 * sshd, iproute2, nftables and iptables, sudo and /etc: `lab up --image`), on Debian 12, Debian 13
 * and Debian 13 without the iptables package. Up (both seeds, probed), a second up that changes
 * nothing, the NAT rules lost and named by verify, repaired by up, down leaving the host as it was
 * (a foreign bridge, a foreign nftables table and a foreign iptables rule untouched). On the
 * nftables-only VM, the fabric too, routed and VXLAN. The images are built once per machine
 * (about a minute each the first time: README) and cached.
 */
const MATRIX = [
  // vm1 holds a foreign iptables rule (iptables-save names its variant); vm2 has no table yet
  { image: 'debian12', prefix: 'dmb', backend: 'iptables', why: ['auto: iptables (nf_tables) answers', 'auto: iptables answers'] },
  { image: 'debian13', prefix: 'dmt', backend: 'iptables', why: ['auto: iptables (nf_tables) answers', 'auto: iptables answers'] },
  { image: 'debian13-nft', prefix: 'dmn', backend: 'nftables', why: ['auto: iptables is not installed, nft is', 'auto: iptables is not installed, nft is'] },
] as const;

const labs = new Map<string, LabInfo>();
const dir = mkdtempSync(join(tmpdir(), 'cnet-matrix-'));
beforeAll(async () => {
  await Promise.all(MATRIX.map(async (m) => labs.set(m.image, await startLab(m.prefix, 2, {}, { image: m.image }))));
}, 900_000);
afterAll(async () => {
  await Promise.all([...labs.values()].map(stopLab));
  rmSync(dir, { recursive: true, force: true });
});

/** what cnet-remote did not create and must leave alone (the iptables rule where iptables is installed) */
const FOREIGN = [
  'ip link add name keepme0 type bridge',
  "nft add table ip keep '{ chain post { type nat hook postrouting priority 100 ; policy accept ; ip saddr 10.77.0.0/16 masquerade ; } ; }'",
  'if command -v iptables >/dev/null; then iptables -t nat -A POSTROUTING -s 10.78.0.0/16 -j MASQUERADE; fi',
  '',
].join('\n');

/** Everything down must leave as it was: links, namespaces, both firewalls' rules, ip_forward, the record. */
const SNAPSHOT = [
  "ip -j link show | tr ',' '\\n' | grep '\"ifname\"' | sort",
  'ip netns list | sort',
  'nft list ruleset',
  'if command -v iptables-save >/dev/null; then iptables-save -t nat | grep -v "^#" | sed "s/\\[[0-9:]*\\]//"; fi',
  'cat /proc/sys/net/ipv4/ip_forward',
  'ls /run/cnet-remote/owned 2>/dev/null || echo no-record',
  '',
].join('\n');

/** How each backend's rules are lost, and what verify then names: nftables' whole ruleset flushed; iptables' rule for br0 deleted. */
const LOSE_NAT = {
  nftables: { script: 'nft flush ruleset\n', lost: ['bridges.br0.nat', 'bridges.brd1.nat'] },
  iptables: {
    script: "iptables -t nat -D POSTROUTING -s 172.18.0.0/16 '!' -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE\n",
    lost: ['bridges.br0.nat'],
  },
} as const;

describe.sequential.each(MATRIX)('$image: both seeds', ({ image, backend, why }) => {
  const lab = () => labs.get(image)!;
  const inv = () => [lab().inventory, SEED_PART2, SEED_PB_JELLY];
  let before: string;

  it(`up builds both seeds with ${backend} (chosen by auto), every probe answered`, async () => {
    await onVm(lab(), 1, FOREIGN);
    before = (await onVm(lab(), 1, SNAPSHOT)).stdout;
    const run = await cliJson('up', ...inv(), '--probe');
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.json.summary).toEqual({ ok: 0, changed: 2, failed: 0, unreachable: 0 });
    for (const [i, h] of (run.json.hosts as unknown as { firewall: unknown; probes: { ok: boolean }[]; verified: boolean }[]).entries()) {
      expect(h.firewall).toEqual({ backend, why: why[i] });
      expect(h.verified).toBe(true);
      expect(h.probes.length).toBe(16);
      expect(h.probes.every((p) => p.ok)).toBe(true);
    }
    const tables = (await onVm(lab(), 1, 'nft list tables\n')).stdout;
    if (backend === 'nftables') expect(tables).toContain('table inet cnet_remote');
    else expect(tables).not.toContain('cnet_remote');
  });

  it('containers reach each other, the host and the upstream through NAT', async () => {
    for (const vm of [1, 2]) {
      expect(await pings(lab(), vm, 'container1', '172.18.0.3')).toBe(true);
      expect(await pings(lab(), vm, 'container2', '172.18.0.2')).toBe(true);
      expect(await pings(lab(), vm, undefined, '172.18.0.2')).toBe(true);
      expect(await pings(lab(), vm, 'container2', lab().plan.internetAddress)).toBe(true);
      expect(await pings(lab(), vm, 'jelly', '172.19.0.2')).toBe(true);
      expect(await pings(lab(), vm, 'pb', lab().plan.internetAddress)).toBe(true);
    }
  });

  it('a second up changes nothing; -v names the backend', async () => {
    const run = await cliJson('up', ...inv());
    expect(run.code).toBe(0);
    expect(run.json.summary).toEqual({ ok: 2, changed: 0, failed: 0, unreachable: 0 });
    const verbose = await cli('up', ...inv(), '-v');
    expect(verbose.stdout + verbose.stderr).toContain(`firewall: ${backend} (auto: its NAT rules are in ${backend} already)`);
  });

  it('lost NAT rules are named by verify and restored by up', async () => {
    await onVm(lab(), 1, LOSE_NAT[backend].script);
    const verify = await cliJson('verify', ...inv());
    expect(verify.code).toBe(2);
    const vm1 = verify.json.hosts.find((h) => h.name === 'vm1')!;
    expect(vm1.mismatches.map((m) => m.path)).toEqual(LOSE_NAT[backend].lost);
    expect(verify.json.hosts.find((h) => h.name === 'vm2')!.status).toBe('ok');
    const up = await cliJson('up', ...inv());
    expect(up.code, up.stdout).toBe(0);
    expect(up.json.hosts.find((h) => h.name === 'vm1')!.changes).toBeGreaterThan(0);
    expect(up.json.hosts.find((h) => h.name === 'vm2')!.changes).toBe(0);
    const again = await cliJson('verify', ...inv());
    expect(again.code, again.stdout).toBe(0);
    // the flush took the foreign table too: back as it was, for down's comparison
    if (backend === 'nftables') await onVm(lab(), 1, `${FOREIGN.split('\n')[1]}\n`);
  });

  it('down leaves the host as it was: no table, chain or rule of ours; the foreign ones untouched', async () => {
    const down = await cliJson('down', ...inv());
    expect(down.code, down.stdout).toBe(0);
    expect(down.json.hosts.every((h) => h.verified)).toBe(true);
    expect((await onVm(lab(), 1, SNAPSHOT)).stdout).toBe(before);
    const vm2 = await onVm(lab(), 2, 'nft list ruleset | grep -c cnet || true\n');
    expect(vm2.stdout.trim()).toBe('0');
  });
});

describe.sequential.each([
  { mode: 'routed', file: 'fabric-routed.yaml', net: '172.30' },
  { mode: 'vxlan', file: 'fabric-vxlan.yaml', net: '172.31' },
])('debian13-nft: the fabric, $mode, with nftables', ({ file, net }) => {
  const lab = () => labs.get('debian13-nft')!;
  const inv = () => [lab().inventory, join(ROOT, 'inventories', file)];

  it('comes up; containers reach the other host without NAT and the upstream through it; down leaves nothing of ours', async () => {
    const up = await cliJson('up', ...inv());
    expect(up.code, up.stderr + up.stdout).toBe(0);
    // the fabric's rule leaves the supernet alone
    const rules = (await onVm(lab(), 1, 'nft list table inet cnet_remote\n')).stdout;
    expect(rules).toContain(`ip saddr ${net}.0.0/24 ip daddr != ${net}.0.0/16 oifname != "cnet0" masquerade comment "cnet-remote:cnet0"`);
    const verify = await cli('verify', ...inv(), '--probe', '--json');
    expect(verify.code, verify.stdout).toBe(0);
    const hosts = (JSON.parse(verify.stdout) as { hosts: { probes: { kind: string; ok: boolean }[] }[] }).hosts;
    for (const h of hosts) {
      expect(h.probes.filter((p) => p.kind === 'fabric').length).toBe(1);
      expect(h.probes.every((p) => p.ok)).toBe(true);
    }
    expect(await pings(lab(), 1, 'web', `${net}.1.2`)).toBe(true);
    expect(await pings(lab(), 2, 'web', lab().plan.internetAddress)).toBe(true);
    const down = await cliJson('down', ...inv());
    expect(down.code, down.stdout).toBe(0);
    for (const vm of [1, 2]) expect((await onVm(lab(), vm, 'nft list tables; ip netns list\n')).stdout).toBe('table ip keep\n'.repeat(vm === 1 ? 1 : 0));
  });
});

describe('debian13: cnet.firewall: nftables moves a host from iptables to its own table', () => {
  it('up removes the iptables rules and writes the nftables table; down removes it', async () => {
    const lab = labs.get('debian13')!;
    const setting = join(dir, 'nftables.yaml');
    writeFileSync(setting, 'lab:\n  vars:\n    cnet:\n      firewall: nftables\n');
    await cliJson('up', lab.inventory, SEED_PART2);
    expect((await onVm(lab, 1, 'iptables -t nat -S POSTROUTING | grep -c cnet-remote: || true\n')).stdout.trim()).toBe('1');
    const moved = await cliJson('up', lab.inventory, SEED_PART2, setting);
    expect(moved.code, moved.stdout).toBe(0);
    const h = moved.json.hosts[0] as unknown as { firewall: unknown; steps: string[] };
    expect(h.firewall).toEqual({ backend: 'nftables', why: 'cnet.firewall: nftables' });
    expect(h.steps.filter((s) => s.startsWith('iptables -w -t nat -D POSTROUTING')).length).toBe(1);
    expect(h.steps).toContain('nft add table inet cnet_remote');
    expect((await onVm(lab, 1, 'iptables -t nat -S POSTROUTING | grep -c cnet-remote: || true\n')).stdout.trim()).toBe('0');
    expect(await pings(lab, 1, 'container1', lab.plan.internetAddress)).toBe(true);
    const down = await cliJson('down', lab.inventory, SEED_PART2, setting);
    expect(down.code).toBe(0);
    expect((await onVm(lab, 1, 'nft list tables | grep -c cnet_remote || true\n')).stdout.trim()).toBe('0');
  });
});

describe.sequential('debian12: a firewall on iptables-legacy (Docker on legacy) beside iptables-nft', () => {
  const lab = () => labs.get('debian12')!;
  const inv = () => [lab().inventory, SEED_PART2];
  const LEGACY =
    "no reply: iptables-legacy tables exist besides iptables-nft's, and their FORWARD chain may drop it (cnet-remote cannot read it): iptables-legacy -S FORWARD";

  it("legacy's FORWARD policy DROP: named as the probes' cause and warned of, with where to look; gone once legacy accepts", async () => {
    await onVm(lab(), 1, 'iptables-legacy -P FORWARD DROP\n');
    const up = await cliJson('up', ...inv(), '--probe', '--limit', 'vm1');
    expect(up.code).toBe(2);
    const h = up.json.hosts[0] as unknown as {
      firewall: unknown;
      probes: { kind: string; ok: boolean; cause?: string }[];
      warnings: { message: string; fix: string }[];
    };
    expect(h.firewall).toEqual({ backend: 'iptables', why: 'auto: iptables (nf_tables) answers' });
    const upstream = h.probes.filter((p) => p.kind === 'upstream');
    expect(upstream.length).toBe(2);
    expect(upstream.every((p) => !p.ok && p.cause === LEGACY)).toBe(true);
    expect(h.warnings.some((w) => w.message.startsWith('iptables-legacy tables exist') && w.fix.includes('iptables-legacy -I FORWARD -i br0 -j ACCEPT'))).toBe(
      true,
    );
    await onVm(lab(), 1, 'iptables-legacy -P FORWARD ACCEPT\n');
    const verify = await cliJson('verify', ...inv(), '--probe', '--limit', 'vm1');
    expect(verify.code, verify.stdout).toBe(0);
    const down = await cliJson('down', ...inv());
    expect(down.code).toBe(0);
  });
});
