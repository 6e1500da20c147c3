import { rmSync, writeFileSync } from 'node:fs';
import type { HostFacts } from '../facts/types.js';
import type { GraphHostInput } from '../graph/model.js';
import type { ResolvedHost } from '../inventory/types.js';
import type { RunResult } from '../result/result.js';

export interface ReportFlags {
  retryFile?: string;
  junit?: string;
  html?: string;
}

/** The hosts as the picture shows them: desired, and where the run read a host, how it compares. */
export function graphInputs(hosts: ResolvedHost[], result: RunResult | undefined, facts: Map<string, HostFacts>): GraphHostInput[] {
  return hosts.map((h) => {
    const f = facts.get(h.name);
    const r = result?.hosts.find((x) => x.name === h.name);
    return { name: h.name, address: h.connection.address, network: h.network, ...(f ? { live: { facts: f, mismatches: r?.mismatches ?? [] } } : {}) };
  });
}

/** The HTML page's picture: hosts alike drawn once; `down` leaves nothing to draw, so it is of what the inventory wants. */
async function topologySvg(result: RunResult, hosts: ResolvedHost[], facts: Map<string, HostFacts>): Promise<string> {
  const [{ graphModel }, { foldHosts }, { renderGraph }] = await Promise.all([
    import('../graph/model.js'),
    import('../graph/fold-hosts.js'),
    import('../graph/render-graph.js'),
  ]);
  return renderGraph(foldHosts(graphModel(graphInputs(hosts, result, result.command === 'down' ? new Map() : facts))), 'svg');
}

/** Ansible's retry file: the hosts to run again, one a line (none: the file is removed); the line for the user. */
export function writeRetryFile(file: string, hosts: readonly string[]): string | undefined {
  if (hosts.length === 0) {
    rmSync(file, { force: true });
    return undefined;
  }
  writeFileSync(file, `${hosts.join('\n')}\n`);
  return `retry file: ${file} (${hosts.length} hosts; rerun them with --limit @${file})`;
}

/**
 * Writes the reports asked for and returns one line per file written, for the user; their
 * renderers load only then (start-up time). `topology`: the hosts as the inventory wants them and
 * as the run read them, for the HTML page's picture (none for a merge of shards' results).
 */
export async function writeReports(
  result: RunResult,
  flags: ReportFlags,
  started: Date,
  topology?: { hosts: ResolvedHost[]; facts: Map<string, HostFacts> },
): Promise<string[]> {
  const lines: string[] = [];
  if (flags.retryFile) {
    const written = writeRetryFile(
      flags.retryFile,
      result.hosts.filter((h) => h.status === 'failed' || h.status === 'unreachable').map((h) => h.name),
    );
    if (written) lines.push(written);
  }
  if (flags.junit) {
    const { toJUnit } = await import('../report/junit.js');
    writeFileSync(flags.junit, toJUnit(result, { timestamp: started }));
    lines.push(`junit report: ${flags.junit}`);
  }
  if (flags.html) {
    const { toHtml } = await import('../report/html.js');
    const svg = topology ? await topologySvg(result, topology.hosts, topology.facts) : undefined;
    writeFileSync(flags.html, toHtml(result, { ...(svg ? { svg } : {}), generatedAt: started.toISOString() }));
    lines.push(`html report: ${flags.html}`);
  }
  return lines;
}
