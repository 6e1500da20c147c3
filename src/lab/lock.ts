import { spawn } from 'node:child_process';
import { LabError } from '../errors.js';

/**
 * Runs `fn` holding an exclusive flock(2) on `file`, shared by every process on the machine that
 * starts or removes a lab. The lock is held by a `flock` child that ends when its stdin closes:
 * when `fn` settles, or when this process dies however it dies, so it is never stale.
 */
export async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const holder = spawn('flock', ['-w', '600', file, '-c', 'echo held; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  holder.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => holder.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('error', (e) => reject(new LabError(`cannot lock ${file}: ${e.message}`)));
    holder.once('exit', (code) => reject(new LabError(`cannot lock ${file} (flock exit ${code}): ${stderr.trim() || 'another lab start held it too long'}`)));
  });
  try {
    return await fn();
  } finally {
    holder.stdin.end();
    await exited;
  }
}
