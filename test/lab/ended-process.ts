import { spawn } from 'node:child_process';
import { processId, type ProcessId } from '../../src/lab/process-id.js';

/** The identity of a process that has ended (started, then killed): an owner that is gone. */
export async function endedProcess(): Promise<ProcessId> {
  const child = spawn('sleep', ['infinity'], { stdio: 'ignore' });
  const ended = new Promise((resolve) => child.once('exit', resolve));
  const id = processId(child.pid!)!;
  child.kill('SIGKILL');
  await ended;
  return id;
}
