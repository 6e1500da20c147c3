import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cli, cliJson, onVm, ROOT, SEED_PART2, SEED_PB_JELLY, startLab, stopLab } from './lab-fixture.js';

/** Probes prove the network works; the usual silent breaks are found, named with cause and fix. */
let lab: LabInfo;
const inv = () => [lab.inventory, SEED_PART2, SEED_PB_JELLY];
beforeAll(async () => {
  lab = await startLab('pr', 2);
  const up = await cliJson('up', ...inv());
  if (up.code !== 0) throw new Error(`up failed: ${up.stdout}`);
});
afterAll(async () => stopLab(lab));

type Json = Awaited<ReturnType<typeof cliJson>>['json'];
type Host = Json['hosts'][number] & {
  probes?: { kind: string; from: string; to: string; ok: boolean; cause?: string; latencyMs?: number }[];
  warnings?: { message: string; fix?: string }[];
};
const host = (json: Json, name: string) => json.hosts.find((h) => h.name === name) as Host;

describe.sequential('verify --probe', () => {
  it('passes on both seeds: peers, gateways, host, upstream through NAT', async () => {
    const run = await cliJson('verify', ...inv(), '--probe');
    expect(run.code, run.stdout).toBe(0);
    for (const name of ['vm1', 'vm2']) {
      const h = host(run.json, name);
      expect(h.probes).toHaveLength(16);
      expect(h.probes!.every((p) => p.ok && typeof p.latencyMs === 'number')).toBe(true);
      expect(new Set(h.probes!.map((p) => p.kind))).toEqual(new Set(['peer', 'gateway', 'host', 'upstream']));
    }
  });

  it('FORWARD policy DROP: upstream probes fail, named as dropped in FORWARD with the fix', async () => {
    await onVm(lab, 1, 'iptables -P FORWARD DROP\n');
    try {
      const run = await cliJson('verify', ...inv(), '--probe', '--limit', 'vm1');
      expect(run.code).toBe(2);
      const h = host(run.json, 'vm1');
      const upstream = h.probes!.filter((p) => p.kind === 'upstream');
      expect(upstream.every((p) => !p.ok && /dropped in FORWARD \(policy DROP\).*iptables -I FORWARD -i (br0|brd1) -j ACCEPT/.test(p.cause!))).toBe(true);
      expect(h.warnings!.some((w) => /FORWARD policy is DROP/.test(w.message) && /iptables -I FORWARD/.test(w.fix!))).toBe(true);
    } finally {
      await onVm(lab, 1, 'iptables -P FORWARD ACCEPT\n');
    }
  });

  it('ip_forward reset to 0 after up: a mismatch, a warning, and upstream probes blame forwarding', async () => {
    await onVm(lab, 2, 'sysctl -qw net.ipv4.ip_forward=0\n');
    const run = await cliJson('verify', ...inv(), '--probe', '--limit', 'vm2');
    expect(run.code).toBe(2);
    const h = host(run.json, 'vm2');
    expect(h.mismatches).toEqual([{ path: 'ip_forward', desired: '1', actual: '0', object: { kind: 'ip_forward', name: 'ip_forward' }, part: '' }]);
    expect(h.warnings!.some((w) => /ip_forward is 0 although up had set it/.test(w.message) && /sysctl -w net.ipv4.ip_forward=1/.test(w.fix!))).toBe(true);
    const upstream = h.probes!.filter((p) => p.kind === 'upstream');
    expect(upstream.length).toBe(4);
    expect(upstream.every((p) => !p.ok && /forwarding is off/.test(p.cause!))).toBe(true);
    expect(h.probes!.filter((p) => p.kind !== 'upstream').every((p) => p.ok)).toBe(true);
    expect((await cliJson('up', ...inv(), '--limit', 'vm2')).code).toBe(0);
  });

  it('a hand-deleted default route in one namespace: only that namespace\'s upstream probe fails, "no route"', async () => {
    await onVm(lab, 1, 'ip -n pb route del default\n');
    const run = await cliJson('verify', ...inv(), '--probe', '--limit', 'vm1');
    expect(run.code).toBe(2);
    const h = host(run.json, 'vm1');
    const failed = h.probes!.filter((p) => !p.ok);
    expect(failed.map((p) => `${p.kind} ${p.from}`)).toEqual(['upstream pb']);
    expect(failed[0]!.cause).toMatch(/no route: pb has no default route via 172\.19\.0\.1: ip -n pb route replace default via 172\.19\.0\.1 dev veth-pb/);
    expect(h.mismatches.map((m) => m.path)).toEqual(['namespaces.pb.default_route']);
    expect((await cliJson('up', ...inv(), '--limit', 'vm1')).code).toBe(0);
  });

  it('a hand-deleted NAT rule: upstream probes of that bridge fail ("no NAT"), same-bridge probes pass', async () => {
    // (and the flows it had NATed: conntrack keeps an ICMP flow's NAT for 30 s after the rule is gone)
    await onVm(
      lab,
      2,
      "iptables -t nat -D POSTROUTING -s 172.18.0.0/16 '!' -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE\nconntrack -D -p icmp >/dev/null 2>&1 || true\n",
    );
    const run = await cliJson('verify', ...inv(), '--probe', '--limit', 'vm2');
    expect(run.code, run.stdout).toBe(2);
    const h = host(run.json, 'vm2');
    const failed = h.probes!.filter((p) => !p.ok);
    expect(failed.map((p) => `${p.kind} ${p.from}`).sort()).toEqual(['upstream container1', 'upstream container2']);
    expect(failed.every((p) => /no NAT: the MASQUERADE rule for 172\.18\.0\.0\/16 is missing/.test(p.cause!))).toBe(true);
    expect(h.probes!.filter((p) => p.kind === 'peer').every((p) => p.ok)).toBe(true);
    const repaired = await cliJson('up', ...inv(), '--limit', 'vm2', '--probe');
    expect(repaired.code).toBe(0);
    expect(host(repaired.json, 'vm2').probes!.every((p) => p.ok)).toBe(true);
  });
});

describe.sequential('native nftables', () => {
  it('a forward chain with policy drop: upstream probes fail, blamed on that chain, with nft accept rules as the fix', async () => {
    await onVm(lab, 1, "nft add table inet filter\nnft add chain inet filter forward '{ type filter hook forward priority 0; policy drop; }'\n");
    try {
      const run = await cliJson('verify', ...inv(), '--probe', '--limit', 'vm1');
      expect(run.code).toBe(2);
      const h = host(run.json, 'vm1');
      const upstream = h.probes!.filter((p) => p.kind === 'upstream');
      expect(
        upstream.every(
          (p) =>
            !p.ok && /dropped in FORWARD by nftables \(chain inet filter forward, policy drop\): nft insert rule inet filter forward iifname/.test(p.cause!),
        ),
      ).toBe(true);
      expect(h.warnings!.some((w) => /nftables chain inet filter forward/.test(w.message))).toBe(true);
    } finally {
      await onVm(lab, 1, 'nft delete table inet filter\n');
    }
  });
});

describe.sequential('nightly: up --rebuild --probe with reports', () => {
  it('rebuilds from a clean slate, proves it, writes JUnit valid against the schema, HTML and no retry file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnet-nightly-'));
    const [junit, html, retry] = ['cnet.xml', 'cnet.html', 'failed.txt'].map((f) => join(dir, f));
    writeFileSync(retry, 'stale\n');
    const run = await cliJson('up', ...inv(), '--rebuild', '--probe', '--junit', junit, '--html', html, '--retry-file', retry);
    expect(run.code, run.stdout).toBe(0);
    for (const h of run.json.hosts) {
      expect(h.status).toBe('changed');
      expect(h.steps[0]).toMatch(/^iptables -w -t nat -D POSTROUTING/); // down first
      expect(h.steps).toContain('ip netns add container1'); // then up
      expect((h as Host).probes!.every((p) => p.ok)).toBe(true);
    }
    expect(existsSync(retry)).toBe(false);
    execFileSync('xmllint', ['--noout', '--schema', join(ROOT, 'test', 'fixtures', 'report', 'junit.xsd'), junit], { stdio: 'pipe' });
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml).toContain('name="probe upstream pb -&gt; upstream');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('container1');
    // self-contained: nothing loaded (the SVG namespace URI is a name, not a fetch); its one script inline
    expect(page).not.toMatch(/<script[^>]*\ssrc=|(src|href)="https?:|url\(/);
    expect(page.match(/<script/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it('a failed host lands in the retry file, and --limit @file reruns just it; graph --live marks the drift', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnet-retry-'));
    const retry = join(dir, 'failed.txt');
    await onVm(lab, 2, 'ip netns del jelly\n');
    const verify = await cliJson('verify', ...inv(), '--retry-file', retry);
    expect(verify.code).toBe(2);
    expect(readFileSync(retry, 'utf8')).toBe('vm2\n');
    const svg = await cli('graph', ...inv(), '--live', '--format', 'svg', '--limit', `@${retry}`);
    expect(svg.code).toBe(0);
    expect(svg.stdout).toContain('vm2');
    expect(svg.stdout).not.toContain('vm1');
    expect(svg.stdout).toMatch(/missing/);
    const rerun = await cliJson('up', ...inv(), '--limit', `@${retry}`, '--probe');
    expect(rerun.json.hosts.map((h) => [h.name, h.status])).toEqual([['vm2', 'changed']]);
  });
});
