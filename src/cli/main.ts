import { Command, CommanderError } from 'commander';
import { CnetError, InventoryError, errorMessage } from '../errors.js';
import { completionCommand } from './completion.js';
import { EXIT, exitCodesHelp } from './exit-code.js';
import { execCommand } from './exec-command.js';
import { graphCommand } from './graph-command.js';
import { inventoryCommand } from './inventory-command.js';
import { labCommand } from './lab-command.js';
import { processOutput, type Output } from './output.js';
import { reportCommand } from './report-command.js';
import { runCommand } from './run-command.js';

/**
 * The program tree: every command, its options and arguments (the help, the completion scripts and
 * their tests walk it); `setCode` receives a run's exit code.
 */
export function buildProgram(out: Output, setCode: (code: number) => void, argv: string[] = []): Command {
  const program = new Command('cnet-remote')
    .description('Build container networks (namespaces, veth, bridge, NAT) on fleets of Linux VMs over SSH, verified')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout.write(s), writeErr: (s) => out.error(s.trimEnd()) })
    .addHelpText('after', `\n${exitCodesHelp()}`);
  for (const name of ['up', 'plan', 'verify', 'down', 'confirm'] as const) program.addCommand(runCommand(name, out, setCode));
  program.addCommand(execCommand(out, setCode, argv));
  program.addCommand(graphCommand(out));
  program.addCommand(reportCommand(out, setCode));
  program.addCommand(inventoryCommand(out));
  program.addCommand(labCommand(out));
  program.addCommand(completionCommand(out));
  const inherit = (c: Command): void => {
    for (const sub of c.commands) inherit(sub.copyInheritedSettings(c));
  };
  inherit(program);
  return program;
}

/** The CLI: maps flags to a core call and renders; the only place errors are caught. */
export async function main(argv: string[], out: Output = processOutput()): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(out, (c) => (code = c), argv);
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof InventoryError) {
      out.error(`inventory error${err.issues.length > 1 ? `s (${err.issues.length})` : ''}; nothing was touched:`);
      out.error(err.message);
      return EXIT.usage;
    }
    if (err instanceof CnetError) {
      out.error(`error: ${errorMessage(err)}`);
      return EXIT.usage;
    }
    throw err;
  }
}
