import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Asks on the terminal (stderr), without echo: a key's passphrase, a vault password. */
export function askHidden(question: string): Promise<string> {
  const muted = new Writable({ write: (_c, _e, cb) => cb() });
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) =>
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    }),
  );
}

/** Whether there is a person to ask: a terminal on stdin, and not CI. */
export const canAsk = (): boolean => Boolean(process.stdin.isTTY) && process.env.CI !== 'true';
