import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { UsageError, errorMessage, formatIssue } from '../errors.js';
import { INPUT_KINDS, readInputText } from '../files/read-input-file.js';
import { ansibleHost, ansibleList, hideSecrets } from '../inventory/ansible-list.js';
import { dumpAnsibleJson } from '../inventory/ansible/dump-json.js';
import { inventoryJsonSchema } from '../inventory/json-schema.js';
import { DEFAULT_VAGRANT_GROUP, parseVagrantSshConfig, vagrantInventory, VagrantConfigError } from './from-vagrant.js';
import { resolveInventory, type LoadOptions } from '../inventory/load-inventory.js';
import { showText } from '../shown.js';
import { readAnsibleInventory, type AnsibleInventory } from '../inventory/read-inventory.js';
import { resolveConnection } from '../inventory/resolve-connection.js';
import { parseSource } from '../inventory/source.js';
import type { Connection } from '../inventory/types.js';
import { inventoryHostSshLines } from './inventory-host-ssh.js';
import { addInventoryOptions, inventoryInputs, type InventoryFlags } from './inventory-inputs.js';
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
      reject(
        new VagrantConfigError(
          `vagrant ssh-config failed${typeof err.code === 'number' ? ` (exit ${err.code})` : ''}: ${why}\n(are the machines up? vagrant status)`,
        ),
      );
    });
  });
}

interface FromVagrantFlags {
  group: string;
  output?: string;
  knownHosts?: string;
}

/**
 * The inventories named (positional, then -i; none: ansible.cfg's), read as Ansible reads them,
 * with the vault passwords given; `-v` says which config was read and how each file was read.
 */
async function readInventories(out: Output, positional: string[], flags: InventoryFlags): Promise<AnsibleInventory & { load: LoadOptions }> {
  const { files, load } = await inventoryInputs(positional, flags, (t) => out.note(t));
  const read = readAnsibleInventory(files, load);
  if (flags.verbose) for (const v of read.via) out.note(`read ${v.file} through \`${v.command}\``);
  for (const w of read.warnings) out.note(`warning: ${formatIssue(w)}`);
  return { ...read, load };
}

/** `list` and `host` take inventories as the other commands do, and as ansible-inventory does (-i, repeatable). */
function withInventories(cmd: Command): Command {
  return addInventoryOptions(cmd).option('-v, --verbose', 'say which ansible.cfg was read, and which inventories through ansible-inventory (dynamic ones)');
}

/** How the host would be reached, one field a line; a password is never shown. */
export function connectionLines(c: Connection): string[] {
  const unset = (what: string) => `(not set: ${what})`;
  return [
    `  address:  ${c.address}`,
    `  port:     ${c.port ?? unset("the ssh config's, else 22")}`,
    `  user:     ${c.user ?? unset("the ssh config's, else yours")}`,
    `  key file: ${c.privateKeyFile ?? unset("the ssh config's, ssh-agent's and ssh's defaults")}`,
    `  password: ${c.password !== undefined ? '(hidden)' : '(none)'}`,
    ...(c.become ? [`  become:   ${c.become.user} through sudo, password ${c.become.password !== undefined ? '(hidden)' : '(none)'}`] : []),
  ];
}

/** `inventory`: inventories from elsewhere (`from-vagrant`), and what one holds as Ansible reads it (`list`, `host`). */
export function inventoryCommand(out: Output, deps: InventoryCommandDeps = {}): Command {
  const inventory = new Command('inventory').description('write inventories from other tools; show one as Ansible reads it; its JSON Schema');
  withInventories(
    inventory
      .command('list')
      .description(
        "every group and host's variables, as `ansible-inventory --list` prints them (JSON, keys sorted); passwords show as (hidden); reads YAML, INI, the JSON --list prints, and dynamic inventories (through ansible-inventory)",
      )
      .argument('[inventory...]', 'inventories (several merge in order, as repeated -i)')
      .option('--json', 'JSON (the default and only form, as ansible-inventory --list)'),
  ).action(async (positional: string[], flags: InventoryFlags) => {
    const read = await readInventories(out, positional, flags);
    const list = ansibleList(read.flat);
    for (const [h, vars] of Object.entries(list._meta.hostvars)) list._meta.hostvars[h] = hideSecrets(vars);
    out.line(dumpAnsibleJson(list));
  });
  withInventories(
    inventory
      .command('host')
      .description("one host's variables, as `ansible-inventory --host NAME` prints them (passwords as (hidden)), then the connection they make")
      .argument('<name>', 'the host')
      .argument('[inventory...]', 'inventories (several merge in order, as repeated -i)')
      .option('--ssh', 'instead: what cnet-remote will connect with, as `ssh -G` prints it (the inventory over the ssh config)')
      .option('-F, --ssh-config <file>', 'the ssh client config --ssh reads (default: ~/.ssh/config)'),
  ).action(async (name: string, positional: string[], flags: InventoryFlags & { ssh?: boolean; sshConfig?: string }) => {
    const read = await readInventories(out, positional, flags);
    const vars = ansibleHost(read.flat, name);
    const host = read.flat.hosts.find((h) => h.name === name);
    if (!vars || !host) {
      const names = read.flat.hosts.map((h) => h.name);
      const some = names.slice(0, 10).map(showText).join(', ') + (names.length > 10 ? `, … (${names.length} in all)` : '');
      throw new UsageError(`no host ${showText(name)} in the inventory: its hosts are ${some || '(none)'}`);
    }
    if (flags.ssh) {
      for (const l of inventoryHostSshLines(host, read.load, flags.sshConfig, (t) => out.note(t))) out.line(l);
      return;
    }
    out.line(dumpAnsibleJson(hideSecrets(vars)));
    const { connection, issues } = resolveConnection(host, read.load);
    issues.push(...(host.values?.issues ?? []));
    out.line('');
    out.line('connection:');
    if (connection) for (const l of connectionLines(connection)) out.line(l);
    else for (const i of issues) out.line(`  (none: ${i.message})`);
  });

  inventory
    .command('schema')
    .description('the JSON Schema (draft-07) of a YAML inventory, for editors: save it and name it in a `# yaml-language-server: $schema=FILE` line')
    .action(() => out.line(JSON.stringify(inventoryJsonSchema(), null, 2)));

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
        if (text.trim() === '')
          throw new UsageError(`nothing on stdin: pipe vagrant's output in (${PIPE_HINT}), or run this in the Vagrant project's folder from a terminal`);
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
