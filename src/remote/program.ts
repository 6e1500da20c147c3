import { readFileSync } from 'node:fs';
import { quoteArgv, quoteWord } from '../shell/quote.js';
import { HOLDER_FILE, LOCK_FILE, RECORD_FILE, STATE_DIR, TXN_DIR, TXN_JOURNAL, TXN_SCRIPT } from './paths.js';

/**
 * The programs hosts run are shell files (src/remote/programs, linted by shellcheck). A program
 * is its parts (library files first) after a data block, the one way TypeScript puts anything
 * into them:
 * - values: `NAME='text'`, each quoted as one word (names in capitals: shellcheck takes them for
 *   the environment);
 * - tables: shell functions made only of commands given as argv, quoted in one place
 *   (shell/quote.ts): a list of calls run in order, or a `case` on the function's first argument.
 * The on-host paths (paths.ts) are values of every program that refers to them. Full-line
 * comments and blank lines are left out of what is sent (the files are for reading, the wire for
 * running).
 *
 * Reached by the same relative path from src/remote (the tests run the sources) and from
 * dist/remote (the build); the package ships src/remote/programs ("files" in package.json).
 */
export const PROGRAMS_DIR = new URL('../../src/remote/programs/', import.meta.url);

/** A command of a table: its argv, and the lines it reads on stdin (each an argv too, for `ip -batch`: a quoted here-document). */
export interface Call {
  argv: readonly string[];
  stdin?: readonly (readonly string[])[];
}

export type Table = { kind: 'calls'; calls: readonly Call[] } | { kind: 'case'; entries: readonly (readonly [number, readonly string[]])[] };

export interface ProgramData {
  values?: Record<string, string | number>;
  tables?: Record<string, Table>;
}

const PATHS = { STATE_DIR, RECORD_FILE, LOCK_FILE, HOLDER_FILE, TXN_DIR, TXN_SCRIPT, TXN_JOURNAL };
const HEREDOC = 'CNET_DATA';

const sources = new Map<string, string>();

/** A program file as it is. */
export function programSource(file: string): string {
  let text = sources.get(file);
  if (text === undefined) sources.set(file, (text = readFileSync(new URL(file, PROGRAMS_DIR), 'utf8')));
  return text;
}

/**
 * A program file as it is sent: without its full-line comments and blank lines (a here-document's
 * lines kept as they are).
 */
function sent(text: string): string {
  const out: string[] = [];
  let heredoc: string | undefined;
  for (const line of text.split('\n')) {
    if (heredoc !== undefined) {
      out.push(line);
      if (line === heredoc) heredoc = undefined;
    } else if (line.trim() !== '' && !line.trimStart().startsWith('#')) {
      out.push(line);
      heredoc = /<<-? *'?([A-Za-z_]+)'?\s*$/.exec(line)?.[1];
    }
  }
  return out.join('\n');
}

/** a call, indented (its here-document's lines as they are: `ip -batch` reads them) */
function call(c: Call): string {
  if (!c.stdin) return `  ${quoteArgv(c.argv)}`;
  const lines = c.stdin.map(quoteArgv);
  if (lines.includes(HEREDOC)) throw new Error(`a table's here-document holds its own delimiter ${HEREDOC}`);
  return [`  ${quoteArgv(c.argv)} <<'${HEREDOC}'`, ...lines, HEREDOC].join('\n');
}

function table(name: string, t: Table): string {
  const body =
    t.kind === 'calls'
      ? t.calls.length
        ? t.calls.map(call)
        : ['  :']
      : ['  case "$1" in', ...t.entries.map(([n, argv]) => `    ${n}) ${quoteArgv(argv)} ;;`), '    *) : ;;', '  esac'];
  return [`${name}() {`, ...body, '}'].join('\n');
}

/** The data block: values, then tables. */
function dataBlock(data: ProgramData): string {
  const lines = Object.entries(data.values ?? {}).map(([name, value]) => {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`a program value's name must be in capitals: ${name}`);
    return `${name}=${quoteWord(String(value))}`;
  });
  for (const [name, t] of Object.entries(data.tables ?? {})) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`a program table's name must be in small letters: ${name}`);
    lines.push(table(name, t));
  }
  return lines.join('\n');
}

/** Each program and its files, libraries first. */
export const PROGRAMS = {
  txn: ['lib.sh', 'journal.sh', 'txn.sh'],
  launch: ['lib.sh', 'state-dir.sh', 'detached.sh', 'launch.sh'],
  recover: ['lib.sh', 'state-dir.sh', 'detached.sh', 'recover.sh'],
  'await-lock': ['lib.sh', 'state-dir.sh', 'await-lock.sh'],
  confirm: ['lib.sh', 'state-dir.sh', 'confirm.sh'],
  gather: ['lib.sh', 'state-dir.sh', 'journal.sh', 'gather.sh'],
  probe: ['lib.sh', 'probe.sh'],
  'frame-end': ['frame-end.sh'],
} as const;
export type ProgramName = keyof typeof PROGRAMS;

/** A program's files (libraries first), and the on-host paths they refer to: worked out once. */
const bodies = new Map<string, { body: string; paths: Record<string, string> }>();
function bodyOf(name: ProgramName, comments: boolean): { body: string; paths: Record<string, string> } {
  const key = `${name}${comments ? ' as written' : ''}`;
  let b = bodies.get(key);
  if (b === undefined) {
    const body = PROGRAMS[name].map((f) => (comments ? programSource(f) : sent(programSource(f)))).join('\n');
    const paths = Object.fromEntries(Object.entries(PATHS).filter(([n]) => body.includes(`$${n}`) || body.includes(`\${${n}`)));
    bodies.set(key, (b = { body, paths }));
  }
  return b;
}

/** A program's data block and its files, as sent to a host (`comments`: the files as written, for linting). */
export function programParts(name: ProgramName, data: ProgramData = {}, opts: { comments?: boolean } = {}): { data: string; body: string } {
  const { body, paths } = bodyOf(name, opts.comments === true);
  return { data: dataBlock({ ...data, values: { ...paths, ...data.values } }), body };
}

/** The text of a program: its data block, then its files. */
export function program(name: ProgramName, data: ProgramData = {}, opts: { comments?: boolean } = {}): string {
  const p = programParts(name, data, opts);
  return `${p.data}\n${p.body}\n`;
}
