import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { execReport } from '../../src/report/exec-report.js';
import { readResultFile } from '../../src/report/result-file.js';
import { result as execResult } from './exec-fixtures.js';
import { recorded } from './fleet-result.js';

const dir = mkdtempSync(join(tmpdir(), 'cnet-result-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (text: string): string => {
  const f = join(dir, `r${++n}.json`);
  writeFileSync(f, text);
  return f;
};
const refusal = (file: string): string => {
  try {
    readResultFile(file);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('read');
};

const scope = { inventory: { fingerprint: `sha256:${'0f'.repeat(32)}`, hosts: 2 }, shard: { index: 1, count: 2 } };

describe('a result file', () => {
  it('is read back as written: a recorded up result, and an exec report', () => {
    const run = { ...recorded(), ...scope };
    const text = JSON.stringify(run, null, 2);
    const back = readResultFile(write(text));
    expect(back.kind).toBe('run');
    // the same object, its keys in the order written
    expect(JSON.stringify(back.result, null, 2)).toBe(text);
    const exec = { ...execReport(execResult, ['uname', '-r']), ...scope };
    expect(readResultFile(write(JSON.stringify(exec)))).toEqual({ file: expect.any(String), kind: 'exec', result: exec });
  });

  it('that is not JSON, or not a result, is refused with its line, column and JSON path', () => {
    expect(refusal(write('{"command": "up",'))).toMatch(/^\S+r\d+\.json is not JSON \(.*\): give the output of a run with --json$/);
    const run = { ...recorded(), ...scope };
    const text = JSON.stringify(run, null, 2).replace('"status": "failed"', '"status": "broken"');
    const at = text.split('\n').findIndex((l) => l.includes('"broken"')) + 1;
    const message = refusal(write(text));
    expect(message).toMatch(
      new RegExp(
        `r\\d+\\.json:${at}:\\d+ hosts\\[1\\]\\.status: Invalid option: expected one of "ok"\\|"changed"\\|"failed"\\|"unreachable": not the --json output of a cnet-remote`,
      ),
    );
    expect(refusal(write(JSON.stringify({ ...run, inventory: { fingerprint: 'md5:x', hosts: 2 } })))).toMatch(/:1:\d+ inventory\.fingerprint: /);
    expect(refusal(write(JSON.stringify({ ...run, shard: { index: 3, count: 2 } })))).toMatch(/ shard: index must be at most count/);
    expect(refusal(write('[]'))).toMatch(/r\d+\.json:1:1: Invalid input: expected object, received array: not the --json output/);
  });

  it('of a kind the schema does not know is refused, also in exec rows', () => {
    const exec = { ...execReport(execResult, ['true']), ...scope };
    const bad = JSON.stringify({ ...exec, results: [{ ...exec.results[0], status: 'changed' }] });
    expect(refusal(write(bad))).toMatch(/results\[0\]\.status: /);
  });

  it('that is no regular file is refused, without blocking on a FIFO', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(fifo)).toMatch(/^cannot read result file .*fifo: is a FIFO/);
    expect(refusal(join(dir, 'absent.json'))).toMatch(/^cannot read result file .*absent\.json: /);
  });
});
