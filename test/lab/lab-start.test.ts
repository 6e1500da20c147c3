import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sweepEndedLabs } from '../../src/lab/lab-start.js';
import { processId, type ProcessId } from '../../src/lab/process-id.js';
import { endedProcess } from './ended-process.js';

/** On a lab root of its own, with lab names no lab on the machine has (nothing of theirs is touched). */
const root = mkdtempSync(join(tmpdir(), 'cnet-sweep-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const unique = (p: string) =>
  `${p}${randomInt(36 ** 5)
    .toString(36)
    .padStart(5, '0')}`;

function recordLab(name: string, net: number, owner?: ProcessId) {
  mkdirSync(join(root, name));
  writeFileSync(join(root, name, 'lab.json'), JSON.stringify({ name, net, hosts: 1, behind: 0, behind2: 0, ...(owner ? { owner } : {}) }));
  mkdirSync(join(root, '.nets'), { recursive: true });
  writeFileSync(join(root, '.nets', String(net)), JSON.stringify({ name }));
}

it('removes the labs whose owner has ended, with their reservations; keeps those whose owner runs, and those of no process', async () => {
  const [ended, running, nobody] = [unique('swe'), unique('swr'), unique('swn')];
  recordLab(ended, 70, await endedProcess());
  recordLab(running, 71, processId());
  recordLab(nobody, 72);
  const swept = await sweepEndedLabs(root);
  expect(swept.failed).toEqual([]);
  expect(swept.removed.map((r) => r.name)).toEqual([ended]);
  expect(existsSync(join(root, ended))).toBe(false);
  expect(readdirSync(root).sort()).toEqual(['.nets', nobody, running].sort());
  expect(readdirSync(join(root, '.nets')).sort()).toEqual(['71', '72']);
});
