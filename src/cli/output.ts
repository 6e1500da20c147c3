import { shown, type Text } from '../shown.js';

/** Where the CLI writes: results on stdout, progress and errors on stderr (so `plan > plan.sh`
 * and `--json > result.json` stay clean). Injectable so tests can run main() in-process.
 *
 * `line`, `note` and `error` are the boundary where data becomes text for people: what they write
 * is `shown` (every control character escaped but newlines and tabs; JSON stays JSON that reads
 * back the same), so no renderer has to remember it. Only listr2 draws on the terminal itself
 * (its titles and messages go through `shown` in render/listr.ts). */
export interface Output {
  stdout: NodeJS.WriteStream;
  /** progress: the listr2 or plain renderer */
  progress: NodeJS.WriteStream;
  line(text: Text): void;
  note(text: Text): void;
  error(text: Text): void;
}

/** An Output writing to these streams: results to `stdout`, progress, notes and errors to `progress`. */
export function streamOutput(stdout: NodeJS.WriteStream, progress: NodeJS.WriteStream): Output {
  return {
    stdout,
    progress,
    line: (t) => stdout.write(`${shown(t)}\n`),
    note: (t) => progress.write(`${shown(t)}\n`),
    error: (t) => progress.write(`${shown(t)}\n`),
  };
}

export function processOutput(): Output {
  return streamOutput(process.stdout, process.stderr);
}
