import { describe, expect, it } from 'vitest';
import { probeLine, problemLines, verboseHostLines, warningLines } from '../../../src/cli/render/fleet-report.js';
import { plainRenderer } from '../../../src/cli/render/plain.js';
import { recapHosts } from '../../../src/cli/render/recap.js';
import { mismatch } from '../../../src/result/finding.js';
import { type HostResult, summarize } from '../../../src/result/result.js';

const host = (name: string, status: HostResult['status'], o: Partial<HostResult> = {}): HostResult => ({
  name,
  status,
  changes: 0,
  steps: [],
  verified: status === 'ok' || status === 'changed',
  mismatches: [],
  durationMs: 10,
  ...o,
});
const run = (hosts: HostResult[]) => ({ command: 'verify' as const, hosts, summary: summarize(hosts), durationMs: 1000 });
const nat = [mismatch({ kind: 'nat', name: 'br0' }, '', 'MASQUERADE 172.18.0.0/16 ! -o br0', 'absent')];
const probe = (ok: boolean, cause?: string) => ({ kind: 'gateway' as const, from: 'pb', to: 'brd1', target: '172.19.0.1', ok, ...(cause ? { cause } : {}) });

/** 150 hosts: 3 broken differently, and 37 with the same NAT rule missing */
const fleet = (): HostResult[] =>
  Array.from({ length: 150 }, (_, i) => {
    const name = `vm${i + 1}`;
    if (i + 1 >= 100 && i + 1 < 137) return host(name, 'failed', { mismatches: nat });
    if (name === 'vm7') return host(name, 'failed', { probes: [probe(true), probe(false, 'veth bread-pb-veth is down: ip link set bread-pb-veth up')] });
    if (name === 'vm23') return host(name, 'failed', { mismatches: [mismatch({ kind: 'namespace', name: 'pb' }, '', 'present', 'absent')] });
    if (name === 'vm42') return host(name, 'unreachable', { error: 'connect: connection refused (10.9.0.42:22)\nmore' });
    return host(name, i % 10 === 0 ? 'changed' : 'ok', { probes: [probe(true), probe(true)] });
  });

describe('problemLines', () => {
  it('each distinct problem once, largest group first, with its fix and its hosts in runs; one host by name', () => {
    expect(problemLines(run(fleet()))).toEqual([
      'PROBLEMS ******** 39 failed, 1 unreachable',
      '37 hosts failed: bridges.br0.nat: desired MASQUERADE 172.18.0.0/16 ! -o br0, actual absent',
      '  fix: `cnet-remote up` repairs it',
      '  vm100–vm136',
      'vm7 failed: probe pb -> brd1 (172.19.0.1) failed: veth bread-pb-veth is down: ip link set bread-pb-veth up',
      'vm23 failed: namespaces.pb: desired present, actual absent',
      '  fix: `cnet-remote up` repairs it',
      'vm42 unreachable: connect: connection refused (10.9.0.42:22)',
    ]);
  });

  it('nothing when nothing went wrong; host text shown with its control characters escaped', () => {
    expect(problemLines(run([host('a', 'ok'), host('b', 'changed')]))).toEqual([]);
    expect(problemLines(run([host('a', 'unreachable', { error: 'x\u001b]0;pwned\u0007y' })]))[1]).toBe('a unreachable: x\\u001b]0;pwned\\u0007y');
  });
});

describe('warningLines, probeLine', () => {
  it('a warning on many hosts is one line with the hosts and its fix', () => {
    const w = { message: 'the FORWARD policy is DROP', fix: 'iptables -P FORWARD ACCEPT' };
    const hosts = [host('vm2', 'ok', { warnings: [w] }), host('vm1', 'ok', { warnings: [w] }), host('vm3', 'ok', { warnings: [w, { message: 'other' }] })];
    expect(warningLines(hosts)).toEqual(['warning (vm1–vm3): the FORWARD policy is DROP', '  fix: iptables -P FORWARD ACCEPT', 'warning (vm3): other']);
  });

  it('the probes of the fleet in one line', () => {
    expect(probeLine(fleet())).toEqual(['probes: 221/222 passed on 111 hosts']);
    expect(probeLine([host('a', 'ok')])).toEqual([]);
  });
});

describe('the recap past 20 hosts', () => {
  it('lists the hosts that went wrong and counts the healthy ones; all of them when asked', () => {
    const lines = (recapHosts(run(fleet()), false, false) as string).split('\n');
    expect(lines[0]).toBe('RECAP ********');
    expect(lines).toHaveLength(1 + 40 + 1);
    expect(lines[1]).toMatch(/^vm7 +: ok=0 changed=0 unreachable=0 failed=1$/);
    expect(lines.at(-1)).toBe('… 110 more hosts ok or changed (-v lists them)');
    expect((recapHosts(run(fleet()), false, true) as string).split('\n')).toHaveLength(151);
  });
});

describe('verboseHostLines', () => {
  it('every host with something to show, in host order', () => {
    const lines = verboseHostLines(
      run([host('vm10', 'changed', { steps: ['ip netns add a'] }), host('vm9', 'ok', { probes: [probe(true)] }), host('vm1', 'ok')]),
    );
    expect(lines).toEqual(['vm9:', '  probe gateway pb -> brd1 (172.19.0.1): ok', 'vm10:', '  + ip netns add a']);
  });
});

describe('plainRenderer -q', () => {
  it('shows only the hosts that failed or were unreachable', () => {
    const out: string[] = [];
    const sink = plainRenderer((l) => out.push(l), { quiet: true });
    sink({ kind: 'run-start', command: 'up', hosts: ['a', 'b'], forks: 2 });
    sink({ kind: 'host-phase', host: 'a', phase: 'gather' });
    sink({ kind: 'host-done', result: host('a', 'ok') });
    sink({ kind: 'host-done', result: host('b', 'unreachable', { error: 'timed out' }) });
    expect(out).toEqual(['[b] UNREACHABLE: timed out']);
  });
});
