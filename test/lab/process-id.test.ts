import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { isAlive, processId } from '../../src/lab/process-id.js';

it('tells a running process from one that has ended, and from another that got its pid', async () => {
  const me = processId()!;
  expect(me.pid).toBe(process.pid);
  expect(isAlive(me)).toBe(true);
  expect(isAlive({ pid: process.pid, start: `${me.start}0` })).toBe(false);
  const child = spawn('sleep', ['infinity'], { stdio: 'ignore' });
  const ended = new Promise((resolve) => child.once('exit', resolve));
  const id = processId(child.pid!)!;
  expect(isAlive(id)).toBe(true);
  child.kill('SIGKILL');
  await ended;
  expect(isAlive(id)).toBe(false);
  expect(processId(child.pid!)).toBeUndefined();
});
