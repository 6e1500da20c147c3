import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, testLabName } from './lab-fixture.js';

/**
 * The benchmark still works end to end (CI runs only this smoke of it; timings are never
 * asserted): 1 host, 1 run, cnet-remote and plain OpenSSH, on a lab of this run's own (a name of
 * its own, a free network), beside any other lab.
 */
const name = testLabName('bs');
const dir = mkdtempSync(join(tmpdir(), 'cnet-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface OpSummary {
  n: number;
  median: number;
  vsOpenssh: number;
}

it('npm run bench:smoke: every operation ran, its result was checked, and the report names the targets', async () => {
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'node',
      [join(ROOT, 'bench', 'bench.mjs'), '--hosts', '1', '--runs', '1', '--skip-ansible', '--name', name, '--results-dir', dir],
      { cwd: ROOT, timeout: 300_000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/\| tool \/ operation \| median s \|/);
  expect(run.stdout).toContain('cnet-remote up (clean) ≤ 0.5 × plain OpenSSH');
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  expect(file).toBeDefined();
  const results = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as { sizes: number[]; summaries: { size: number; ops: Record<string, OpSummary> }[] };
  expect(results.sizes).toEqual([1]);
  const ops = results.summaries[0]!.ops;
  for (const op of ['cnet-up-clean', 'cnet-up-converged', 'cnet-verify', 'cnet-down', 'openssh']) {
    expect(ops[op]?.n, op).toBe(1);
    expect(ops[op]!.median, op).toBeGreaterThan(0);
    expect(Number.isFinite(ops[op]!.vsOpenssh), op).toBe(true);
  }
  // the bench removes its lab
  const left = await new Promise<string>((resolve) => execFile('ip', ['netns', 'list'], (_e, out) => resolve(out)));
  expect(left).not.toMatch(new RegExp(`^${name}-`, 'm'));
}, 360_000);
