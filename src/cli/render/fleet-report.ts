import { inHostOrder, nameRuns } from '../../result/host-order.js';
import { groupProblems } from '../../result/problems.js';
import type { HostResult, RunResult } from '../../result/result.js';
import { showLine } from '../../shown.js';
import { formatProbe, formatSteps, formatWarnings, plural } from './recap.js';

/**
 * What a run's end shows of the fleet, at any size: what went wrong, grouped (each distinct
 * problem once, with the hosts it is on and its fix), the warnings likewise, the probes in one
 * line when they all passed; every host's own lines only with `-v`.
 */
export interface FleetReportOptions {
  /** `-v`: every host's commands, probes and warnings */
  verbose?: boolean;
}

/** `-v`: each host's commands (for `up`: applied), every probe and its warnings, under its name, in host order. */
export function verboseHostLines(result: RunResult): string[] {
  return inHostOrder(result.hosts).flatMap((h) => {
    const probes = (h.probes ?? []).map((p) => `  ${formatProbe(p)}`);
    const firewall = h.firewall ? [`  firewall: ${h.firewall.backend} (${showLine(h.firewall.why)})`] : [];
    const lines = [...firewall, ...formatSteps(h), ...probes, ...formatWarnings(h)];
    return lines.length ? [`${h.name}:`, ...lines] : [];
  });
}

/** The warnings of every host, each distinct one once with the hosts it is on and its fix. */
export function warningLines(hosts: readonly HostResult[]): string[] {
  const groups = new Map<string, { message: string; fix?: string; hosts: string[] }>();
  for (const h of hosts) {
    for (const w of h.warnings ?? []) {
      const key = JSON.stringify([w.message, w.fix ?? '']);
      const g = groups.get(key) ?? groups.set(key, { message: w.message, ...(w.fix ? { fix: w.fix } : {}), hosts: [] }).get(key)!;
      g.hosts.push(h.name);
    }
  }
  return [...groups.values()].flatMap((g) => [`warning (${nameRuns(g.hosts)}): ${showLine(g.message)}`, ...(g.fix ? [`  fix: ${showLine(g.fix)}`] : [])]);
}

/** The probes of the fleet in one line: how many passed, on how many hosts (the failed ones are problems). */
export function probeLine(hosts: readonly HostResult[]): string[] {
  const probed = hosts.filter((h) => h.probes?.length);
  if (probed.length === 0) return [];
  const all = probed.flatMap((h) => h.probes!);
  return [`probes: ${all.filter((p) => p.ok).length}/${all.length} passed on ${plural(probed.length, 'host')}`];
}

/**
 * The hosts that failed or were unreachable, grouped by their first problem: `N hosts failed:
 * WHAT`, its fix, the hosts (in runs: vm3–vm9); one host: `vm3 unreachable: WHAT`.
 */
export function problemLines(result: RunResult): string[] {
  const groups = groupProblems(result.hosts);
  if (groups.length === 0) return [];
  const s = result.summary;
  const head = [s.failed ? `${s.failed} failed` : '', s.unreachable ? `${s.unreachable} unreachable` : ''].filter(Boolean).join(', ');
  return [
    `PROBLEMS ******** ${head}`,
    ...groups.flatMap((g) => [
      `${g.hosts.length === 1 ? g.hosts[0] : plural(g.hosts.length, 'host')} ${g.status}: ${showLine(g.problem.what)}`,
      ...(g.problem.fix ? [`  fix: ${showLine(g.problem.fix)}`] : []),
      ...(g.hosts.length > 1 ? [`  ${nameRuns(g.hosts)}`] : []),
    ]),
  ];
}
