import { main } from '../../src/cli/main.js';

/** main() in-process with `args` after `cnet-remote`: its exit code and all it wrote to stdout
 * (commander's --help included, which goes to the stream, not through out.line). */
export async function mainStdout(args: readonly string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const stream = {
    write: (s: string) => {
      stdout += s;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  const none = () => {};
  const code = await main(['node', 'cnet-remote', ...args], { stdout: stream, progress: stream, line: none, note: none, error: none });
  return { code, stdout };
}
