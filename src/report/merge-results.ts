import { UsageError } from '../errors.js';
import { summarize, type RunResult, type RunScope } from '../result/result.js';
import { shardSize, type Shard } from '../result/shard.js';
import { showLine } from '../shown.js';
import type { ExecReport, ExecRow } from './exec-report.js';
import type { ResultFile } from './result-file.js';

/** The one result of several shards' runs: as one run on all their hosts would have printed it. */
export type Merged = { kind: 'run'; result: RunResult } | { kind: 'exec'; result: ExecReport };

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const shardText = (s: Shard): string => `${s.index}/${s.count}`;
const shardOfFile = (f: ResultFile): Shard => f.result.shard ?? { index: 1, count: 1 };
const hostNames = (f: ResultFile): string[] => (f.kind === 'run' ? f.result.hosts.map((h) => h.name) : [...new Set(f.result.results.map((r) => r.host))]);

/** Results of one run's shards only: one command (and for exec one argv), one inventory, one shard count, each shard once. */
function checkTogether(files: ResultFile[]): void {
  const [first, ...rest] = files;
  if (!first) throw new UsageError('report merge: give the --json result files of the shards to merge');
  const name = (f: ResultFile) => showLine(f.file);
  for (const f of files) {
    if (!f.result.inventory) {
      throw new UsageError(`${name(f)} names no inventory fingerprint (a result of cnet-remote before --shard): rerun it with this version`);
    }
    if (f.result.missing) throw new UsageError(`${name(f)} is a merged result already: merge the shards' own results`);
  }
  for (const f of rest) {
    if (f.result.command !== first.result.command) {
      throw new UsageError(`${name(f)} is a result of \`${f.result.command}\`, ${name(first)} of \`${first.result.command}\`: merge the shards of one command`);
    }
    if (f.kind === 'exec' && first.kind === 'exec' && JSON.stringify(f.result.argv) !== JSON.stringify(first.result.argv)) {
      throw new UsageError(
        `${name(f)} ran another command than ${name(first)} (${showLine(f.result.argv.join(' '))} vs ${showLine(first.result.argv.join(' '))})`,
      );
    }
    const [a, b] = [f.result.inventory!, first.result.inventory!];
    if (a.fingerprint !== b.fingerprint || a.hosts !== b.hosts) {
      throw new UsageError(
        `${name(f)} was run on other hosts or networks than ${name(first)} (inventory ${a.fingerprint.slice(0, 19)}… of ${a.hosts} hosts vs ` +
          `${b.fingerprint.slice(0, 19)}… of ${b.hosts}): merge the shards of one run, with the same inventory and --limit`,
      );
    }
    if (shardOfFile(f).count !== shardOfFile(first).count) {
      throw new UsageError(
        `${name(f)} is shard ${shardText(shardOfFile(f))}, ${name(first)} shard ${shardText(shardOfFile(first))}: merge shards of one --shard K/N split`,
      );
    }
  }
  const seen = new Map<number, ResultFile>();
  const owner = new Map<string, ResultFile>();
  for (const f of files) {
    const s = shardOfFile(f);
    const twin = seen.get(s.index);
    if (twin) throw new UsageError(`${name(twin)} and ${name(f)} are both shard ${shardText(s)}: give each shard's result once`);
    seen.set(s.index, f);
    const names = hostNames(f);
    const want = shardSize(f.result.inventory!.hosts, s);
    if (names.length !== want) {
      throw new UsageError(
        `${name(f)} holds ${names.length} hosts; shard ${shardText(s)} of ${f.result.inventory!.hosts} hosts has ${want}: not a whole shard's result`,
      );
    }
    for (const h of names) {
      const other = owner.get(h);
      if (other) throw new UsageError(`host ${showLine(h)} is in ${name(other)} and in ${name(f)}: the shards overlap`);
      owner.set(h, f);
    }
  }
}

/** The shards none of the files is, and how many hosts they hold. */
function missingShards(files: ResultFile[]): RunScope['missing'] {
  const { count } = shardOfFile(files[0]!);
  const total = files[0]!.result.inventory!.hosts;
  const present = new Set(files.map((f) => shardOfFile(f).index));
  const shards = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !present.has(k));
  return shards.length ? { shards, of: count, hosts: shards.reduce((n, index) => n + shardSize(total, { index, count }), 0) } : undefined;
}

/**
 * Several shards' results as one: the hosts in the order one run prints them, the summary
 * counted anew, the run as long as its longest shard (they ran at once). Results of different
 * commands, inventories or splits are refused; shards absent are named in `missing`.
 */
export function mergeResults(files: ResultFile[]): Merged {
  checkTogether(files);
  const missing = missingShards(files);
  const scope: RunScope = { inventory: files[0]!.result.inventory!, ...(missing ? { missing } : {}) };
  const durationMs = Math.max(...files.map((f) => f.result.durationMs));
  const first = files[0]!;
  if (first.kind === 'exec') {
    const rows: ExecRow[] = files.flatMap((f) => (f.kind === 'exec' ? f.result.results : []));
    // a stable sort: each host's rows stay in their order
    rows.sort((a, b) => byName(a.host, b.host));
    const summary = { hosts: 0, ok: 0, failed: 0, unreachable: 0 };
    for (const f of files) {
      if (f.kind !== 'exec') continue;
      for (const k of ['hosts', 'ok', 'failed', 'unreachable'] as const) summary[k] += f.result.summary[k];
    }
    return { kind: 'exec', result: { command: 'exec', argv: first.result.argv, results: rows, summary, durationMs, ...scope } };
  }
  const hosts = files.flatMap((f) => (f.kind === 'run' ? f.result.hosts : [])).sort((a, b) => byName(a.name, b.name));
  return { kind: 'run', result: { command: first.result.command, hosts, summary: summarize(hosts), durationMs, ...scope } };
}

/** What a merge lacking shards says: which, how many hosts, what to do. */
export function missingNote(missing: NonNullable<RunScope['missing']>): string {
  const which = missing.shards.map((k) => `${k}/${missing.of}`).join(', ');
  return (
    `missing: shard${missing.shards.length > 1 ? 's' : ''} ${which}, ${missing.hosts} host${missing.hosts === 1 ? '' : 's'} without a result ` +
    '(exit 4, as for unreachable hosts): run those shards again, or pass their results'
  );
}
