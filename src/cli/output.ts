/** Where the CLI writes: results on stdout, progress and errors on stderr (so `plan > plan.sh`
 * and `--json > result.json` stay clean). Injectable so tests can run main() in-process. */
export interface Output {
  stdout: NodeJS.WriteStream;
  /** progress: the listr2 or plain renderer */
  progress: NodeJS.WriteStream;
  line(text: string): void;
  note(text: string): void;
  error(text: string): void;
}

export function processOutput(): Output {
  return {
    stdout: process.stdout,
    progress: process.stderr,
    line: (t) => process.stdout.write(`${t}\n`),
    note: (t) => process.stderr.write(`${t}\n`),
    error: (t) => process.stderr.write(`${t}\n`),
  };
}
