import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';

/** What main() gave: its exit code, its result lines, its notes and errors (in order), and each joined by newlines. */
export interface MainOutput {
  code: number;
  lines: string[];
  notes: string[];
  stdout: string;
  stderr: string;
}

/** main() in-process with `args` as its command line after `cnet-remote`, its output captured. */
export async function captureMain(args: readonly string[]): Promise<MainOutput> {
  const lines: string[] = [];
  const notes: string[] = [];
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  const out: Output = {
    stdout: stream,
    progress: stream,
    line: (t) => lines.push(String(t)),
    note: (t) => notes.push(String(t)),
    error: (t) => notes.push(String(t)),
  };
  const code = await main(['node', 'cnet-remote', ...args], out);
  return { code, lines, notes, stdout: lines.join('\n'), stderr: notes.join('\n') };
}

/** main() in-process, its output captured (results, and notes and errors); no ssh config is read. */
export function runMain(...args: string[]): Promise<MainOutput> {
  return captureMain([...args, '-F', 'none']);
}
