import { buildProgram } from '../../src/cli/main.js';

/** A YAML mapping as the examples' tests walk it. */
export type Obj = Record<string, unknown>;

export const obj = (v: unknown): Obj => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`not a mapping: ${JSON.stringify(v)}`);
  return v as Obj;
};

export const list = (v: unknown): unknown[] => {
  if (!Array.isArray(v)) throw new Error(`not a list: ${JSON.stringify(v)}`);
  return v;
};

/** The subcommand a `cnet-remote …` command line runs (e.g. `report merge`), and its `--options` cnet-remote does not have. */
export function cliUse(line: string): { command: string; unknown: string[] } {
  const words = line.slice(line.indexOf('cnet-remote ') + 'cnet-remote '.length).split(/\s+/);
  let cmd = buildProgram({} as never, () => {});
  const path: string[] = [];
  for (const w of words) {
    const sub = cmd.commands.find((c) => c.name() === w);
    if (!sub) break;
    cmd = sub;
    path.push(w);
  }
  const options = words.filter((w) => w.startsWith('--'));
  return { command: path.join(' '), unknown: options.filter((o) => !cmd.options.some((known) => known.long === o)) };
}
