import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteArgv } from '../../src/shell/quote.js';
import type { PlannedProbe } from '../../src/verify/probe-plan.js';
import { parseProbeOutput, probeScript } from '../../src/verify/probe-script.js';
import { seedNetwork } from './helpers.js';
import { probePlan } from '../../src/verify/probe-plan.js';

const host = (target: string): PlannedProbe => ({ kind: 'host', from: 'host', to: 'x', target });
const inNs = (netns: string, target: string): PlannedProbe => ({ kind: 'peer', netns, from: netns, to: 'x', target });

describe('probeScript (text)', () => {
  const probes = probePlan(seedNetwork('seed-part2.yaml'));
  const script = probeScript(probes);
  const rows = script.split('\n');

  it('is empty without probes', () => {
    expect(probeScript([])).toBe('');
  });

  it('makes a temporary directory (nothing runs without one), runs one background job per probe, waits, then prints each output as a section', () => {
    expect(rows[0]).toBe(`d=$(mktemp -d) && [ -n "$d" ] && [ -d "$d" ] || { printf '@@probes-end\\n'; d=; }`);
    expect(rows[1]).toBe('if [ -n "$d" ]; then');
    const jobs = rows.filter((l) => l.endsWith(' &'));
    expect(jobs).toHaveLength(probes.length);
    for (const [i, j] of jobs.entries()) expect(j).toContain(`> "$d/${i}" 2>&1 &`);
    const wait = rows.indexOf('wait');
    expect(wait).toBe(probes.length + 2);
    expect(rows.filter((l) => l === 'wait')).toHaveLength(1);
    const prints = rows.slice(wait + 1, wait + 1 + probes.length);
    for (const [i, l] of prints.entries()) expect(l).toBe(`printf '%s\\n' '@@probe ${i}'; while IFS= read -r l; do printf '%s\\n' "$l"; done < "$d/${i}"`);
    expect(rows.slice(wait + 1 + probes.length)).toEqual(['rm -rf "$d"', `printf '%s\\n' '@@probes-end'`, 'fi', '']);
  });

  it('pings each target once, and once more if that is lost; on failure prints the neighbour table of the namespace', () => {
    const ping = quoteArgv(['ip', 'netns', 'exec', 'container1', 'ping', '-n', '-q', '-c', '1', '-W', '1', '172.18.0.3']);
    expect(rows[2]).toBe(`( if ${ping} || ${ping}; then echo @ok; else echo @fail; ip -n container1 -j neigh show; fi ) > "$d/0" 2>&1 &`);
  });

  it('a probe from the host runs in the root namespace: no ip netns exec, the root neighbour table', () => {
    const hostJob = rows[2 + probes.findIndex((p) => p.kind === 'host')]!;
    expect(hostJob).toMatch(
      /^\( if ping -n -q -c 1 -W 1 172\.18\.0\.2 \|\| ping -n -q -c 1 -W 1 172\.18\.0\.2; then echo @ok; else echo @fail; ip -j neigh show; fi \)/,
    );
    expect(hostJob).not.toContain('netns');
  });

  it('quotes namespace names and targets (quoteArgv), so nothing in them is shell syntax', () => {
    const s = probeScript([inNs("we ird;$(x)'", '1.2.3.4 && reboot')]);
    const ping = quoteArgv(['ip', 'netns', 'exec', "we ird;$(x)'", 'ping', '-n', '-q', '-c', '1', '-W', '1', '1.2.3.4 && reboot']);
    expect(ping).toContain(`'we ird;$(x)'\\'''`);
    expect(ping).toContain(`'1.2.3.4 && reboot'`);
    expect(s).toContain(`if ${ping} || ${ping}; then`);
    expect(s).toContain(quoteArgv(['ip', '-n', "we ird;$(x)'", '-j', 'neigh', 'show']));
  });
});

describe('parseProbeOutput (hand-written output)', () => {
  const RTT =
    'PING 172.18.0.3 (172.18.0.3) 56(84) bytes of data.\n\n--- 172.18.0.3 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.051/0.062/0.070/0.000 ms\n@ok\n';

  it('an answered probe is ok with the average round-trip time', () => {
    expect(parseProbeOutput(`@@probe 0\n${RTT}@@probes-end\n`, 1)).toEqual([{ ok: true, latencyMs: 0.062, neighbours: new Map() }]);
  });

  it('ok without statistics has no latency', () => {
    expect(parseProbeOutput('@@probe 0\n@ok\n@@probes-end\n', 1)).toEqual([{ ok: true, neighbours: new Map() }]);
  });

  it('a failed probe reads the neighbour table after @fail', () => {
    const out = [
      '@@probe 0',
      'PING 172.18.0.3 (172.18.0.3) 56(84) bytes of data.',
      '',
      '--- 172.18.0.3 ping statistics ---',
      '1 packets transmitted, 0 received, 100% packet loss, time 0ms',
      '@fail',
      '[{"dst":"172.18.0.3","dev":"ceth1","state":["FAILED"]},{"dst":"172.18.0.1","dev":"ceth1","lladdr":"36:40:a5:e4:7c:dd","state":["REACHABLE"]},{"dst":"172.18.0.9","dev":"ceth1"}]',
      '@@probes-end',
      '',
    ].join('\n');
    const [o] = parseProbeOutput(out, 1);
    expect(o!.ok).toBe(false);
    expect(o!.latencyMs).toBeUndefined();
    expect([...o!.neighbours]).toEqual([
      ['172.18.0.3', 'FAILED'],
      ['172.18.0.1', 'REACHABLE'],
      ['172.18.0.9', ''],
    ]);
  });

  it('an unreadable neighbour table leaves the neighbours empty (no throw)', () => {
    const [o] = parseProbeOutput('@@probe 0\n@fail\n[{"dst":"172.18.0.3",\n@@probes-end\n', 1);
    expect(o).toEqual({ ok: false, neighbours: new Map() });
  });

  it('missing sections are failed probes: a dropped connection, or empty output', () => {
    const out = `@@probe 0\n${RTT}@@probe 2\n@fail\n[]\n`;
    const got = parseProbeOutput(out, 4);
    expect(got.map((o) => o.ok)).toEqual([true, false, false, false]);
    for (const o of got.slice(1)) expect(o).toEqual({ ok: false, neighbours: new Map() });
    expect(parseProbeOutput('', 2)).toEqual([
      { ok: false, neighbours: new Map() },
      { ok: false, neighbours: new Map() },
    ]);
    expect(parseProbeOutput('', 0)).toEqual([]);
  });

  it('reads its sections among the facts sections printed in the same round trip', () => {
    const out = `@@root\n[]\n@@end\n@@probe 0\n@fail\n[]\n@@probe 1\n${RTT}@@probes-end\n`;
    expect(parseProbeOutput(out, 2).map((o) => [o.ok, o.latencyMs])).toEqual([
      [false, undefined],
      [true, 0.062],
    ]);
  });

  it('"@ok" only counts as a whole line', () => {
    expect(parseProbeOutput('@@probe 0\nping: @ok?\n@fail\n', 1)[0]!.ok).toBe(false);
  });
});

const isRoot = process.getuid?.() === 0;

/** Runs the probe script for real under `sh`; only ever pings 127.0.0.1. */
describe.skipIf(!isRoot)('probeScript run under sh', () => {
  /** fresh and empty: only lo, down, so nothing is reachable, 127.0.0.1 included */
  const EMPTY = `cnet-test-probe-${process.pid}`;
  /** the same, plus a veth pair with static neighbour entries (no traffic is ever sent to them) */
  const NEIGH = `cnet-test-probe-${process.pid}-n`;
  const ip = (...args: string[]) => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  };

  beforeAll(() => {
    ip('netns', 'add', EMPTY);
    ip('netns', 'add', NEIGH);
    ip('-n', NEIGH, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ip('-n', NEIGH, 'link', 'set', 'dev', 'v0', 'up');
    ip('-n', NEIGH, 'neigh', 'add', '127.0.0.9', 'dev', 'v0', 'nud', 'failed');
    ip('-n', NEIGH, 'neigh', 'add', '127.0.0.8', 'lladdr', '02:00:00:00:00:08', 'dev', 'v0', 'nud', 'stale');
  });
  afterAll(() => {
    for (const ns of [EMPTY, NEIGH]) spawnSync('ip', ['netns', 'del', ns]);
  });

  it('an answered probe is ok with a latency; probes in an empty namespace fail, with its neighbours', () => {
    const probes = [host('127.0.0.1'), inNs(EMPTY, '127.0.0.1'), inNs(NEIGH, '127.0.0.1')];
    const run = spawnSync('sh', [], { input: probeScript(probes), encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/@@probes-end\n$/);
    const [ok, empty, neigh] = parseProbeOutput(run.stdout, probes.length);

    expect(ok!.ok).toBe(true);
    expect(typeof ok!.latencyMs).toBe('number');
    expect(ok!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(ok!.neighbours.size).toBe(0);

    expect(empty).toEqual({ ok: false, neighbours: new Map() });

    expect(neigh!.ok).toBe(false);
    expect(neigh!.latencyMs).toBeUndefined();
    expect(Object.fromEntries(neigh!.neighbours)).toEqual({ '127.0.0.9': 'FAILED', '127.0.0.8': 'STALE' });
  });

  it('leaves no temporary directory behind', () => {
    const run = spawnSync('sh', [], { input: `${probeScript([host('127.0.0.1')])}printf 'dir=%s\\n' "$d"\n`, encoding: 'utf8' });
    const dir = /dir=(.*)/.exec(run.stdout)?.[1];
    expect(dir).toBeTruthy();
    expect(spawnSync('test', ['-e', dir!]).status).not.toBe(0);
  });

  it('without a temporary folder of its own (mktemp fails) runs no probe and writes nowhere: the probes fail, reported as such', () => {
    const bin = mkdtempSync(join(tmpdir(), 'cnet-no-mktemp-'));
    writeFileSync(join(bin, 'mktemp'), '#!/bin/sh\necho "mktemp: failed" >&2\nexit 1\n', { mode: 0o755 });
    const probes = [host('127.0.0.1'), host('127.0.0.2')];
    // it would have written "$d/0" and "$d/1": /0 and /1
    const stray = ['/0', '/1'].filter((f) => existsSync(f));
    try {
      const run = spawnSync('sh', [], { input: probeScript(probes), encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
      expect(run.stdout).toBe('@@probes-end\n');
      expect(['/0', '/1'].filter((f) => existsSync(f))).toEqual(stray);
      expect(parseProbeOutput(run.stdout, probes.length).map((p) => p.ok)).toEqual([false, false]);
    } finally {
      for (const f of ['/0', '/1']) if (!stray.includes(f)) rmSync(f, { force: true });
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
