import { describe, expect, it } from 'vitest';

import { plainRenderer } from '../../../src/cli/render/plain.js';
import { summarize, type HostResult } from '../../../src/result/result.js';
import type { RunEvent } from '../../../src/run/events.js';

const vm1: HostResult = { name: 'vm1', status: 'ok', changes: 0, steps: [], verified: true, mismatches: [], durationMs: 310 };
const vm2: HostResult = {
  name: 'vm2',
  status: 'changed',
  changes: 5,
  steps: ['ip link add cnet0 type bridge'],
  verified: true,
  mismatches: [],
  durationMs: 420,
};
const vm3: HostResult = {
  name: 'vm3',
  status: 'failed',
  changes: 1,
  steps: [],
  verified: false,
  mismatches: [
    { path: 'bridge cnet0 address', desired: '10.1.0.1/24', actual: '10.1.0.2/24' },
    { path: 'nat POSTROUTING 10.1.0.0/24', desired: 'present', actual: 'absent' },
  ],
  error: 'verify: 2 mismatches',
  durationMs: 1500,
};
const vm4: HostResult = {
  name: 'vm4',
  status: 'unreachable',
  changes: 0,
  steps: [],
  verified: false,
  mismatches: [],
  error: 'connect ECONNREFUSED 10.0.0.4:22',
  durationMs: 12,
};

/** What the core emits for up on four hosts, interleaved as p-queue runs them. */
const events: RunEvent[] = [
  { kind: 'run-start', command: 'up', hosts: ['vm1', 'vm2', 'vm3', 'vm4'], forks: 50 },
  { kind: 'host-phase', host: 'vm1', phase: 'connect' },
  { kind: 'host-phase', host: 'vm2', phase: 'connect' },
  { kind: 'host-phase', host: 'vm3', phase: 'connect' },
  { kind: 'host-phase', host: 'vm4', phase: 'connect' },
  { kind: 'host-done', result: vm4 },
  { kind: 'host-phase', host: 'vm1', phase: 'gather' },
  { kind: 'host-phase', host: 'vm2', phase: 'gather' },
  { kind: 'host-phase', host: 'vm3', phase: 'gather' },
  { kind: 'host-phase', host: 'vm1', phase: 'plan' },
  { kind: 'host-done', result: vm1 },
  { kind: 'host-phase', host: 'vm2', phase: 'plan' },
  { kind: 'host-phase', host: 'vm3', phase: 'plan' },
  { kind: 'host-phase', host: 'vm2', phase: 'apply' },
  { kind: 'host-phase', host: 'vm3', phase: 'apply' },
  { kind: 'host-phase', host: 'vm2', phase: 'verify' },
  { kind: 'host-done', result: vm2 },
  { kind: 'host-phase', host: 'vm3', phase: 'verify' },
  { kind: 'host-done', result: vm3 },
  {
    kind: 'run-done',
    result: { command: 'up', hosts: [vm1, vm2, vm3, vm4], summary: summarize([vm1, vm2, vm3, vm4]), durationMs: 1530 },
  },
];

describe('plainRenderer', () => {
  it('prints one host-prefixed line per event, details under failures, and no recap', () => {
    const lines: string[] = [];
    const sink = plainRenderer((l) => lines.push(l));
    for (const e of events) sink(e);
    expect(lines).toEqual([
      'up: 4 hosts, 50 at a time',
      '[vm1] connect',
      '[vm2] connect',
      '[vm3] connect',
      '[vm4] connect',
      '[vm4] UNREACHABLE: connect ECONNREFUSED 10.0.0.4:22',
      '[vm1] gather',
      '[vm2] gather',
      '[vm3] gather',
      '[vm1] plan',
      '[vm1] ok (0.31 s)',
      '[vm2] plan',
      '[vm3] plan',
      '[vm2] apply',
      '[vm3] apply',
      '[vm2] verify',
      '[vm2] changed (5 changes, 0.42 s)',
      '[vm3] verify',
      '[vm3] FAILED: verify: 2 mismatches',
      '[vm3]   bridge cnet0 address: desired 10.1.0.1/24, actual 10.1.0.2/24',
      '[vm3]   nat POSTROUTING 10.1.0.0/24: desired present, actual absent',
    ]);
  });

  it('words singular counts and failures without an error message', () => {
    const lines: string[] = [];
    const sink = plainRenderer((l) => lines.push(l));
    sink({ kind: 'run-start', command: 'down', hosts: ['a'], forks: 1 });
    sink({ kind: 'host-done', result: { ...vm2, name: 'a', changes: 1 } });
    sink({ kind: 'host-done', result: { ...vm3, name: 'b', error: undefined, mismatches: [vm3.mismatches[0]!] } });
    sink({ kind: 'host-done', result: { ...vm4, name: 'c', error: 'ssh: handshake failed\nHost denied' } });
    expect(lines).toEqual([
      'down: 1 host, 1 at a time',
      '[a] changed (1 change, 0.42 s)',
      '[b] FAILED',
      '[b]   bridge cnet0 address: desired 10.1.0.1/24, actual 10.1.0.2/24',
      '[c] UNREACHABLE: ssh: handshake failed',
      '[c]   Host denied',
    ]);
  });
});
