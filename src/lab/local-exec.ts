import { execFile, spawn } from 'node:child_process';
import { LabError } from '../errors.js';

/** Runs a local command (argv, no shell); rejects with its stderr. `input` goes to stdin. */
export function exec(argv: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0]!, argv.slice(1), { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new LabError(`${argv.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Starts a long-lived process detached from us; returns its pid. */
export function spawnDetached(argv: string[]): number {
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore' });
  child.unref();
  if (child.pid === undefined) throw new LabError(`cannot start ${argv[0]}`);
  return child.pid;
}
