import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyScript, parseApplyOutput } from '../../src/apply/apply-script.js';
import { gatherScript } from '../../src/facts/gather-script.js';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { RECORD_DIR, RECORD_FILE } from '../../src/ownership/record.js';
import type { Step } from '../../src/plan/step.js';
import { quoteArgv } from '../../src/shell/quote.js';

const step = (...argv: string[]): Step => ({ phase: 'link', argv, reason: 'test' });

const dir = mkdtempSync(join(tmpdir(), 'cnet-apply-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a script under sh in the temp dir. Only for scripts without `owns` steps (no record write). */
function run(script: string): { stdout: string; status: number | null } {
  expect(script).not.toContain(`>> ${RECORD_FILE}`);
  expect(script).not.toContain(`mkdir -p ${RECORD_DIR}`);
  const res = spawnSync('sh', { input: script, cwd: dir, encoding: 'utf8', timeout: 30_000 });
  return { stdout: res.stdout, status: res.status };
}

describe('applyScript text', () => {
  it('runs the steps in a set -e subshell, each after its marker, then prints the exit code', () => {
    const script = applyScript([step('true'), step('echo', 'x y')]);
    expect(script.split('\n').filter((l) => !l.startsWith('printf'))).toEqual(['(', 'set -e', 'true', "echo 'x y'", ') 2>&1', '']);
    expect(script).toMatch(/@@step 0'\ntrue\n/);
    expect(script).toMatch(/@@step 1'\necho 'x y'\n/);
    expect(script).toMatch(/\) 2>&1\nprintf '[^']*@@apply-exit[^']*' "\$\?"\n$/);
  });

  it('makes no record directory when no step owns anything', () => {
    expect(applyScript([step('true')])).not.toContain(RECORD_DIR);
  });

  it('appends each owned object to the record right after the command that made it', () => {
    const steps: Step[] = [
      { phase: 'netns', argv: ['ip', 'netns', 'add', 'pb'], reason: 'r', owns: { kind: 'netns', name: 'pb' } },
      { phase: 'link', argv: ['ip', 'link', 'set', 'dev', 'brd1', 'up'], reason: 'r' },
      {
        phase: 'nat',
        argv: ['iptables', '-w', '-t', 'nat', '-A', 'POSTROUTING', '-s', '172.19.0.0/24', '!', '-o', 'brd1', '-j', 'MASQUERADE'],
        reason: 'r',
        owns: { kind: 'nat', subnet: '172.19.0.0/24', bridge: 'brd1' },
      },
      { phase: 'forward', argv: ['sysctl', '-w', 'net.ipv4.ip_forward=1'], reason: 'r', owns: { kind: 'forward', from: '0' } },
    ];
    const lines = applyScript(steps).split('\n');
    const mkdir = lines.indexOf(`mkdir -p ${RECORD_DIR}`);
    expect(mkdir).toBeGreaterThan(lines.indexOf('set -e'));
    for (const [i, s] of steps.entries()) {
      const at = lines.indexOf(quoteArgv(s.argv));
      expect(at, s.argv.join(' ')).toBeGreaterThan(mkdir);
      expect(lines[at - 1]).toContain(`@@step ${i}`);
      const next = lines[at + 1]!;
      if (s.owns) expect(next).toBe(`printf '%s\\n' ${quoteArgv([{ netns: 'netns pb', nat: 'nat 172.19.0.0/24 brd1', forward: 'forward 0' }[s.owns.kind as 'netns']])} >> ${RECORD_FILE}`);
      else expect(next).not.toContain(RECORD_FILE);
    }
    expect(lines.filter((l) => l.includes(RECORD_FILE))).toHaveLength(3);
  });
});

describe('applyScript run for real under sh', () => {
  it('runs every step and reports success', () => {
    const steps = [step('true'), step('echo', 'x y'), step('touch', 'made')];
    const { stdout, status } = run(applyScript(steps));
    expect(status).toBe(0);
    expect(stdout).toContain('x y\n');
    expect(existsSync(join(dir, 'made'))).toBe(true);
    expect(parseApplyOutput(stdout, steps.length)).toEqual({ done: 3 });
  });

  it('stops at the first failing step and names it with its output', () => {
    const steps = [step('echo', 'x y'), step('sh', '-c', 'echo boom >&2; exit 3'), step('touch', 'never')];
    const { stdout, status } = run(applyScript(steps));
    expect(status).toBe(0); // the script itself ends with printing the exit code
    expect(existsSync(join(dir, 'never'))).toBe(false);
    expect(parseApplyOutput(stdout, steps.length)).toEqual({ done: 1, failed: { index: 1, output: 'boom' } });
  });

  it('reports a silent failure by its exit code', () => {
    const steps = [step('true'), step('true'), step('false'), step('true')];
    const { stdout } = run(applyScript(steps));
    expect(parseApplyOutput(stdout, steps.length)).toEqual({ done: 2, failed: { index: 2, output: 'exit code 1' } });
  });

  it('fails at step 0 when the first step fails', () => {
    const { stdout } = run(applyScript([step('false'), step('true')]));
    expect(parseApplyOutput(stdout, 2)).toEqual({ done: 0, failed: { index: 0, output: 'exit code 1' } });
  });

  it('passes awkward arguments through exactly', () => {
    const args = ["it's", '$(touch pwned)', '`touch pwned2`', 'a\nb', '', '*'];
    const { stdout } = run(applyScript([step('printf', '[%s]', ...args)]));
    expect(stdout).toContain(args.map((a) => `[${a}]`).join(''));
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
  });

  it('still finds its markers when a step prints no trailing newline', () => {
    const ok = [step('printf', 'no newline'), step('printf', 'again')];
    expect(parseApplyOutput(run(applyScript(ok)).stdout, 2)).toEqual({ done: 2 });
    const bad = [step('printf', 'first'), step('sh', '-c', 'printf half; exit 4'), step('true')];
    expect(parseApplyOutput(run(applyScript(bad)).stdout, 3)).toEqual({ done: 1, failed: { index: 1, output: 'half' } });
  });

  it('runs an empty plan as a no-op that succeeds', () => {
    const { stdout } = run(applyScript([]));
    expect(parseApplyOutput(stdout, 0)).toEqual({ done: 0 });
  });

  it('is read apart from the gather script that follows it in the same round trip', () => {
    const steps = [step('echo', 'x y'), step('true')];
    const { stdout } = run(applyScript(steps) + gatherScript([]));
    expect(parseApplyOutput(stdout, steps.length)).toEqual({ done: 2 });
    expect(parseFacts(stdout).root.links.some((l) => l.name === 'lo')).toBe(true);

    const failing = [step('sh', '-c', 'echo nope; exit 1'), step('true')];
    const out2 = run(applyScript(failing) + gatherScript([])).stdout;
    expect(parseApplyOutput(out2, failing.length)).toEqual({ done: 0, failed: { index: 0, output: 'nope' } });
    expect(() => parseFacts(out2)).not.toThrow();
  });
});

describe('parseApplyOutput', () => {
  it('reads success', () => {
    expect(parseApplyOutput("@@step 0\n@@step 1\nx y\n@@apply-exit\n0\n", 2)).toEqual({ done: 2 });
  });

  it('reads a failure at step k with its output', () => {
    const out = '@@step 0\n@@step 1\n@@step 2\nRTNETLINK answers: File exists\n@@apply-exit\n2\n';
    expect(parseApplyOutput(out, 4)).toEqual({ done: 2, failed: { index: 2, output: 'RTNETLINK answers: File exists' } });
  });

  it('reads a dropped connection (no apply-exit) as a failure at the last step started', () => {
    expect(parseApplyOutput('@@step 0\n@@step 1\npartial out', 3)).toEqual({ done: 1, failed: { index: 1, output: 'partial out' } });
    expect(parseApplyOutput('@@step 0\n@@step 1\n', 3)).toEqual({ done: 1, failed: { index: 1, output: 'the connection ended before the steps finished' } });
    expect(parseApplyOutput('', 3)).toEqual({ done: 0, failed: { index: 0, output: 'the connection ended before the steps finished' } });
  });

  it('reads a real run cut off before apply-exit as a dropped connection', () => {
    const steps = [step('echo', 'one'), step('echo', 'two')];
    const full = run(applyScript(steps)).stdout;
    const cut = full.slice(0, full.indexOf('@@apply-exit'));
    expect(parseApplyOutput(cut, steps.length)).toEqual({ done: 1, failed: { index: 1, output: 'two' } });
  });

  it('ignores markers of steps beyond the count', () => {
    expect(parseApplyOutput('@@step 0\n@@step 5\nx\n@@apply-exit\n1\n', 1)).toEqual({ done: 0, failed: { index: 0, output: 'exit code 1' } });
  });
});
