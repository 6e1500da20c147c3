import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cliEnv, SEED_PART2, startLab, stopLab } from './lab-fixture.js';
import { background, byName, type Host } from './run-fixture.js';

/**
 * Two `up` runs at once on the same hosts, again and again: both read the hosts before either
 * holds a host's lock, so the second one's plan is made from a state the first then changes.
 * It must never be applied as it is (a step failing on what the first made, and its rollback
 * undoing what it never did); every host must end up built, whichever run built it.
 */
const HOSTS = 20;
let lab: LabInfo;
const inv = () => [lab.inventory, SEED_PART2];
beforeAll(async () => {
  lab = await startLab('cnc', HOSTS);
});
afterAll(async () => stopLab(lab));

/** each host as two concurrent runs left it: every one converged, none rolled back */
async function twoAtOnce(...flags: string[]): Promise<{ a: Record<string, Host>; b: Record<string, Host>; codes: (number | null)[] }> {
  expect((await cliEnv({}, 'down', ...inv())).code).toBe(0);
  const [ra, rb] = await Promise.all([background({}, 'up', ...inv(), '--json', ...flags).done, background({}, 'up', ...inv(), '--json', ...flags).done]);
  const verify = await cliEnv({}, 'verify', ...inv(), '--json');
  const state = byName(verify.stdout);
  for (let i = 1; i <= HOSTS; i++) expect([`vm${i}`, state[`vm${i}`]!.status, state[`vm${i}`]!.mismatches]).toEqual([`vm${i}`, 'ok', []]);
  const a = byName(ra.stdout);
  const b = byName(rb.stdout);
  for (const run of [a, b]) {
    for (const h of Object.values(run)) {
      expect(h.error ?? '', h.name).not.toMatch(/rolled back|failed:/);
      expect([h.name, h.status === 'failed' ? h.error?.replace(/: .*/, '') : h.status]).toEqual([
        h.name,
        expect.stringMatching(/^(changed|ok|the host is locked by another run)$/),
      ]);
    }
  }
  for (let i = 1; i <= HOSTS; i++) expect([a[`vm${i}`]!.status, b[`vm${i}`]!.status], `vm${i}`).toContain('changed');
  return { a, b, codes: [ra.code, rb.code] };
}

describe.sequential(`two up runs at once on ${HOSTS} hosts`, () => {
  it.each([1, 2, 3, 4, 5])(
    'round %i, failing at once on a held lock: every host built once, no run applies a plan made before the other changed the host',
    async () => {
      const { codes } = await twoAtOnce();
      for (const c of codes) expect([0, 2]).toContain(c);
    },
  );

  it.each([1, 2, 3])('round %i, waiting for the lock (--lock-wait): both runs succeed, the second finding nothing left to do', async () => {
    const { a, b, codes } = await twoAtOnce('--lock-wait', '60');
    expect(codes).toEqual([0, 0]);
    for (let i = 1; i <= HOSTS; i++) expect([a[`vm${i}`]!.status, b[`vm${i}`]!.status].sort()).toEqual(['changed', 'ok']);
  });
});
