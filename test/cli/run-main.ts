import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';

/** main() in-process, its output captured (results, and notes and errors); no ssh config is read. */
export async function runMain(...args: string[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  const out: Output = {
    stdout: stream,
    progress: stream,
    line: (t) => lines.push(String(t)),
    note: (t) => errors.push(String(t)),
    error: (t) => errors.push(String(t)),
  };
  const code = await main(['node', 'cnet-remote', ...args, '-F', 'none'], out);
  return { code, stdout: lines.join('\n'), stderr: errors.join('\n') };
}
