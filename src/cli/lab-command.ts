import { Command, Option } from 'commander';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSource } from '../inventory/source.js';
import { LabError } from '../errors.js';
import { IMAGE_NAMES } from '../lab/lab-images.js';
import { LAB_REACH, LAB_ROOT, type LabReach } from '../lab/lab-plan.js';
import { checkLabPrerequisites } from '../lab/prerequisites.js';
import { processId } from '../lab/process-id.js';
import type { Output } from './output.js';

const SEEDS = ['seed-part2.yaml', 'seed-pb-jelly.yaml'];
/** the lab's code loads only for `lab` commands (start-up time of the others) */
const loadLab = () => import('../lab/lab.js');
const loadStart = () => import('../lab/lab-start.js');
const loadStatus = () => import('../lab/lab-status.js');
export const INVENTORIES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'inventories');
/** the checkout (or installed package) this code runs from: where `npx cnet-remote` finds it */
const PACKAGE_DIR = dirname(INVENTORIES_DIR);

/** Whether an executable `name` is in one of PATH's folders, as the shell would find it. */
export function onPath(name: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || '.', name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The closing hint of `lab up`: the next command, and how to run cnet-remote when it is not on PATH. */
export function nextHint(inventory: string, cliOnPath: boolean, packageDir = PACKAGE_DIR): string[] {
  if (cliOnPath) return [`next: cnet-remote up ${inventory}`];
  return [`next: npx cnet-remote up ${inventory}`, `  (in ${packageDir}: cnet-remote is not on PATH; \`npm link\` there puts it on PATH)`];
}

/** Merges `all.vars.cnet` of topology inventories (the two seeds by default) into one `cnet` value. */
function topologyOf(files: string[]): Record<string, unknown> | undefined {
  const out: Record<string, Record<string, unknown>> = {};
  for (const file of files) {
    const data = loadSource(file).data as { all?: { vars?: { cnet?: Record<string, Record<string, unknown>> } } };
    for (const [kind, objs] of Object.entries(data.all?.vars?.cnet ?? {})) out[kind] = { ...(out[kind] ?? {}), ...objs };
  }
  return Object.keys(out).length ? out : undefined;
}

export function labCommand(out: Output): Command {
  const lab = new Command('lab').description('a lab of simulated VMs on this machine (namespaces with their own sshd); needs root');
  const nameOpt = (c: Command) => c.option('--name <name>', 'lab name: prefix of everything it creates (1-8 letters/digits)', 'cnetlab');
  nameOpt(lab.command('up'))
    .description('create the lab and write its inventory (replaces a lab of the same name)')
    .option('--hosts <n>', 'number of simulated VMs', '3')
    .option('--net <n>', 'use 10.<n>.0.0/16 and fd63:6e65:74<n in hex>::/48 for the lab (default: the first free one from one derived from the name)')
    .addOption(
      new Option('--topology <files...>', 'inventories whose all.vars.cnet the lab inventory gets').default(
        SEEDS.map((s) => join(INVENTORIES_DIR, s)),
        `the two seeds: ${SEEDS.map((s) => `inventories/${s}`).join(', ')}`,
      ),
    )
    .option('--bare', 'hosts and connection vars only, no cnet network')
    .option('--behind <n>', 'also N VMs on a private segment reachable only through vm1 (a bastion)', '0')
    .option('--behind2 <n>', 'also N VMs reachable only through vm1 and then priv1 (two hops)', '0')
    .option('--owner <pid>', 'the lab belongs to process PID: once it has ended, the next lab start removes the lab')
    .addOption(
      new Option(
        '--reach <family>',
        'how the inventory reaches the VMs: their IPv4 addresses, or their IPv6 ones (ansible_host and the bastions; every lab has both where the machine has IPv6)',
      )
        .choices(LAB_REACH)
        .default('ipv4'),
    )
    .option(
      '--image <name>',
      `the VMs run a Debian userland of their own (${IMAGE_NAMES.join(', ')}; built once per machine, about a minute) instead of this machine's programs`,
    )
    .action(
      async (o: {
        name: string;
        hosts: string;
        net?: string;
        topology: string[];
        bare?: boolean;
        behind: string;
        behind2: string;
        owner?: string;
        image?: string;
        reach: LabReach;
      }) => {
        checkLabPrerequisites();
        const owner = o.owner === undefined ? undefined : processId(Number(o.owner));
        if (o.owner !== undefined && !owner) throw new LabError(`--owner ${o.owner}: no such process`);
        const started = Date.now();
        const info = await (await loadStart()).startLab({
          name: o.name,
          hosts: Number(o.hosts),
          shape: { behind: Number(o.behind), behind2: Number(o.behind2) },
          ...(o.net === undefined ? {} : { net: Number(o.net) }),
          ...(o.bare ? {} : { topology: topologyOf(o.topology) }),
          ...(owner ? { owner } : {}),
          ...(o.image === undefined ? {} : { image: o.image }),
          reach: o.reach,
          note: (t) => out.note(t),
        });
        const { plan } = info;
        const v6 = plan.ipv6 ? ` and ${plan.network6}` : '';
        out.line(
          `lab "${plan.name}": ${plan.vms.length} VMs (${plan.hosts} on 10.${plan.net}.0.0/17${v6})${plan.image ? ` running ${plan.image.name}` : ''}${plan.reach === 'ipv6' ? ', reached over IPv6' : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s; upstream ("internet") ${plan.internetAddress}${plan.ipv6 ? ` and ${plan.internetAddress6}` : ''}`,
        );
        for (const n of info.notes) out.note(`note: ${n}`);
        out.line(`inventory: ${info.inventory}`);
        for (const l of nextHint(info.inventory, onPath('cnet-remote'))) out.line(l);
      },
    );
  nameOpt(lab.command('down'))
    .description('remove everything the lab created (also after a crash)')
    .action(async (o: { name: string }) => {
      const n = await (await loadLab()).labDown(o.name, join(LAB_ROOT, o.name));
      out.line(`lab "${o.name}": removed ${n} namespaces`);
    });
  nameOpt(lab.command('status'))
    .description('what of the lab exists, and whether root and the lab users can log in to each VM (exit 1 when not)')
    .action(async (o: { name: string }) => {
      const s = await (await loadStatus()).labStatus(o.name, join(LAB_ROOT, o.name));
      if (!s.namespaces && !s.expected && s.problems.length) throw new LabError(s.problems.join('; '));
      const failed = s.logins.filter((l) => l.problem);
      const logins = s.expected ? `; logins ${failed.length ? 'FAILED on' : 'ok on'} ${failed.length || s.logins.length} of ${s.expected} VMs` : '';
      out.line(
        `lab "${s.name}": ${s.vms} VMs${s.net ? ` on 10.${s.net}.0.0/16${s.network6 ? ` and ${s.network6}` : ''}` : ''}${s.image ? ` running ${s.image}` : ''}${s.reach === 'ipv6' ? ', reached over IPv6' : ''}, ${s.sshdRunning} sshd running, ${s.namespaces} namespaces${logins}${s.inventory ? `; inventory: ${s.inventory}` : ''}`,
      );
      if (s.internet) out.line(`  upstream ("internet"): ${s.internet.join(' and ')}`);
      for (const p of s.problems) out.line(`  ${p}`);
      for (const l of failed) out.line(`  ${l.vm} (${l.address}): ${l.problem}`);
      if (s.problems.length || failed.length)
        throw new LabError(
          `lab "${s.name}" is not usable${failed.length ? `: ${failed.length} of ${s.expected} VMs failed the login check` : `: ${s.problems[0]}`}`,
        );
    });
  nameOpt(lab.command('inventory'))
    .description('print the path of the lab inventory')
    .action((o: { name: string }) => out.line(join(LAB_ROOT, o.name, 'inventory.yaml')));
  return lab;
}
