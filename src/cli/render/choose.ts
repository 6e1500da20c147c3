import type { EventSink } from '../../run/events.js';
import type { Renderer } from './listr.js';
import { plainRenderer } from './plain.js';
import type { HostKeyQuestions } from '../host-key-questions.js';

export interface ChooseRendererOptions {
  /** `--json`: show nothing while running, the CLI prints the RunResult as JSON itself */
  json: boolean;
  /** `-q`: plain progress shows only the hosts that failed */
  quiet?: boolean;
  /** where progress goes (the CLI uses stderr) */
  stream: NodeJS.WriteStream;
  /** line writer for the plain renderer */
  write: (line: string) => void;
  /** host keys will be asked about: a question needs lines it can stand between (plain, held while one is open) */
  questions?: HostKeyQuestions;
}

const silent: EventSink = () => {};

/** json → silent; CI, a stream that is not a TTY, or a terminal of unknown width → plain
 * host-prefixed lines; else listr2 (loaded only then: it costs start-up time). */
export async function chooseRenderer(opts: ChooseRendererOptions): Promise<Renderer> {
  if (opts.json) return { sink: silent, done: async () => {} };
  const plain = { quiet: Boolean(opts.quiet) };
  if (opts.questions) return { sink: plainRenderer(opts.questions.hold(opts.write), plain), done: async () => {} };
  if (process.env.CI === 'true' || !opts.stream.isTTY || !opts.stream.columns) {
    return { sink: plainRenderer(opts.write, plain), done: async () => {} };
  }
  const { listrRenderer } = await import('./listr.js');
  return listrRenderer({ stdout: opts.stream, stderr: opts.stream });
}
