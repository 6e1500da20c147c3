import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { labDown } from '../../src/lab/lab.js';
import { LAB_ROOT } from '../../src/lab/lab-plan.js';
import { ROOT, testLabName } from './lab-fixture.js';

/** The README's first command line: the demo builds both seeds on a lab and proves them by ping. */
const name = testLabName('dm');
afterAll(async () => {
  await labDown(name, join(LAB_ROOT, name));
});

it('npm run demo builds, converges, verifies and proves connectivity', async () => {
  const run = await new Promise<{ code: number; out: string }>((resolve) =>
    execFile(
      'bash',
      [join(ROOT, 'scripts', 'demo.sh')],
      { env: { ...process.env, CI: 'true', HOSTS: '2', LAB: name, LAB_OWNER: String(process.pid) } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
  expect(run.code, run.out).toBe(0);
  expect(run.out).toMatch(/2 hosts: 0 ok, 2 changed, 0 failed, 0 unreachable/);
  expect(run.out).toMatch(/2 hosts: 2 ok, 0 changed, 0 failed, 0 unreachable/);
  expect(run.out.match(/^ {2}ok {3}/gm)).toHaveLength(12);
  expect(run.out).not.toMatch(/FAIL/);
});
