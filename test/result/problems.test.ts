import { describe, expect, it } from 'vitest';
import { mismatch } from '../../src/result/finding.js';
import { findingsCount, firstProblem, groupProblems, REPAIR } from '../../src/result/problems.js';
import type { HostResult } from '../../src/result/result.js';

const host = (name: string, o: Partial<HostResult> = {}): HostResult => ({
  name,
  status: 'failed',
  changes: 0,
  steps: [],
  verified: false,
  mismatches: [],
  durationMs: 1,
  ...o,
});
const nat = [mismatch({ kind: 'nat', name: 'br0' }, '', 'MASQUERADE 172.18.0.0/16 ! -o br0', 'absent')];
const gone = [mismatch({ kind: 'namespace', name: 'pb' }, '', 'present', 'absent')];

describe('firstProblem', () => {
  it('none for a host that went well', () => {
    expect(firstProblem(host('a', { status: 'ok' }))).toBeUndefined();
    expect(firstProblem(host('a', { status: 'changed', mismatches: nat }))).toBeUndefined();
  });

  it("an error's first line first, else the first mismatch with the repair, else the first failed probe's cause", () => {
    expect(firstProblem(host('a', { status: 'unreachable', error: '\nconnection refused\nmore' }))).toEqual({ what: 'connection refused' });
    // where it went is left out (the host is named beside it): hosts alike group
    expect(firstProblem(host('a', { status: 'unreachable', error: 'root@10.0.0.7:2222: connection timed out (ConnectTimeout 10 s)' }))).toEqual({
      what: 'connection timed out (ConnectTimeout 10 s)',
    });
    expect(firstProblem(host('a', { error: 'root@10.0.0.7: step failed' }))?.what).toBe('root@10.0.0.7: step failed');
    expect(firstProblem(host('a', { mismatches: [...nat, ...gone] }))).toEqual({
      what: 'bridges.br0.nat: desired MASQUERADE 172.18.0.0/16 ! -o br0, actual absent',
      fix: REPAIR,
    });
    const probes = [
      { kind: 'peer' as const, from: 'pb', to: 'jelly', target: '172.19.0.3', ok: true },
      { kind: 'gateway' as const, from: 'pb', to: 'brd1', target: '172.19.0.1', ok: false, cause: 'veth bread-pb-veth is down: ip link set bread-pb-veth up' },
    ];
    expect(firstProblem(host('a', { probes }))).toEqual({
      what: 'probe pb -> brd1 (172.19.0.1) failed: veth bread-pb-veth is down: ip link set bread-pb-veth up',
    });
  });
});

describe('groupProblems', () => {
  it('groups failed and unreachable hosts by their first problem: largest group first, hosts in host order', () => {
    const hosts = [
      host('vm10', { mismatches: nat }),
      host('vm2', { mismatches: nat }),
      host('vm3', { status: 'unreachable', error: 'connection refused' }),
      host('vm1', { status: 'ok' }),
      host('vm7', { mismatches: gone }),
      host('vm9', { mismatches: nat }),
      host('vm5', { status: 'changed' }),
    ];
    const groups = groupProblems(hosts);
    expect(groups.map((g) => [g.status, g.hosts, g.problem.what.split(':')[0]])).toEqual([
      ['failed', ['vm2', 'vm9', 'vm10'], 'bridges.br0.nat'],
      ['unreachable', ['vm3'], 'connection refused'],
      ['failed', ['vm7'], 'namespaces.pb'],
    ]);
  });

  it('the same words under another status are another group; no problem, no group', () => {
    const groups = groupProblems([host('a', { error: 'x' }), host('b', { status: 'unreachable', error: 'x' }), host('c', { status: 'ok' })]);
    expect(groups.map((g) => [g.status, g.hosts])).toEqual([
      ['failed', ['a']],
      ['unreachable', ['b']],
    ]);
    expect(groupProblems([])).toEqual([]);
  });
});

describe('a verification that failed', () => {
  it('leads with its first mismatch or probe cause, not the error that only counts them', () => {
    const probes = [
      { kind: 'peer' as const, from: 'pb', to: 'jelly', target: '172.19.0.3', ok: true },
      { kind: 'gateway' as const, from: 'pb', to: 'brd1', target: '172.19.0.1', ok: false, cause: 'dropped in FORWARD: iptables -I FORWARD -i brd1 -j ACCEPT' },
    ];
    expect(findingsCount(1, probes)).toBe('1 mismatch, 1 of 2 probes failed');
    expect(findingsCount(0, [])).toBeUndefined();
    expect(firstProblem(host('a', { mismatches: nat, probes, error: findingsCount(1, probes)! }))?.what).toMatch(/^bridges\.br0\.nat: /);
    expect(firstProblem(host('a', { probes, error: findingsCount(0, probes)! }))?.what).toMatch(/^probe pb -> brd1 .*dropped in FORWARD/);
    // an error of its own (a failed step) still leads
    expect(firstProblem(host('a', { mismatches: nat, error: 'step 3/55 failed: ip link add …' }))?.what).toBe('step 3/55 failed: ip link add …');
  });
});
