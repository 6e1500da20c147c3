import { createInterface } from 'node:readline';
import { canAsk } from './ask-hidden.js';

/**
 * StrictHostKeyChecking ask at a terminal, as ssh asks: one question at a time on stderr,
 * answered on stdin. What the run prints meanwhile (through `hold`) waits until the answer, so
 * a question is never buried under other hosts' lines. End of input is no answer (refused).
 */
export class HostKeyQuestions {
  private queue: Promise<unknown> = Promise.resolve();
  private held: (() => void)[] | undefined;

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stderr,
  ) {}

  /** `write`, held back while a question is open. */
  hold<A extends unknown[]>(write: (...args: A) => void): (...args: A) => void {
    return (...args) => (this.held ? this.held.push(() => write(...args)) : write(...args));
  }

  /** Asks `question` once the questions before it are answered; the answer, or undefined at end of input. */
  readonly ask = (question: string): Promise<string | undefined> => {
    const answer = this.queue.then(() => this.askNow(question));
    this.queue = answer;
    return answer;
  };

  private askNow(question: string): Promise<string | undefined> {
    this.held = [];
    return new Promise((resolve) => {
      const rl = createInterface({ input: this.input, output: this.output, terminal: false });
      let answer: string | undefined;
      rl.once('line', (line) => {
        answer = line;
        rl.close();
      });
      rl.once('close', () => {
        const held = this.held ?? [];
        this.held = undefined;
        if (answer === undefined) this.output.write('\n');
        for (const write of held) write();
        resolve(answer);
      });
      this.output.write(question);
    });
  }
}

/**
 * The questions for a run, when it will have some and there is someone to answer them: a
 * terminal on stdin, and a host whose key must be confirmed. Says so first.
 */
export function hostKeyQuestions(toConfirm: () => string[], note: (text: string) => void): HostKeyQuestions | undefined {
  if (!canAsk()) return undefined;
  const n = toConfirm().length;
  if (n === 0) return undefined;
  note(`${n} host${n === 1 ? ' has' : 's have'} no key in known_hosts (StrictHostKeyChecking ask): each key will be shown for you to confirm, as ssh does`);
  return new HostKeyQuestions();
}
