// Running commands: timed (wall clock around the whole process, its peak RSS and CPU seconds from
// GNU time), several at once, and untimed helpers. Output goes to files, never pipes: an ssh
// ControlPersist master that inherited a pipe would hold it open and delay the end of the run.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';
let seq = 0;
let defaultLogDir = '/tmp';
/** Where commands' output goes when no logDir is given (the bench's work dir). */
export function setLogDir(dir) {
  defaultLogDir = dir;
}

/**
 * Runs argv under `/usr/bin/time -f '%M %U %S'` and times it with hrtime from spawn to exit: its
 * peak RSS, and the user and system CPU seconds of the process and the children it waited for.
 * @param {string[]} argv
 * @param {{ logDir?: string, label: string, env?: NodeJS.ProcessEnv, stdin?: string }} o
 * @returns {Promise<Timed>}
 * @typedef {{ seconds: number, maxRssKB: number|null, userSeconds: number|null, systemSeconds: number|null, cpuSeconds: number|null, code: number|null, signal: string|null, stdout: string, stderr: string, outFile: string, errFile: string }} Timed
 */
export async function timed(argv, o) {
  const base = join(o.logDir ?? defaultLogDir, `${String(++seq).padStart(4, '0')}-${o.label.replace(/[^\w.-]+/g, '_')}`);
  const timeFile = `${base}.time`;
  const r = await run([GNU_TIME, '-f', '%M %U %S', '-o', timeFile, ...argv], { ...o, base });
  return { ...r, ...readGnuTime(timeFile) };
}

/**
 * Runs several commands at once, each as `timed` does: all spawned together, `seconds` from the
 * first spawn to the last exit.
 * @param {{ argv: string[], label: string }[]} commands
 * @param {{ logDir?: string, env?: NodeJS.ProcessEnv }} [o]
 * @returns {Promise<{ seconds: number, results: Timed[] }>}
 */
export async function timedTogether(commands, o = {}) {
  const t0 = process.hrtime.bigint();
  // each `timed` spawns before its first await: all are running before any is waited for
  const results = await Promise.all(commands.map((c) => timed(c.argv, { ...o, label: c.label })));
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, results };
}

/** GNU time's `%M %U %S` line (after "Command exited with non-zero status N" when it failed). */
function readGnuTime(file) {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const [rss, user, system] = lines[lines.length - 1].split(' ').map(Number);
  const num = (x) => (Number.isFinite(x) ? x : null);
  return {
    maxRssKB: num(rss),
    userSeconds: num(user),
    systemSeconds: num(system),
    cpuSeconds: num(user) != null && num(system) != null ? Number((user + system).toFixed(2)) : null,
  };
}

/**
 * Runs argv with stdout/stderr to files under logDir; resolves when the process exits.
 * @param {string[]} argv
 * @param {{ logDir?: string, label?: string, base?: string, env?: NodeJS.ProcessEnv, stdin?: string }} o
 */
export async function run(argv, o = {}) {
  const base = o.base ?? join(o.logDir ?? defaultLogDir, `${String(++seq).padStart(4, '0')}-${(o.label ?? 'run').replace(/[^\w.-]+/g, '_')}`);
  const outFile = `${base}.out`;
  const errFile = `${base}.err`;
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const stdin = o.stdin ? openSync(o.stdin, 'r') : 'ignore';
  const t0 = process.hrtime.bigint();
  const child = spawn(argv[0], argv.slice(1), { stdio: [stdin, out, err], env: o.env ?? process.env });
  const { code, signal } = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const fd of [out, err, ...(typeof stdin === 'number' ? [stdin] : [])]) closeSync(fd);
  return { seconds, code, signal, stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8'), outFile, errFile };
}

/** Runs argv; throws with its output when it fails. Returns stdout. */
export async function must(argv, o = {}) {
  const r = await run(argv, o);
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: exit ${r.code ?? r.signal}\n${tail(r.stdout + r.stderr)}`);
  return r.stdout;
}

/** The last lines of some output, for error messages. */
export function tail(text, lines = 30) {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? [`… (${all.length - lines} lines before)`] : []).concat(all.slice(-lines)).join('\n');
}
