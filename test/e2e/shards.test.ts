import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import type { RunResult } from '../../src/result/result.js';
import { cli, type CliRun, onVm, pings, ROOT, startLab, stopLab } from './lab-fixture.js';

/**
 * Issue 19 over real SSH: a routed fabric on 24 simulated VMs, built by 4 shards run at once as
 * separate processes (`--shard K/4`); the slices are AWX's (by name, every 4th), disjoint,
 * covering, 6 hosts each; the fabric they built spans the shards (`verify --probe` of the whole
 * passes); `report merge` of the shards' verify results gives the JSON, JUnit and exit code of one
 * run on all 24 — also when a host fails — and names a missing shard.
 */
const N = 24;
const SHARDS = 4;
const HOSTS = Array.from({ length: N }, (_, i) => `vm${i + 1}`);
/** AWX's rule on names in natural order: shard K has the (K-1)-th, (K-1+4)-th, … */
const slice = (k: number) => HOSTS.filter((_, i) => i % SHARDS === k - 1);

let lab: LabInfo;
let dir: string;
beforeAll(async () => {
  lab = await startLab('shd', N);
  dir = await mkdtemp(join(tmpdir(), 'cnet-shards-'));
}, 180_000);
afterAll(async () => {
  await stopLab(lab);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const inv = () => [lab.inventory, join(ROOT, 'inventories', 'fabric-routed.yaml')];
const file = (name: string) => join(dir, name);

/** The 4 shards of one command, started together: separate processes, each its own --json. */
async function sharded(command: string, tag: string, ...flags: string[]): Promise<{ runs: CliRun[]; files: string[]; results: RunResult[] }> {
  const runs = await Promise.all(Array.from({ length: SHARDS }, (_, i) => cli(command, ...inv(), '--shard', `${i + 1}/${SHARDS}`, '--json', ...flags)));
  const files = runs.map((r, i) => {
    const f = file(`${tag}-${i + 1}.json`);
    writeFileSync(f, r.stdout);
    return f;
  });
  return { runs, files, results: runs.map((r) => JSON.parse(r.stdout) as RunResult) };
}

/** A result with what differs between any two runs taken out: times. */
function timeless(r: RunResult): unknown {
  return {
    ...r,
    durationMs: 0,
    hosts: r.hosts.map((h) => ({ ...h, durationMs: 0, ...(h.probes ? { probes: h.probes.map(({ latencyMs: _, ...p }) => p) } : {}) })),
  };
}
const timelessJUnit = (xml: string) => xml.replace(/ (time|timestamp)="[^"]*"/g, '').replace(/; [\d.]+ s -->/, ' -->');

describe.sequential('shards of one run', () => {
  it('4 shards run at once build the fabric: slices disjoint, covering, 6 hosts each, by name', async () => {
    const { runs, results } = await sharded('up', 'up');
    for (const [i, r] of runs.entries()) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`shard ${i + 1}/${SHARDS}: 6 of the ${N} hosts`);
    }
    const names = results.map((r) => r.hosts.map((h) => h.name));
    for (const [i, ns] of names.entries()) expect([...ns].sort()).toEqual([...slice(i + 1)].sort());
    expect(names.flat().sort()).toEqual([...HOSTS].sort());
    expect(new Set(names.flat()).size).toBe(N);
    for (const r of results) {
      expect(r.shard?.count).toBe(SHARDS);
      expect(r.inventory?.hosts).toBe(N);
      expect(r.inventory?.fingerprint).toBe(results[0]!.inventory?.fingerprint);
      expect(r.hosts.every((h) => h.status === 'changed' && h.verified)).toBe(true);
    }
    // each shard routed to every peer, those of other shards too: vm1 (shard 1) to vm2 (shard 2)
    const vm1 = results[0]!.hosts.find((h) => h.name === 'vm1')!;
    expect(vm1.steps.join('\n')).toContain(`ip route replace 172.30.1.0/24 via ${lab.plan.vmAddress(2)}`);
    expect(vm1.steps.join('\n')).toContain(`ip route replace 172.30.23.0/24 via ${lab.plan.vmAddress(24)}`);

    const merged = await cli('report', 'merge', ...[1, 2, 3, 4].map((k) => file(`up-${k}.json`)), '--json');
    expect(merged.code, merged.stderr).toBe(0);
    const m = JSON.parse(merged.stdout) as RunResult;
    expect(m.summary).toEqual({ ok: 0, changed: N, failed: 0, unreachable: 0 });
    expect(m.shard).toBeUndefined();
    expect(m.missing).toBeUndefined();
  });

  it('a container on a host of one shard reaches one on a host of every other shard', async () => {
    for (const peer of [2, 3, 4, 24]) expect(await pings(lab, 1, 'web', `172.30.${peer - 1}.2`), `vm1/web -> vm${peer}/db`).toBe(true);
    expect(await pings(lab, 23, 'db', '172.30.0.3'), 'vm23/db -> vm1/web').toBe(true);
  });

  it('the same slices each time: a plan of shard 2 names the hosts up had', async () => {
    const run = await cli('plan', ...inv(), '--shard', `2/${SHARDS}`, '--json');
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as RunResult;
    expect(plan.hosts.map((h) => h.name).sort()).toEqual([...slice(2)].sort());
    expect(plan.hosts.every((h) => h.steps.length === 0)).toBe(true);
  });

  for (const broken of [false, true]) {
    it(`report merge of 4 sharded verify --probe runs equals one run on all: JSON, JUnit and exit code${broken ? ' (a host fails)' : ''}`, async () => {
      // vm7 (shard 3) loses its route to vm8's subnet (shard 4): vm7 fails verify and its probe to vm8
      if (broken) await onVm(lab, 7, 'ip route del 172.30.7.0/24\n');
      const single = await cli('verify', ...inv(), '--probe', '--json', '--junit', file('single.xml'));
      const tag = broken ? 'broken' : 'verify';
      const { runs, files } = await sharded('verify', tag, '--probe');
      const merged = await cli('report', 'merge', ...files, '--json', '--junit', file(`${tag}-merged.xml`), '--html', file(`${tag}.html`));
      expect(single.code, single.stderr).toBe(broken ? 2 : 0);
      expect(merged.code, merged.stderr).toBe(single.code);
      const one = JSON.parse(single.stdout) as RunResult;
      const all = JSON.parse(merged.stdout) as RunResult;
      expect(timeless(all)).toEqual(timeless(one));
      expect(timelessJUnit(readFileSync(file(`${tag}-merged.xml`), 'utf8'))).toBe(timelessJUnit(readFileSync(file('single.xml'), 'utf8')));
      // the whole fabric was probed: every host pinged peers, on its own shard and on others
      const fabric = one.hosts.flatMap((h) => (h.probes ?? []).filter((p) => p.kind === 'fabric'));
      expect(fabric.length).toBeGreaterThanOrEqual(N * 2);
      if (broken) {
        // vm7 is in shard 3; the probes of others towards vm7 may fail too (no route back)
        expect(runs[2]!.code).toBe(2);
        const vm7 = all.hosts.find((h) => h.name === 'vm7')!;
        expect(vm7.status).toBe('failed');
        expect(vm7.mismatches.map((m) => m.path)).toEqual(['fabric.routes.vm8']);
        expect(all.summary.failed).toBeGreaterThanOrEqual(1);
        const html = readFileSync(file(`${tag}.html`), 'utf8');
        expect(html).toContain('fabric.routes.vm8');
        const repair = await cli('up', ...inv(), '--limit', 'vm7');
        expect(repair.code, repair.stderr).toBe(0);
      } else {
        expect(runs.every((r) => r.code === 0)).toBe(true);
        expect(fabric.every((p) => p.ok)).toBe(true);
      }
    });
  }

  it('a merge lacking a shard names it and exits 4; results of another command are refused', async () => {
    const partial = await cli('report', 'merge', file('verify-1.json'), file('verify-2.json'), file('verify-4.json'));
    expect(partial.code).toBe(4);
    expect(partial.stderr).toContain(`missing: shard 3/${SHARDS}, 6 hosts without a result`);
    const mixed = await cli('report', 'merge', file('verify-1.json'), file('up-2.json'));
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toContain('is a result of `up`');
  });

  it('4 shards take the fabric down at once: nothing of it is left on any host', async () => {
    const { runs, files } = await sharded('down', 'down');
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const merged = await cli('report', 'merge', ...files, '--json');
    expect(merged.code, merged.stderr).toBe(0);
    expect((JSON.parse(merged.stdout) as RunResult).summary).toEqual({ ok: 0, changed: N, failed: 0, unreachable: 0 });
    for (const vm of [1, 8, 24]) {
      const left = await onVm(lab, vm, 'ip netns list; ip route show | grep 172.30 || true; ip link show cnet0 2>/dev/null || true\n');
      expect(left.stdout.trim(), `vm${vm}`).toBe('');
    }
  });
});
