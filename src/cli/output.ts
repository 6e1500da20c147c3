/** Where the CLI writes: injectable so tests can run main() in-process. */
export interface Output {
  stdout: NodeJS.WriteStream;
  line(text: string): void;
  error(text: string): void;
}

export function processOutput(): Output {
  return {
    stdout: process.stdout,
    line: (t) => process.stdout.write(`${t}\n`),
    error: (t) => process.stderr.write(`${t}\n`),
  };
}
