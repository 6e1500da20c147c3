import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { withLock } from '../../src/lab/lock.js';

const dir = mkdtempSync(join(tmpdir(), 'cnet-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs one holder at a time, each to its end, whatever the order they asked in', async () => {
  const events: string[] = [];
  const section = (k: number) =>
    withLock(join(dir, 'lock'), async () => {
      events.push(`in ${k}`);
      // give the others every chance to enter meanwhile
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      events.push(`out ${k}`);
      return k;
    });
  expect(await Promise.all([1, 2, 3, 4, 5, 6].map(section))).toEqual([1, 2, 3, 4, 5, 6]);
  for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace('in', 'out'));
});

it('is released when the holder throws', async () => {
  await expect(withLock(join(dir, 'lock'), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  expect(await withLock(join(dir, 'lock'), async () => 'again')).toBe('again');
});
