import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allNodes, completionTree, type CompletionNode } from '../../src/cli/completion.js';
import { buildProgram } from '../../src/cli/main.js';
import { captureMain } from './run-main.js';

/**
 * The completion scripts loaded in the real shells, asked for the candidates of a line as the
 * shell asks when TAB is pressed: bash runs the completion function with COMP_WORDS/COMP_CWORD,
 * fish answers `complete -C LINE`, zsh completes on a pseudo-terminal (zsh-complete.zsh).
 */

const HERE = import.meta.dirname;
/** a folder with inventories and other files, where file names are completed */
const CWD = mkdtempSync(join(tmpdir(), 'cnet-completion-'));
writeFileSync(join(CWD, 'inv.yaml'), 'all: {}\n');
writeFileSync(join(CWD, 'inv2.yml'), 'all: {}\n');
writeFileSync(join(CWD, 'other.txt'), '');
mkdirSync(join(CWD, 'sub'));

const SCRIPTS = mkdtempSync(join(tmpdir(), 'cnet-completion-scripts-'));
const scripts: Record<string, string> = {};
beforeAll(async () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await captureMain(['completion', shell]);
    expect(r.code).toBe(0);
    scripts[shell] = join(SCRIPTS, `cnet-remote.${shell}`);
    writeFileSync(scripts[shell]!, `${r.stdout}\n`);
  }
});

const BASH_DRIVER = `source "$1"; shift
complete -p cnet-remote
for line in "$@"; do
  read -ra COMP_WORDS <<<"$line"
  [[ $line == *' ' ]] && COMP_WORDS+=('')
  COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)) COMP_LINE=$line COMP_POINT=\${#line}
  COMPREPLY=()
  _cnet_remote cnet-remote "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
  echo "\${COMPREPLY[*]}"
done`;

/** each line's candidates, from one interactive bash (no rc files) */
function bash(lines: string[]): string[][] {
  const out = execFileSync('bash', ['--norc', '--noprofile', '-i', '-c', BASH_DRIVER, 'bash', scripts.bash!, ...lines], {
    cwd: CWD,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).split('\n');
  expect(out[0]).toBe('complete -F _cnet_remote cnet-remote');
  return lines.map((_, i) => (out[i + 1] ? out[i + 1]!.split(' ') : []));
}

function fish(line: string): string[] {
  const out = execFileSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', scripts.fish!, line], { cwd: CWD, encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0]!);
}

function zsh(line: string): string[] {
  const out = execFileSync('zsh', ['-f', join(HERE, 'zsh-complete.zsh'), scripts.zsh!, line], { cwd: CWD, encoding: 'utf8', timeout: 60_000 });
  return out.split('\n').filter(Boolean);
}

const sorted = (words: string[]) => [...new Set(words.map((w) => w.replace(/\/$/, '')))].sort();

const CASES: { line: string; want: string[] }[] = [
  { line: 'cnet-remote ve', want: ['verify'] },
  { line: 'cnet-remote up --ti', want: ['--timeout'] },
  { line: 'cnet-remote inventory ', want: ['from-vagrant', 'host', 'list', 'schema'] },
  { line: 'cnet-remote inventory list --v', want: ['--vault-id', '--vault-password-file', '--verbose'] },
  // inventories are files: positional, -i, and an option's <file>
  { line: 'cnet-remote up in', want: ['inv.yaml', 'inv2.yml'] },
  { line: 'cnet-remote plan -i ', want: ['inv.yaml', 'inv2.yml', 'other.txt', 'sub'] },
  { line: 'cnet-remote verify inv.yaml --junit o', want: ['other.txt'] },
  { line: 'cnet-remote inventory host node1 ', want: ['inv.yaml', 'inv2.yml', 'other.txt', 'sub'] },
  { line: 'cnet-remote up --timeout 5 i', want: ['inv.yaml', 'inv2.yml'] },
  // choices
  { line: 'cnet-remote graph --format ', want: ['dot', 'mermaid', 'svg'] },
  { line: 'cnet-remote completion ', want: ['bash', 'fish', 'zsh'] },
  { line: 'cnet-remote lab up --n', want: ['--name', '--net'] },
  // a value that is neither a file nor a choice gets nothing
  { line: 'cnet-remote up --forks ', want: [] },
];

/** every command's subcommands (PATH then a space) and options (PATH -), from the program tree */
function treeCases(): { line: string; want: string[] }[] {
  const tree = completionTree(buildProgram({} as never, () => {}));
  const line = (n: CompletionNode, rest: string) => ['cnet-remote', ...n.path, rest].join(' ');
  return allNodes(tree).flatMap((n) => [
    { line: line(n, '-'), want: n.options.flatMap((o) => o.names) },
    ...(n.subcommands.length ? [{ line: line(n, ''), want: n.subcommands.map((s) => s.path.at(-1)!) }] : []),
  ]);
}

describe('completion scripts in the real shells', () => {
  it('cover every command of the program tree (21 commands)', () => {
    expect(allNodes(completionTree(buildProgram({} as never, () => {}))).length).toBe(21);
  });

  it("bash: each case, and every command's subcommands and options", () => {
    const all = [...CASES, ...treeCases()];
    const got = bash(all.map((c) => c.line));
    expect(all.map((c, i) => ({ line: c.line, got: sorted(got[i]!) }))).toEqual(all.map((c) => ({ line: c.line, got: sorted(c.want) })));
  });

  it("bash: nothing after -- (exec's remote command), values after --opt=", () => {
    expect(bash(['cnet-remote exec inv.yaml -- l', 'cnet-remote graph --format = d'])).toEqual([[], ['dot']]);
  });

  it("fish: each case, and every command's subcommands and options", () => {
    const all = [...CASES, ...treeCases()];
    expect(all.map((c) => ({ line: c.line, got: sorted(fish(c.line)) }))).toEqual(all.map((c) => ({ line: c.line, got: sorted(c.want) })));
    expect(fish('cnet-remote exec inv.yaml -- l')).toEqual([]);
    expect(fish('cnet-remote graph --format=d')).toEqual(['--format=dot']);
  });

  it("zsh: each case, and every command's subcommands and options", { timeout: 120_000 }, () => {
    const all = [...CASES, ...treeCases()];
    expect(all.map((c) => ({ line: c.line, got: sorted(zsh(c.line)) }))).toEqual(all.map((c) => ({ line: c.line, got: sorted(c.want) })));
    expect(zsh('cnet-remote graph --format=d')).toEqual(['dot']);
  });
});
