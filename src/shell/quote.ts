/**
 * The one place where argv becomes shell text. Every command cnet-remote runs on a host is an
 * argv array; this turns it into a POSIX `sh` word list. Words made only of safe characters are
 * left bare (so `plan` output reads like the seeds); anything else is single-quoted.
 */
export type Argv = readonly string[];

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteWord(word: string): string {
  if (word.length > 0 && SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export function quoteArgv(argv: Argv): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(quoteWord).join(' ');
}
