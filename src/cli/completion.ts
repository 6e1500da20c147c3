import { Argument, Command, type Option } from 'commander';
import { bashCompletion } from './completion-bash.js';
import { fishCompletion } from './completion-fish.js';
import { zshCompletion } from './completion-zsh.js';
import type { Output } from './output.js';

/** What a value (of an option or a positional argument) completes to: files, these words, or nothing. */
export type ValueKind = 'file' | 'none' | readonly string[];

export interface CompletionOption {
  /** `-i`, `--inventory` */
  names: string[];
  description: string;
  /** undefined: a flag that takes no value */
  value?: ValueKind;
  repeatable: boolean;
}

export interface CompletionArgument {
  name: string;
  value: ValueKind;
  variadic: boolean;
}

/** One command of the program tree, as the completion scripts need it. */
export interface CompletionNode {
  /** the subcommand names from the program down to this command; [] for the program */
  path: string[];
  description: string;
  options: CompletionOption[];
  args: CompletionArgument[];
  subcommands: CompletionNode[];
}

/** Values that name files: inventories (also `-i`'s source), inputs, and `<file>`/`<files...>` options. */
const FILE_VALUE = /^(inventory|input|source|files?)$/;

/** an option's value name: `<file>` of `-o, --output <file>` */
function valueName(flags: string): string | undefined {
  return /[<[]([\w-]+)(\.\.\.)?[>\]]/.exec(flags)?.[1];
}

function valueKind(name: string | undefined, choices: readonly string[] | undefined): ValueKind {
  if (choices?.length) return choices;
  return name !== undefined && FILE_VALUE.test(name) ? 'file' : 'none';
}

function optionOf(o: Option): CompletionOption {
  const takesValue = o.required || o.optional;
  return {
    names: [o.short, o.long].filter((n): n is string => n !== undefined),
    description: o.description,
    ...(takesValue ? { value: valueKind(valueName(o.flags), o.argChoices) } : {}),
    repeatable: /\brepeatable\b/.test(o.description),
  };
}

/** The completion tree of `cmd`: its visible options and subcommands (as --help lists them), its arguments. */
export function completionTree(cmd: Command, path: string[] = []): CompletionNode {
  const help = cmd.createHelp();
  return {
    path,
    description: cmd.description(),
    options: help.visibleOptions(cmd).map(optionOf),
    args: cmd.registeredArguments.map((a) => ({ name: a.name(), value: valueKind(a.name(), a.argChoices), variadic: a.variadic })),
    subcommands: help
      .visibleCommands(cmd)
      .filter((c) => c.name() !== 'help')
      .map((c) => completionTree(c, [...path, c.name()])),
  };
}

/** Every node of the tree, the program first, each before its subcommands. */
export function allNodes(node: CompletionNode): CompletionNode[] {
  return [node, ...node.subcommands.flatMap(allNodes)];
}

export const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

/** `completion bash|zsh|fish`: the script, generated from the program tree it is part of. */
export function completionCommand(out: Output): Command {
  return new Command('completion')
    .description('print a shell completion script (commands, options, inventory files), to load in your shell')
    .addArgument(new Argument('<shell>', 'the shell the script is for').choices(Object.keys(SHELLS)))
    .addHelpText(
      'after',
      `
Load it in the shell, or install it:
  bash:  source <(cnet-remote completion bash)    (in ~/.bashrc)
  zsh:   cnet-remote completion zsh > "\${fpath[1]}/_cnet-remote"    (then: compinit)
  fish:  cnet-remote completion fish > ~/.config/fish/completions/cnet-remote.fish`,
    )
    .action((shell: keyof typeof SHELLS, _opts: unknown, cmd: Command) => {
      let root = cmd;
      while (root.parent) root = root.parent;
      out.line(SHELLS[shell](completionTree(root), root.name()).trimEnd());
    });
}
