import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, testLabName } from './lab-fixture.js';

/**
 * The benchmark still works end to end (CI runs only this smoke of it; timings are never
 * asserted): 2 hosts, 1 run, cnet-remote and plain OpenSSH, and cnet-remote again as 3 shards run
 * at once (slices of 1, 1 and 0 hosts: an empty shard too), on a lab of this run's own (a name of
 * its own, a free network), beside any other lab.
 */
const name = testLabName('bs');
const dir = mkdtempSync(join(tmpdir(), 'cnet-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface OpSummary {
  n: number;
  median: number;
  vsOpenssh: number;
  cpuSeconds: number | null;
}

interface Sample {
  op: string;
  seconds: number;
  cpuSeconds: number | null;
  shards?: { shard: string; hosts: number; cpuSeconds: number | null }[];
  mergedAndChecked?: boolean;
}

const SINGLE = ['cnet-up-clean', 'cnet-up-converged', 'cnet-verify', 'cnet-down'];

it('npm run bench:smoke: every operation ran, one controller and 3 shards, each result checked, and the report names the targets', async () => {
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'node',
      [
        join(ROOT, 'bench', 'bench.mjs'),
        '--hosts',
        '2',
        '--runs',
        '1',
        '--skip-ansible',
        '--shards',
        '3',
        '--settle-max',
        '3',
        '--name',
        name,
        '--results-dir',
        dir,
      ],
      { cwd: ROOT, timeout: 300_000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/\| tool \/ operation \| median s \|/);
  expect(run.stdout).toContain('cnet-remote up (clean) ≤ 0.5 × plain OpenSSH');
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  expect(file).toBeDefined();
  const results = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as {
    sizes: number[];
    shards: number;
    summaries: { size: number; ops: Record<string, OpSummary> }[];
    samples: Sample[];
  };
  expect(results.sizes).toEqual([2]);
  expect(results.shards).toBe(3);
  const ops = results.summaries[0]!.ops;
  for (const op of [...SINGLE, 'openssh']) {
    expect(ops[op]?.n, op).toBe(1);
    expect(ops[op]!.median, op).toBeGreaterThan(0);
    expect(Number.isFinite(ops[op]!.vsOpenssh), op).toBe(true);
  }
  // the controller's CPU seconds (GNU time's %U + %S) for one controller and for the shards summed
  for (const op of [...SINGLE, ...SINGLE.map((o) => `${o}-shards`)]) expect(ops[op]?.cpuSeconds, op).toBeGreaterThan(0);
  // each sharded operation: 3 shards over the 2 hosts (every N-th by name: 1, 1 and an empty one),
  // every shard's CPU counted, and the merged result checked as a single run's
  for (const op of SINGLE) {
    const sharded = results.samples.filter((s) => s.op === `${op}-shards`);
    expect(sharded, op).toHaveLength(1);
    expect(sharded[0]!.mergedAndChecked, op).toBe(true);
    expect(
      sharded[0]!.shards!.map((s) => [s.shard, s.hosts]),
      op,
    ).toEqual([
      ['1/3', 1],
      ['2/3', 1],
      ['3/3', 0],
    ]);
    expect(sharded[0]!.cpuSeconds, op).toBeCloseTo(
      sharded[0]!.shards!.reduce((sum, s) => sum + s.cpuSeconds!, 0),
      1,
    );
  }
  expect(run.stdout).toMatch(/\| operation \| one controller s \| 3 shards s \| shards ÷ one \|/);
  expect(run.stdout).toContain('no speed-up is expected here');
  // the bench removes its lab
  const left = await new Promise<string>((resolve) => execFile('ip', ['netns', 'list'], (_e, out) => resolve(out)));
  expect(left).not.toMatch(new RegExp(`^${name}-`, 'm'));
}, 360_000);
