import { describe, expect, it } from 'vitest';

import { formatHostDetail, formatRecap, formatSteps } from '../../../src/cli/render/recap.js';
import { summarize, type HostResult, type RunResult } from '../../../src/result/result.js';
import { shown } from '../../../src/shown.js';

const ANSI = /\u001b\[[0-9;]*m/g;

function host(name: string, status: HostResult['status'], extra: Partial<HostResult> = {}): HostResult {
  return { name, status, changes: 0, steps: [], verified: status === 'ok' || status === 'changed', mismatches: [], durationMs: 100, ...extra };
}

function run(hosts: HostResult[], durationMs = 1234): RunResult {
  return { command: 'up', hosts, summary: summarize(hosts), durationMs };
}

const hosts = [
  host('vm10', 'unreachable', { error: 'connect ECONNREFUSED 10.0.0.10:22' }),
  host('vm2', 'changed', { changes: 5, steps: ['ip link add cnet0 type bridge', 'ip link set cnet0 up'] }),
  host('vm1', 'ok'),
  host('db-primary', 'failed', {
    changes: 2,
    error: 'verify: 1 mismatch',
    mismatches: [{ path: 'bridge cnet0 address', desired: '10.1.0.1/24', actual: '' }],
  }),
];

describe('formatRecap', () => {
  it('renders the PLAY RECAP shape, sorted by name, padded to the longest name', () => {
    expect(formatRecap(run(hosts), false).split('\n')).toEqual([
      'RECAP ********',
      'db-primary : ok=0 changed=2 unreachable=0 failed=1',
      'vm1        : ok=1 changed=0 unreachable=0 failed=0',
      'vm2        : ok=1 changed=5 unreachable=0 failed=0',
      'vm10       : ok=0 changed=0 unreachable=1 failed=0',
      '4 hosts: 1 ok, 1 changed, 1 failed, 1 unreachable in 1.23 s',
    ]);
  });

  it('colours names by status and non-zero counts, without changing the text', () => {
    const coloured = shown(formatRecap(run(hosts), true));
    expect(coloured.replace(ANSI, '')).toBe(formatRecap(run(hosts), false));
    const lines = coloured.split('\n');
    expect(lines[1]).toBe('\u001b[31mdb-primary\u001b[39m : ok=0 \u001b[33mchanged=2\u001b[39m unreachable=0 \u001b[31mfailed=1\u001b[39m');
    expect(lines[2]).toMatch(/^\u001b\[32mvm1\u001b\[39m {8}: \u001b\[32mok=1\u001b\[39m changed=0/);
    expect(lines[3]).toMatch(/^\u001b\[33mvm2\u001b\[39m/);
    expect(lines[4]).toMatch(/^\u001b\[31mvm10\u001b\[39m .*\u001b\[31munreachable=1\u001b\[39m/);
  });

  it('handles a single host and an empty run', () => {
    expect(formatRecap(run([host('a', 'ok')], 50), false)).toBe(
      'RECAP ********\na : ok=1 changed=0 unreachable=0 failed=0\n1 host: 1 ok, 0 changed, 0 failed, 0 unreachable in 0.05 s',
    );
    expect(formatRecap(run([], 0), false)).toBe('RECAP ********\n0 hosts: 0 ok, 0 changed, 0 failed, 0 unreachable in 0.00 s');
  });
});

describe('formatHostDetail', () => {
  it('shows the error and each mismatch of a failed host', () => {
    expect(formatHostDetail(hosts[3]!)).toEqual(['  verify: 1 mismatch', '  bridge cnet0 address: desired 10.1.0.1/24, actual (empty)']);
  });

  it('shows the error of an unreachable host, one line per line of the message', () => {
    expect(formatHostDetail(host('vm9', 'unreachable', { error: 'ssh: handshake failed\nHost denied\n' }))).toEqual([
      '  ssh: handshake failed',
      '  Host denied',
    ]);
  });

  it('shows nothing for ok and changed hosts', () => {
    expect(formatHostDetail(hosts[1]!)).toEqual([]);
    expect(formatHostDetail(hosts[2]!)).toEqual([]);
  });
});

describe('formatSteps', () => {
  it('lists the steps for verbose mode', () => {
    expect(formatSteps(hosts[1]!)).toEqual(['  + ip link add cnet0 type bridge', '  + ip link set cnet0 up']);
    expect(formatSteps(host('x', 'changed', { steps: ["cat > /etc/x <<'EOF'\nhello\nEOF"] }))).toEqual(["  + cat > /etc/x <<'EOF'", '    hello', '    EOF']);
  });
});
