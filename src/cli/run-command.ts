import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { applyLimit } from '../inventory/limit.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { exitCodeOf, type RunResult } from '../report/result.js';
import type { Command as CoreCommand } from '../run/host-ops.js';
import { DEFAULT_FORKS, runHosts } from '../run/run-hosts.js';
import { SshConnector } from '../transport/ssh.js';
import { chooseRenderer } from './render/choose.js';
import { formatRecap, formatSteps } from './render/recap.js';
import type { Output } from './output.js';

interface RunFlags {
  limit?: string;
  forks: string;
  json?: boolean;
  timeout: string;
  verbose?: boolean;
}

const DESCRIPTIONS: Record<CoreCommand, string> = {
  up: 'converge every host to the inventory, then read the state back and verify it',
  plan: 'read-only: print, per host, the commands `up` would run',
  verify: 'read-only: compare each host with the inventory; every mismatch as path, desired, actual',
  down: 'remove what `up` created on each host (from the host\'s own record), and nothing else',
};

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

function render(out: Output, result: RunResult, flags: RunFlags): void {
  if (flags.json) {
    out.line(JSON.stringify(result, null, 2));
    return;
  }
  for (const h of result.hosts) {
    // errors and mismatches were shown by the progress renderer as each host finished
    const detail = [...(result.command === 'plan' || flags.verbose ? formatSteps(h) : []), ...(h.warnings ?? []).map((w) => `  warning: ${w}`)];
    if (result.command === 'plan') out.line(`# ${h.name}: ${h.steps.length ? `${h.steps.length} commands` : 'nothing to do'}`);
    else if (detail.length) out.line(`${h.name}:`);
    for (const d of detail) out.line(result.command === 'plan' ? d.replace(/^\s*\+ /, '') : d);
  }
  // `plan` prints a script on stdout: its recap goes with the progress
  const recapTo = result.command === 'plan' ? out.progress : out.stdout;
  (result.command === 'plan' ? out.note : out.line)(formatRecap(result, Boolean(recapTo.isTTY) && process.env.NO_COLOR === undefined));
}

export function runCommand(name: CoreCommand, out: Output, setExit: (code: number) => void): Command {
  return new Command(name)
    .description(DESCRIPTIONS[name])
    .argument('<inventory...>', 'Ansible YAML inventories (several merge in order, as repeated -i)')
    .option('-l, --limit <pattern>', 'only these hosts or groups (comma or colon separated)')
    .option('-f, --forks <n>', 'hosts worked on in parallel', String(DEFAULT_FORKS))
    .option('--json', 'print one JSON object: {hosts:[…], summary:{…}}')
    .addOption(new Option('--timeout <seconds>', 'SSH connect timeout').default('15'))
    .option('-v, --verbose', 'also list the commands applied')
    .action(async (files: string[], flags: RunFlags) => {
      const forks = positiveInt('--forks', flags.forks);
      const timeout = positiveInt('--timeout', flags.timeout);
      const inventory = loadInventory(files);
      const hosts = applyLimit(inventory, flags.limit);
      const renderer = chooseRenderer({ json: Boolean(flags.json), stream: out.progress, write: out.note });
      const result = await runHosts(name, hosts, { forks, connector: new SshConnector(), sink: renderer.sink, connectTimeoutMs: timeout * 1000 });
      await renderer.done();
      render(out, result, flags);
      setExit(exitCodeOf(result));
    });
}
