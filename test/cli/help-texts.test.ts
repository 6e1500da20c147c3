import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { mainStdout } from './main-stdout.js';

/**
 * Every command's --help, walked through the commander tree, against rules read off the texts
 * as they are: one lower-case clause each (no period, no second sentence), a default said one
 * way, an option's value named the same everywhere.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { description: string; version: string };
const program = buildProgram({} as never, () => {});

interface Text {
  where: string;
  text: string;
}

function commands(c: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  return [{ path, cmd: c }, ...c.commands.flatMap((s) => commands(s, [...path, s.name()]))];
}
const ALL = commands(program);
const name = (path: string[]) => ['cnet-remote', ...path].join(' ');

/** descriptions of the commands (but the program's own, a title), their arguments and options */
const TEXTS: Text[] = ALL.flatMap(({ path, cmd }) => [
  ...(path.length ? [{ where: name(path), text: cmd.description() }] : []),
  ...cmd.registeredArguments.map((a) => ({ where: `${name(path)} <${a.name()}>`, text: a.description })),
  ...cmd
    .createHelp()
    .visibleOptions(cmd)
    .map((o) => ({ where: `${name(path)} ${o.flags}`, text: o.description })),
]);

/** words a description may start with in capitals: proper names; acronyms (SSH, JSON) are allowed too */
const PROPER = new Set(['Ansible']);

/** Each rule: what a text must not do, the slip's name when it does. */
const RULES: { rule: string; broken: (text: string) => boolean }[] = [
  { rule: 'empty', broken: (t) => t.trim() === '' },
  {
    rule: 'starts upper-case',
    broken: (t) => {
      const first = /^[A-Za-z][\w-]*/.exec(t)?.[0] ?? '';
      return /^[A-Z]/.test(first) && !/^[A-Z0-9]+$/.test(first) && !PROPER.has(first);
    },
  },
  { rule: 'ends with a period', broken: (t) => /\.\s*$/.test(t) && !/…\s*$/.test(t) },
  { rule: 'a second sentence (". X"): join with ; or :', broken: (t) => /[a-z)]\. [A-Z]/.test(t) },
  { rule: 'a word twice ("the the")', broken: (t) => /\b(\w+)\s+\1\b/i.test(t) },
  { rule: 'a default without its colon: "(default: X)"', broken: (t) => /(\(|;\s)default\s/.test(t) },
  { rule: 'spaces doubled or at an end', broken: (t) => /\S {2}\S|^\s|\s$/.test(t) },
];

function slips(): string[] {
  return TEXTS.flatMap(({ where, text }) => RULES.filter((r) => r.broken(text)).map((r) => `${where}: ${r.rule}`));
}

describe('--help texts', () => {
  it(`walks every command: ${ALL.length} of them, ${TEXTS.length} texts`, () => {
    expect(ALL.length).toBe(21);
    expect(TEXTS.length).toBeGreaterThan(180);
  });

  it('every description follows the rules', () => {
    expect(slips()).toEqual([]);
  });

  it('the rules catch what they are for', () => {
    const caught = (text: string) => RULES.filter((r) => r.broken(text)).map((r) => r.rule);
    expect(caught('Write the report')).toEqual(['starts upper-case']);
    expect(caught('write the report.')).toEqual(['ends with a period']);
    expect(caught('write it. Reads YAML')).toEqual(['a second sentence (". X"): join with ; or :']);
    expect(caught('write the the report')).toEqual(['a word twice ("the the")']);
    expect(caught('the config (default ~/.ssh/config)')).toEqual(['a default without its colon: "(default: X)"']);
    expect(caught('SSH connect timeout (default: 10)')).toEqual([]);
    expect(caught('Ansible inventories, as ansible-playbook -i')).toEqual([]);
  });

  it('an option given a default (which commander shows) does not say another in its text', () => {
    const both = ALL.flatMap(({ path, cmd }) =>
      cmd.options.filter((o) => o.defaultValue !== undefined && /\(default:|; default:/.test(o.description)).map((o) => `${name(path)} ${o.flags}`),
    );
    expect(both).toEqual([]);
  });

  it('a default commander shows is the same on every machine (no path of this checkout)', () => {
    const shown = ALL.flatMap(({ path, cmd }) =>
      cmd.options
        .filter((o) => o.defaultValue !== undefined && (o.defaultValueDescription ?? JSON.stringify(o.defaultValue)).includes(ROOT))
        .map((o) => `${name(path)} ${o.flags}`),
    );
    expect(shown).toEqual([]);
  });

  it("an option's value has one name everywhere (--forks <n>, --ssh-config <file>)", () => {
    const names = new Map<string, Set<string>>();
    for (const { cmd } of ALL)
      for (const o of cmd.options) if (o.long) names.set(o.long, (names.get(o.long) ?? new Set()).add(o.flags.replace(/^.*?--[\w-]+/, '').trim()));
    expect([...names].filter(([, v]) => v.size > 1).map(([k, v]) => `${k}: ${[...v].join(' | ')}`)).toEqual([]);
  });

  it("the program's description and version are package.json's", () => {
    expect(program.description()).toBe(pkg.description);
    expect(program.version()).toBe(pkg.version);
  });

  it.each(ALL.map((c) => ({ cmd: name(c.path), path: c.path })))('$cmd --help prints its usage and exits 0', async ({ cmd, path }) => {
    const { code, stdout } = await mainStdout([...path, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: ${cmd} `);
  });
});
