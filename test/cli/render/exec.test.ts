import { describe, expect, it } from 'vitest';
import { execRenderer, formatExecSummary, labelWidth, outputLines, rowLines } from '../../../src/cli/render/exec.js';
import { execReport } from '../../../src/report/exec-report.js';
import { hosts, result } from '../../report/exec-fixtures.js';

describe('outputLines', () => {
  it('splits on newlines, without the empty line after the last one', () => {
    expect(outputLines('')).toEqual([]);
    expect(outputLines('a\n')).toEqual(['a']);
    expect(outputLines('a\r\nb')).toEqual(['a', 'b']);
    expect(outputLines('a\n\nb\n')).toEqual(['a', '', 'b']);
  });
});

describe('rowLines', () => {
  it('stdout lines as `host | line`, stderr lines as `host ! line`, labels padded to align', () => {
    expect(rowLines({ host: 'vm1', ns: null, status: 'ok', code: 0, stdout: 'a\nb\n', stderr: 'warn\n' }, 6)).toEqual({
      stdout: ['vm1    | a', 'vm1    | b'],
      stderr: ['vm1    ! warn'],
    });
  });

  it('host/ns with --ns; a non-zero exit ends with its code', () => {
    expect(rowLines({ host: 'vm2', ns: 'container1', status: 'failed', code: 1, stdout: 'x\n', stderr: 'no\n' })).toEqual({
      stdout: ['vm2/container1 | x'],
      stderr: ['vm2/container1 ! no', 'vm2/container1 : exit 1'],
    });
  });

  it('output cut past --max-output: said after its stderr lines, with how much was dropped; and in the summary', () => {
    const row = { host: 'vm1', ns: null, status: 'ok' as const, code: 0, stdout: 'a\n', stderr: 'w\n', dropped: { stdout: 96 * 1024 * 1024, stderr: 10 } };
    expect(rowLines(row).stderr).toEqual(['vm1 ! w', 'vm1 : output cut: 96 MiB of stdout and 10 bytes of stderr dropped (over --max-output)']);
    const report = execReport(
      {
        ...result,
        hosts: [{ ...hosts[0]!, exec: [{ code: 0, stdout: 'a', stderr: '', dropped: { stdout: 3, stderr: 0 } }] }],
        summary: { ok: 1, changed: 0, failed: 0, unreachable: 0 },
      },
      ['x'],
    );
    expect(report.results[0]!.dropped).toEqual({ stdout: 3, stderr: 0 });
    expect(formatExecSummary(report)).toMatch(/; output cut \(over --max-output\): vm1$/);
  });

  it('a host where nothing ran: UNREACHABLE or FAILED with its error, one line each', () => {
    expect(rowLines({ host: 'vm3', ns: null, status: 'unreachable', code: null, stdout: '', stderr: '', error: 'timed out\ndetail' }).stderr).toEqual([
      'vm3 : UNREACHABLE: timed out',
      'vm3 :   detail',
    ]);
    expect(rowLines({ host: 'vm4', ns: null, status: 'failed', code: null, stdout: '', stderr: '', error: 'sudo refused' }).stderr).toEqual([
      'vm4 : FAILED: sudo refused',
    ]);
  });
});

describe('execRenderer', () => {
  it("prints a host's lines when it is done, and nothing for the other events", () => {
    const out: string[] = [];
    const err: string[] = [];
    const sink = execRenderer(
      (l) => out.push(l),
      (l) => err.push(l),
      undefined,
      3,
    );
    sink({ kind: 'run-start', command: 'exec', hosts: ['vm1', 'vm2'], forks: 2 });
    sink({ kind: 'host-phase', host: 'vm2', phase: 'exec' });
    sink({ kind: 'host-done', result: hosts[1]! });
    sink({ kind: 'host-done', result: hosts[0]! });
    sink({ kind: 'run-done', result });
    expect(out).toEqual(['vm1 | vm1']);
    expect(err).toEqual(['vm2 ! no', 'vm2 : exit 1']);
  });
});

describe('formatExecSummary', () => {
  it('counts hosts; names each non-zero exit with its code, and the unreachable hosts', () => {
    expect(formatExecSummary(execReport(result, ['x']))).toBe(
      '4 hosts: 1 ok (exit 0), 2 failed (exit≠0: vm2=1; no exit code: vm4), 1 unreachable (vm3) in 1.23 s',
    );
  });

  it('all good', () => {
    expect(formatExecSummary(execReport({ ...result, hosts: [hosts[0]!], summary: { ok: 1, changed: 0, failed: 0, unreachable: 0 } }, ['x']))).toBe(
      '1 host: 1 ok (exit 0), 0 failed, 0 unreachable in 1.23 s',
    );
  });

  it('labelWidth: the widest label', () => {
    expect(labelWidth(['vm1', 'vm1/container1', 'vm10'])).toBe(14);
    expect(labelWidth([])).toBe(0);
  });
});
