import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-code.js';
import { execReport } from '../../src/report/exec-report.js';
import { toJUnit } from '../../src/report/junit.js';
import { summarize, type RunResult } from '../../src/result/result.js';
import { hostsOfShard } from '../../src/result/shard.js';
import { result as execResult } from '../report/exec-fixtures.js';
import { fleetResult } from '../report/fleet-result.js';
import { captureMain, runMain } from './run-main.js';

const dir = mkdtempSync(join(tmpdir(), 'cnet-report-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, name);
const FINGERPRINT = `sha256:${'12'.repeat(32)}`;

/** A run on n hosts as one run prints it, and the files of its `count` shards. */
function shardFiles(tag: string, run: RunResult, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const hosts = hostsOfShard(run.hosts, { index: i + 1, count });
    const f = path(`${tag}-${i + 1}.json`);
    writeFileSync(f, JSON.stringify({ ...run, hosts, summary: summarize(hosts), shard: { index: i + 1, count } }, null, 2));
    return f;
  });
}
function whole(n: number, keep: (h: RunResult['hosts'][number]) => boolean = () => true): RunResult {
  const r = fleetResult(n);
  const hosts = r.hosts.filter(keep).sort((a, b) => (a.name < b.name ? -1 : 1));
  return { ...r, hosts, summary: summarize(hosts), inventory: { fingerprint: FINGERPRINT, hosts: hosts.length } };
}
const merge = (...args: string[]) => captureMain(['report', 'merge', ...args]);

describe('cnet-remote report merge', () => {
  it("prints one run's JSON and exit code: unreachable hosts win (4), failed hosts alone 2, all good 0", async () => {
    const all = whole(60);
    const files = shardFiles('all', all, 4);
    const json = await merge(...files, '--json');
    expect(json.code).toBe(EXIT.unreachable);
    expect(JSON.parse(json.stdout)).toEqual({ ...all, durationMs: 61_000 });
    // vm40 is the unreachable one, vm7/vm12/vm23/vm31 failed
    const failedOnly = shardFiles(
      'failed',
      whole(60, (h) => h.name !== 'vm40'),
      4,
    );
    expect((await merge(...failedOnly)).code).toBe(EXIT.failed);
    const good = shardFiles(
      'good',
      whole(60, (h) => h.status === 'ok' || h.status === 'changed'),
      3,
    );
    const ok = await merge(...good);
    expect(ok.code, ok.stdout).toBe(EXIT.ok);
    expect(ok.stdout.split('\n')).toEqual([
      'probes: 880/880 passed on 55 hosts',
      'RECAP ********',
      '… 55 more hosts ok or changed (-v lists them)',
      '55 hosts: 45 ok, 10 changed, 0 failed, 0 unreachable in 61.00 s',
    ]);
  });

  it('writes the JUnit, HTML and retry file of the whole run', async () => {
    const all = whole(60);
    const files = shardFiles('reports', all, 4);
    const r = await merge(...files, '--junit', path('m.xml'), '--html', path('m.html'), '--retry-file', path('retry'));
    expect(r.code).toBe(EXIT.unreachable);
    const timeless = (xml: string) => xml.replace(/ timestamp="[^"]*"/g, '');
    expect(timeless(readFileSync(path('m.xml'), 'utf8'))).toBe(timeless(toJUnit({ ...all, durationMs: 61_000 })));
    expect(readFileSync(path('retry'), 'utf8')).toBe('vm12\nvm23\nvm31\nvm40\nvm7\n');
    const html = readFileSync(path('m.html'), 'utf8');
    expect(html).toContain('60 hosts');
    expect(html).not.toContain('id="topology"');
    expect(r.stderr).toContain(`retry file: ${path('retry')} (5 hosts; rerun them with --limit @${path('retry')})`);
    expect(r.stderr).toContain(`junit report: ${path('m.xml')}`);
  });

  it('a missing shard: the hosts it holds counted, exit 4 even when the others are good', async () => {
    const good = shardFiles(
      'gap',
      whole(20, (h) => h.status === 'ok'),
      4,
    );
    const r = await merge(good[0]!, good[1]!, good[3]!, '--json');
    expect(r.code).toBe(EXIT.unreachable);
    expect(JSON.parse(r.stdout).missing).toEqual({ shards: [3], of: 4, hosts: 3 });
    expect(r.stderr).toBe('missing: shard 3/4, 3 hosts without a result (exit 4, as for unreachable hosts): run those shards again, or pass their results');
  });

  it('exec shards: their summary, and no JUnit or HTML (exec makes none)', async () => {
    const files = [1, 2].map((index) => {
      const hosts = hostsOfShard(execResult.hosts, { index, count: 2 });
      const run = { ...execResult, hosts, summary: summarize(hosts), inventory: { fingerprint: FINGERPRINT, hosts: 4 }, shard: { index, count: 2 } };
      const f = path(`exec-${index}.json`);
      writeFileSync(f, JSON.stringify(execReport(run, ['uname', '-r'])));
      return f;
    });
    const r = await merge(...files);
    expect(r.code).toBe(EXIT.unreachable);
    expect(r.stderr).toMatch(/^4 hosts: 1 ok \(exit 0\), 2 failed \(exit≠0: vm2=1; no exit code: vm4\), 1 unreachable \(vm3\) in /);
    const refused = await merge(...files, '--junit', path('exec.xml'));
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stderr).toBe('error: exec results make no JUnit or HTML report (as exec itself): leave out --junit and --html');
    expect(existsSync(path('exec.xml'))).toBe(false);
  });

  it('a bad file is refused before anything is written', async () => {
    const files = shardFiles('bad', whole(8), 2);
    writeFileSync(files[1]!, readFileSync(files[1]!, 'utf8').replace('"durationMs": 61000', '"durationMs": "long"'));
    const r = await merge(...files, '--retry-file', path('bad-retry'));
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^error: \S+bad-2\.json:\d+:\d+ durationMs: Invalid input: expected number, received string: not the --json output/);
    expect(existsSync(path('bad-retry'))).toBe(false);
  });
});

describe('--shard on a run', () => {
  const inventory = path('inv.yaml');
  writeFileSync(
    inventory,
    [
      'all:',
      '  hosts:',
      '    a: {ansible_host: 192.0.2.1}',
      '    b: {ansible_host: 192.0.2.2}',
      '  vars:',
      '    cnet:',
      '      bridges: {br0: {subnet: 10.9.0.0/24}}',
      '',
    ].join('\n'),
  );

  it('an empty shard is no error: it says so, connects to nothing, and prints its scope', async () => {
    for (const command of ['up', 'plan', 'verify', 'down']) {
      const r = await runMain(command, inventory, '--shard', '3/3', '--json');
      expect(r.code, command).toBe(EXIT.ok);
      expect(r.notes[0], command).toBe('shard 3/3: no hosts (2 hosts in 3 shards): nothing to do');
      const json = JSON.parse(r.stdout) as RunResult;
      expect(json.hosts).toEqual([]);
      expect(json.shard).toEqual({ index: 3, count: 3 });
      expect(json.inventory).toEqual({ fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), hosts: 2 });
    }
    const exec = await runMain('exec', inventory, '--shard', '3/3', '--json', '--', 'true');
    expect(exec.code).toBe(EXIT.ok);
    expect(JSON.parse(exec.stdout)).toMatchObject({ command: 'exec', results: [], shard: { index: 3, count: 3 }, inventory: { hosts: 2 } });
  });

  it('the fingerprint is of the hosts --limit selects: another limit, another fingerprint', async () => {
    const fingerprint = async (...args: string[]) =>
      (JSON.parse((await runMain('verify', inventory, '--shard', '3/3', '--json', ...args)).stdout) as RunResult).inventory;
    const both = await fingerprint();
    expect(await fingerprint()).toEqual(both);
    const one = await fingerprint('--limit', 'a,b');
    expect(one).toEqual(both);
    const other = await runMain('verify', inventory, '--shard', '2/2', '--limit', 'a', '--json');
    // 1 host in 2 shards: shard 2 is empty
    expect((JSON.parse(other.stdout) as RunResult).inventory).toEqual({ fingerprint: expect.not.stringMatching(both!.fingerprint), hosts: 1 });
  });

  it('a bad --shard is refused before the inventory is read', async () => {
    const r = await runMain('up', path('absent.yaml'), '--shard', '0/4');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(
      /^error: --shard must be K\/N .* got "0\/4" \(shards count from 1: Kubernetes' 0-based JOB_COMPLETION_INDEX is shard \$\(\(JOB_COMPLETION_INDEX \+ 1\)\)\)$/,
    );
  });
});
