import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { UsageError, errorMessage } from '../errors.js';
import { INPUT_KINDS, readInputText } from '../files/read-input-file.js';
import { DEFAULT_VAGRANT_GROUP, parseVagrantSshConfig, vagrantInventory, VagrantConfigError } from '../inventory/from-vagrant.js';
import { resolveInventory } from '../inventory/load-inventory.js';
import { parseSource } from '../inventory/source.js';
import type { Output } from './output.js';

const PIPE_HINT = 'vagrant ssh-config | cnet-remote inventory from-vagrant';

/** What `from-vagrant` reads from; injectable so tests need neither a terminal nor Vagrant. */
export interface InventoryCommandDeps {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** runs `vagrant ssh-config` in the current folder and gives its stdout */
  runVagrantSshConfig?: () => Promise<string>;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** `vagrant ssh-config` in the current folder (Vagrant finds the project from there, upwards). */
export function runVagrantSshConfig(opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('vagrant', ['ssh-config'], { ...opts, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new UsageError(`cannot run vagrant: it is not installed here (not on PATH). Run it where it is, and pipe its output in: ${PIPE_HINT}`));
      }
      const why = (stderr || stdout || errorMessage(err)).trim();
      reject(new VagrantConfigError(`vagrant ssh-config failed${typeof err.code === 'number' ? ` (exit ${err.code})` : ''}: ${why}\n(are the machines up? vagrant status)`));
    });
  });
}

interface FromVagrantFlags {
  group: string;
  output?: string;
  knownHosts?: string;
}

/** `inventory`: inventories from elsewhere; `from-vagrant` turns `vagrant ssh-config` into one. */
export function inventoryCommand(out: Output, deps: InventoryCommandDeps = {}): Command {
  const inventory = new Command('inventory').description('write inventories from other tools');
  inventory
    .command('from-vagrant')
    .description(`an inventory of the running Vagrant machines, from \`vagrant ssh-config\`: piped in (${PIPE_HINT}), or run here when stdin is a terminal`)
    .argument('[input]', "a file holding vagrant ssh-config's output, or - for stdin")
    .option('-g, --group <name>', 'the group the machines go in', DEFAULT_VAGRANT_GROUP)
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--known-hosts <file>', "known_hosts file for the VMs' keys (default: cnet_known_hosts in the project's .vagrant folder)")
    .action(async (input: string | undefined, flags: FromVagrantFlags) => {
      const stdin = deps.stdin ?? process.stdin;
      let text: string;
      let from: string;
      if (input === '-' || (input === undefined && !stdin.isTTY)) {
        text = await readStream(stdin);
        from = 'stdin';
        if (text.trim() === '') throw new UsageError(`nothing on stdin: pipe vagrant's output in (${PIPE_HINT}), or run this in the Vagrant project's folder from a terminal`);
      } else if (input !== undefined) {
        text = readInputText(input, INPUT_KINDS.vagrantSshConfig);
        from = input;
      } else {
        text = await (deps.runVagrantSshConfig ?? (() => runVagrantSshConfig()))();
        from = 'vagrant ssh-config';
      }
      const machines = parseVagrantSshConfig(text);
      const yaml = vagrantInventory(machines, { group: flags.group, ...(flags.knownHosts !== undefined ? { knownHostsFile: flags.knownHosts } : {}) });
      // what we write must load: checked here, with the loader's own rules
      resolveInventory([parseSource(flags.output ?? 'from-vagrant.yaml', yaml)]);
      if (flags.output) {
        writeFileSync(flags.output, yaml);
        out.note(`wrote ${flags.output}: ${machines.length} host${machines.length > 1 ? 's' : ''} (${machines.map((m) => m.name).join(', ')}) from ${from}`);
      } else {
        out.stdout.write(yaml);
      }
    });
  return inventory;
}
