import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteArgv } from '../../src/shell/quote.js';
import type { PlannedProbe } from '../../src/verify/probe-plan.js';
import { probeScript } from '../../src/remote/probe.js';
import { parseProbeOutput } from '../../src/verify/probe-output.js';
import { seedNetwork } from '../verify/helpers.js';
import { probePlan } from '../../src/verify/probe-plan.js';

const host = (target: string): PlannedProbe => ({ kind: 'host', from: 'host', to: 'x', target });
const inNs = (netns: string, target: string): PlannedProbe => ({ kind: 'peer', netns, from: netns, to: 'x', target });

/** the lines of a table (a shell function) of a program */
const table = (text: string, name: string) => {
  const all = text.split('\n');
  const from = all.indexOf(`${name}() {`);
  return all.slice(from + 1, all.indexOf('}', from)).map((l) => l.trim());
};

describe('probeScript (text)', () => {
  const probes = probePlan(seedNetwork('seed-part2.yaml'));
  const script = probeScript(probes);

  it('is empty without probes', () => {
    expect(probeScript([])).toBe('');
  });

  it('lists each probe in its table, in order: its number, namespace (empty: the host) and target; COUNT of them', () => {
    expect(table(script, 'probes')).toEqual(probes.map((p, i) => `probe ${i} ${p.netns ?? "''"} ${p.target}`));
    expect(table(script, 'probes')[0]).toBe('probe 0 container1 172.18.0.3');
    expect(script.startsWith(`COUNT=${probes.length}\n`)).toBe(true);
  });

  it('quotes namespace names and targets (quoteArgv), so nothing in them is shell syntax', () => {
    const s = probeScript([inNs("we ird;$(x)'", '1.2.3.4 && reboot')]);
    expect(table(s, 'probes')).toEqual([quoteArgv(['probe', '0', "we ird;$(x)'", '1.2.3.4 && reboot'])]);
    expect(table(s, 'probes')[0]).toBe(`probe 0 'we ird;$(x)'\\''' '1.2.3.4 && reboot'`);
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
