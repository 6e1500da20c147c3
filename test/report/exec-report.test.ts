import { describe, expect, it } from 'vitest';
import { execLabel, execReport, execRows } from '../../src/report/exec-report.js';
import type { HostResult } from '../../src/result/result.js';
import { base, hosts, result } from './exec-fixtures.js';

describe('execRows', () => {
  it('one row per run; a host where nothing ran gets one with its error and no code', () => {
    expect(execRows(result)).toEqual([
      { host: 'vm1', ns: null, status: 'ok', code: 0, stdout: 'vm1\n', stderr: '' },
      { host: 'vm2', ns: null, status: 'failed', code: 1, stdout: '', stderr: 'no\n' },
      { host: 'vm3', ns: null, status: 'unreachable', code: null, stdout: '', stderr: '', error: 'connect timed out' },
      { host: 'vm4', ns: null, status: 'failed', code: null, stdout: '', stderr: '', error: 'sudo: the become password for root was refused' },
    ]);
  });

  it('a row per namespace with --ns; hosts where nothing ran carry the --ns name', () => {
    const h: HostResult = {
      ...base,
      name: 'vm1',
      status: 'failed',
      exec: [
        { ns: 'jelly', code: 0, stdout: '', stderr: '' },
        { ns: 'pb', code: 2, stdout: '', stderr: '' },
      ],
    };
    const rows = execRows({ ...result, hosts: [h, hosts[2]!] }, 'pb');
    expect(rows.map((r) => [execLabel(r), r.status, r.code])).toEqual([
      ['vm1/jelly', 'ok', 0],
      ['vm1/pb', 'failed', 2],
      ['vm3/pb', 'unreachable', null],
    ]);
  });
});

describe('execReport', () => {
  it('what --json prints: the argv, the rows, a summary of hosts', () => {
    const r = execReport(result, ['echo', '$(id)']);
    expect(r.command).toBe('exec');
    expect(r.argv).toEqual(['echo', '$(id)']);
    expect(r.summary).toEqual({ hosts: 4, ok: 1, failed: 2, unreachable: 1 });
    expect(r.durationMs).toBe(1234);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
