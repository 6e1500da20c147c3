import { summarize, type HostResult, type RunResult } from '../../src/result/result.js';

/** An `exec` run: exit 0, a non-zero exit, an unreachable host, and one where sudo refused us. */
export const base = { changes: 0, steps: [], verified: false, mismatches: [], durationMs: 5 };
export const hosts: HostResult[] = [
  { ...base, name: 'vm1', status: 'ok', exec: [{ code: 0, stdout: 'vm1\n', stderr: '' }] },
  { ...base, name: 'vm2', status: 'failed', error: 'exit 1', exec: [{ code: 1, stdout: '', stderr: 'no\n' }] },
  { ...base, name: 'vm3', status: 'unreachable', error: 'connect timed out' },
  { ...base, name: 'vm4', status: 'failed', error: 'sudo: the become password for root was refused' },
];
export const result: RunResult = { command: 'exec', hosts, summary: summarize(hosts), durationMs: 1234 };
