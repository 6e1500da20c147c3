import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { execReport, type ExecReport } from '../../src/report/exec-report.js';
import { mergeResults, missingNote } from '../../src/report/merge-results.js';
import type { ResultFile } from '../../src/report/result-file.js';
import { summarize, type RunResult } from '../../src/result/result.js';
import { hostsOfShard } from '../../src/result/shard.js';
import { hosts as execHosts, result as execResult } from './exec-fixtures.js';
import { fleetResult } from './fleet-result.js';

const FINGERPRINT = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;

/** One run on all hosts as a run prints it (hosts by name, as runOperation sorts them). */
function whole(n: number): RunResult {
  const r = fleetResult(n);
  const hosts = [...r.hosts].sort((a, b) => (a.name < b.name ? -1 : 1));
  return { ...r, hosts, inventory: { fingerprint: FINGERPRINT, hosts: n } };
}

/** That run as `count` shards would have printed it: each its slice, its own duration. */
function shards(run: RunResult, count: number): ResultFile[] {
  return Array.from({ length: count }, (_, i) => {
    const hosts = hostsOfShard(run.hosts, { index: i + 1, count });
    const result: RunResult = { ...run, hosts, summary: summarize(hosts), durationMs: 1000 * (i + 1), shard: { index: i + 1, count } };
    return { file: `up-${i + 1}.json`, kind: 'run', result };
  });
}

const refusal = (files: ResultFile[]): string => {
  try {
    mergeResults(files);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('merged');
};

describe('report merge: shards of one run', () => {
  it.each([
    [60, 4],
    [1000, 7],
    [5, 8],
  ])('%i hosts in %i shards merge to the one run, in any order of the files', (n, count) => {
    const run = whole(n);
    const files = shards(run, count);
    const merged = mergeResults([...files].reverse());
    expect(merged.kind).toBe('run');
    // the one run, but for its duration: the longest shard's (they ran at once)
    expect(merged.result).toEqual({ ...run, durationMs: 1000 * count });
    expect(merged.result.missing).toBeUndefined();
  });

  it('an unsharded result merges to itself (shard 1/1)', () => {
    const run = whole(10);
    expect(mergeResults([{ file: 'all.json', kind: 'run', result: run }]).result).toEqual(run);
  });

  it('names the shards missing, with their hosts, and exits as for unreachable hosts', () => {
    const files = shards(whole(10), 4);
    const merged = mergeResults([files[0]!, files[3]!]);
    // 10 hosts in 4: 3, 3, 2, 2
    expect(merged.result.missing).toEqual({ shards: [2, 3], of: 4, hosts: 5 });
    expect(merged.result.hosts).toHaveLength(5);
    expect(missingNote(merged.result.missing!)).toBe(
      'missing: shards 2/4, 3/4, 5 hosts without a result (exit 4, as for unreachable hosts): run those shards again, or pass their results',
    );
  });

  it('refuses results of another command, inventory, split; a shard twice; overlapping or partial shards', () => {
    const files = shards(whole(12), 3);
    const [a, b, c] = files as [ResultFile, ResultFile, ResultFile];
    const as = (f: ResultFile, change: Partial<RunResult>, file = f.file): ResultFile => ({
      file,
      kind: 'run',
      result: { ...(f.result as RunResult), ...change },
    });
    expect(refusal([a, as(b, { command: 'verify' })])).toBe('up-2.json is a result of `verify`, up-1.json of `up`: merge the shards of one command');
    expect(refusal([a, as(b, { inventory: { fingerprint: OTHER, hosts: 12 } })])).toMatch(
      /^up-2\.json was run on other hosts or networks than up-1\.json \(inventory sha256:cdcdcdcdcdcd… of 12 hosts vs sha256:abababababab… of 12\)/,
    );
    expect(refusal([a, as(b, { shard: { index: 2, count: 4 } })])).toBe('up-2.json is shard 2/4, up-1.json shard 1/3: merge shards of one --shard K/N split');
    expect(refusal([a, b, as(b, {}, 'copy.json')])).toBe("up-2.json and copy.json are both shard 2/3: give each shard's result once");
    expect(refusal([a, as(c, { hosts: [...c.result.hosts.slice(1)] as RunResult['hosts'] })])).toBe(
      "up-3.json holds 3 hosts; shard 3/3 of 12 hosts has 4: not a whole shard's result",
    );
    const stolen = [...(c.result as RunResult).hosts.slice(1), (a.result as RunResult).hosts[0]!];
    expect(refusal([a, as(c, { hosts: stolen })])).toBe('host vm1 is in up-1.json and in up-3.json: the shards overlap');
    const { inventory: _, ...old } = a.result as RunResult;
    expect(refusal([{ file: 'old.json', kind: 'run', result: old }])).toBe(
      'old.json names no inventory fingerprint (a result of cnet-remote before --shard): rerun it with this version',
    );
    const merged = mergeResults([a, b]).result;
    expect(refusal([{ file: 'merged.json', kind: 'run', result: merged }, c])).toBe("merged.json is a merged result already: merge the shards' own results");
    expect(refusal([])).toMatch(/give the --json result files/);
  });

  it('a host name is shown neutralized in a refusal', () => {
    const [a, b] = shards(whole(2), 2).map((f) => f.result as RunResult) as [RunResult, RunResult];
    const named = (r: RunResult): RunResult => ({ ...r, hosts: [{ ...r.hosts[0]!, name: 'x\u001b[2Jy' }] });
    const message = refusal([
      { file: 'a.json', kind: 'run', result: named(a) },
      { file: 'b.json', kind: 'run', result: named(b) },
    ]);
    expect(message).not.toContain('\u001b');
    expect(message).toContain('x\\u001b[2Jy');
  });
});

describe('report merge: exec', () => {
  const run: RunResult = { ...execResult, inventory: { fingerprint: FINGERPRINT, hosts: 4 } };
  const report = (r: RunResult, argv = ['uname', '-r']): ExecReport => execReport(r, argv);
  const shardFile = (index: number, count: number, argv?: string[]): ResultFile => {
    const hosts = hostsOfShard(execHosts, { index, count });
    return { file: `exec-${index}.json`, kind: 'exec', result: report({ ...run, hosts, summary: summarize(hosts), shard: { index, count } }, argv) };
  };

  it("merges the rows in a run's order and adds the summaries", () => {
    const merged = mergeResults([shardFile(2, 2), shardFile(1, 2)]);
    expect(merged).toEqual({ kind: 'exec', result: report(run) });
  });

  it('refuses shards that ran another command line', () => {
    expect(refusal([shardFile(1, 2), shardFile(2, 2, ['uptime'])])).toBe('exec-2.json ran another command than exec-1.json (uptime vs uname -r)');
  });
});
