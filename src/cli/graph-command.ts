import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import type { HostFacts } from '../facts/types.js';
import { foldHosts } from '../graph/fold-hosts.js';
import { graphModel } from '../graph/model.js';
import { GRAPH_FORMATS, renderGraph, type GraphFormat } from '../graph/render-graph.js';
import { DEFAULT_FORKS, runHosts } from '../run/run-hosts.js';
import type { Output } from './output.js';
import { chooseRenderer } from './render/choose.js';
import { addInventoryOptions, type InventoryFlags } from './inventory-inputs.js';
import { prepareRun } from './prepare-run.js';
import { hostKeysAdded, positiveInt } from './run-command.js';
import { graphInputs } from './write-reports.js';

interface GraphFlags extends InventoryFlags {
  format: GraphFormat;
  live?: boolean;
  limit?: string;
  output?: string;
  forks: string;
  sshConfig?: string;
}

/** `graph`: the topology as Mermaid, DOT or SVG, hosts alike drawn once; `--live` reads the hosts and marks drift. */
export function graphCommand(out: Output): Command {
  return addInventoryOptions(new Command('graph'))
    .description("draw the topology: hosts, bridges, veth pairs, namespaces, addresses, NAT, a fabric's routes or tunnels between hosts")
    .argument('[inventory...]', "Ansible inventories: YAML, INI, JSON, dynamic (several merge in order; none: ansible.cfg's)")
    .addOption(new Option('--format <format>', 'output format').choices([...GRAPH_FORMATS]).default('mermaid'))
    .option('--live', 'read each host over SSH and draw what is there, marking drift and what is missing')
    .option('-l, --limit <pattern>', "only these hosts (Ansible's patterns)")
    .option('-f, --forks <n>', 'hosts read in parallel (--live)', String(DEFAULT_FORKS))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('-F, --ssh-config <file>', 'the ssh client config to read, with --live (default: ~/.ssh/config)')
    .action(async (files: string[], flags: GraphFlags) => {
      const { hosts, connector } = await prepareRun(files, flags, (t) => out.note(t));
      const facts = new Map<string, HostFacts>();
      const result = flags.live
        ? await (async () => {
            const renderer = await chooseRenderer({ json: false, stream: out.progress, write: out.note });
            const r = await runHosts('verify', hosts, {
              forks: positiveInt('--forks', flags.forks),
              connector,
              sink: renderer.sink,
              onFacts: (h, f) => facts.set(h, f),
            });
            await renderer.done();
            for (const added of hostKeysAdded(connector.addedHostKeys())) out.note(added);
            return r;
          })()
        : undefined;
      // hosts of one topology (and one live state) drawn once: a fleet at a glance (fold-hosts.ts)
      const text = renderGraph(foldHosts(graphModel(graphInputs(hosts, result, facts))), flags.format);
      // a file gets the text as it is; the terminal gets it through Output (a live host's names may hold control characters)
      if (flags.output) writeFileSync(flags.output, text);
      else out.line(text.replace(/\n$/, ''));
    });
}
