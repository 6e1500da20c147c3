/**
 * The one place where argv becomes shell text. Every command cnet-remote runs on a host is an
 * argv array; this turns it into a POSIX `sh` word list. Words made only of safe characters are
 * left bare (so `plan` output reads like the seeds); anything else is single-quoted.
 */
export type Argv = readonly string[];

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Words sh reads specially in command position even though they are made of safe characters
 * (POSIX, plus bash's: a command sent over SSH runs under the user's login shell).
 */
const RESERVED = new Set([
  'case',
  'do',
  'done',
  'elif',
  'else',
  'esac',
  'fi',
  'for',
  'if',
  'in',
  'then',
  'until',
  'while',
  'coproc',
  'function',
  'select',
  'time',
]);

function singleQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export function quoteWord(word: string): string {
  if (word.length > 0 && SAFE.test(word)) return word;
  return singleQuote(word);
}

export function quoteArgv(argv: Argv): string {
  if (argv.length === 0) throw new Error('empty command');
  // in command position, `a=b` would be an assignment and `if` a keyword: quote them
  return argv.map((w, i) => (i === 0 && (w.includes('=') || RESERVED.has(w)) ? singleQuote(w) : quoteWord(w))).join(' ');
}
