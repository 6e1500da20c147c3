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

/** Writes the files a run was asked for; returns one line per file written, for the user. */
/** Writes the reports asked for; their renderers load only then (start-up time). */
export async function writeReports(
  result: RunResult,
  hosts: ResolvedHost[],
  facts: Map<string, HostFacts>,
  flags: ReportFlags,
  started: Date,
): Promise<string[]> {
  const lines: string[] = [];
  if (flags.retryFile) {
    const bad = result.hosts.filter((h) => h.status === 'failed' || h.status === 'unreachable').map((h) => h.name);
    if (bad.length) {
      writeFileSync(flags.retryFile, `${bad.join('\n')}\n`);
      lines.push(`retry file: ${flags.retryFile} (${bad.length} hosts; rerun them with --limit @${flags.retryFile})`);
    } else rmSync(flags.retryFile, { force: true });
  }
  if (flags.junit) {
    const { toJUnit } = await import('../report/junit.js');
    writeFileSync(flags.junit, toJUnit(result, { timestamp: started }));
    lines.push(`junit report: ${flags.junit}`);
  }
  if (flags.html) {
    const [{ graphModel }, { foldHosts }, { renderGraph }, { toHtml }] = await Promise.all([
      import('../graph/model.js'),
      import('../graph/fold-hosts.js'),
      import('../graph/render-graph.js'),
      import('../report/html.js'),
    ]);
    // `down` leaves nothing to draw: the picture is of what the inventory wants; hosts alike drawn once
    const svg = renderGraph(foldHosts(graphModel(graphInputs(hosts, result, result.command === 'down' ? new Map() : facts))), 'svg');
    writeFileSync(flags.html, toHtml(result, { svg, generatedAt: started.toISOString() }));
    lines.push(`html report: ${flags.html}`);
  }
  return lines;
}
