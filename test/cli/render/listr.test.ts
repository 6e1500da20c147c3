import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { listrRenderer } from '../../../src/cli/render/listr.js';
import { summarize, type HostResult } from '../../../src/result/result.js';
import type { EventSink, Phase } from '../../../src/run/events.js';

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
const PHASES: Phase[] = ['connect', 'gather', 'plan', 'apply', 'verify'];

/** A fake terminal: listr2's default renderer (log-update) wants isTTY, columns and rows. */
function fakeTty(): { stream: NodeJS.WriteStream; text(): string; lastFrame(): string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString().replace(ANSI, '')));
  return {
    stream: stream as unknown as NodeJS.WriteStream,
    text: () => chunks.join(''),
    // what listr2 leaves on the screen: its last non-empty write
    lastFrame: () => chunks.filter((c) => c.trim() !== '').at(-1) ?? '',
  };
}

/** listr2 wraps titles at process.stdout.columns (80 when it has none): undo the wrapping. */
const unwrap = (text: string): string => text.replace(/\n {2,}(?=[^\s›])/g, ' ');

function host(name: string, status: HostResult['status'], extra: Partial<HostResult> = {}): HostResult {
  return { name, status, changes: 0, steps: [], verified: status === 'ok' || status === 'changed', mismatches: [], durationMs: 200, ...extra };
}

function runDone(sink: EventSink, hosts: HostResult[]): void {
  sink({ kind: 'run-done', result: { command: 'up', hosts, summary: summarize(hosts), durationMs: 1000 } });
}

const tick = (ms = 20): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let exitCode: typeof process.exitCode;
beforeEach(() => {
  exitCode = process.exitCode;
});
afterEach(() => {
  // failed hosts must not leak into the process exit code: the CLI derives it from the RunResult
  expect(process.exitCode).toBe(exitCode);
  process.exitCode = exitCode;
});

describe('listrRenderer, one task per host', () => {
  it('updates titles per phase and ends with ok / changed (n) / the error under a failed host', async () => {
    const tty = fakeTty();
    const r = listrRenderer({ stdout: tty.stream, stderr: tty.stream });
    const names = ['vm1', 'vm2', 'vm3'];
    r.sink({ kind: 'run-start', command: 'up', hosts: names, forks: 50 });
    for (const h of names) r.sink({ kind: 'host-phase', host: h, phase: 'connect' });
    await vi.waitFor(() => expect(tty.text()).toContain('vm3 · connect'));
    r.sink({ kind: 'host-phase', host: 'vm2', phase: 'apply' });
    await vi.waitFor(() => expect(tty.text()).toContain('vm2 · apply'));

    const results = [
      host('vm1', 'ok'),
      host('vm2', 'changed', { changes: 3 }),
      host('vm3', 'failed', {
        error: 'verify: 1 mismatch',
        mismatches: [{ path: 'bridge cnet0 address', desired: '10.1.0.1/24', actual: '10.1.0.9/24' }],
      }),
    ];
    // the failure comes first: exitOnError false must keep the other tasks going
    r.sink({ kind: 'host-done', result: results[2]! });
    await tick();
    r.sink({ kind: 'host-done', result: results[0]! });
    r.sink({ kind: 'host-done', result: results[1]! });
    runDone(r.sink, results);
    await r.done();

    const out = tty.text();
    expect(out).toContain('✔ vm1 ok');
    expect(out).toContain('✔ vm2 changed (3)');
    expect(out).toContain('✖ vm3 failed');
    expect(out).toContain('verify: 1 mismatch');
    expect(out).toContain('bridge cnet0 address: desired 10.1.0.1/24, actual 10.1.0.9/24');
    expect(tty.lastFrame().split('\n')).toEqual([
      '✔ vm1 ok',
      '✔ vm2 changed (3)',
      '✖ vm3 failed',
      '  › verify: 1 mismatch',
      '    bridge cnet0 address: desired 10.1.0.1/24, actual 10.1.0.9/24',
      '',
    ]);
  });

  it("draws a host's text neutralized: no escape sequence of the host's reaches the terminal", async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const r = listrRenderer({ stdout: stream as unknown as NodeJS.WriteStream, stderr: stream as unknown as NodeJS.WriteStream });
    r.sink({ kind: 'run-start', command: 'verify', hosts: ['vm1'], forks: 1 });
    const bad = host('vm1', 'failed', {
      error: 'apply: \u001b]52;c;cm0gLXJmIH4K\u0007 locked by \u001b]0;title\u0007',
      mismatches: [{ path: 'bridges.br0.master', desired: 'br0', actual: 'x\u001b[2Jy' }],
    });
    r.sink({ kind: 'host-done', result: bad });
    runDone(r.sink, [bad]);
    await r.done();
    const out = chunks.join('');
    expect(out).not.toMatch(/\u001b\]|\u001b\[2J|\u0007/);
    expect(out).toContain('\\u001b]52;c;cm0gLXJmIH4K\\u0007 locked by \\u001b]0;title\\u0007');
    expect(out).toContain('actual x\\u001b[2Jy');
  });

  it('handles events that arrive before listr2 started the tasks, unreachable hosts and unfinished hosts', async () => {
    const tty = fakeTty();
    const r = listrRenderer({ stdout: tty.stream, stderr: tty.stream });
    r.sink({ kind: 'run-start', command: 'up', hosts: ['a', 'b', 'c'], forks: 2 });
    // all synchronously: listr2 is still loading its renderer
    r.sink({ kind: 'host-phase', host: 'a', phase: 'connect' });
    const a = host('a', 'unreachable', { error: 'connect ECONNREFUSED 10.0.0.1:22' });
    r.sink({ kind: 'host-done', result: a });
    r.sink({ kind: 'host-phase', host: 'b', phase: 'gather' });
    const b = host('b', 'ok');
    // the run ends (Ctrl-C, say) with b reported only in the result and c never finished
    runDone(r.sink, [a, b]);
    await r.done();

    const out = tty.text();
    expect(out).toContain('✖ a unreachable');
    expect(out).toContain('unreachable: connect ECONNREFUSED 10.0.0.1:22');
    expect(out).toContain('✔ b ok');
    expect(out).toContain('✖ c not finished');
    expect(tty.lastFrame().split('\n')).toEqual([
      '✖ a unreachable',
      '  › unreachable: connect ECONNREFUSED 10.0.0.1:22',
      '✔ b ok',
      '✖ c not finished',
      '  › the run ended before this host finished',
      '',
    ]);
  });

  it('done() resolves at once when no run started', async () => {
    await listrRenderer({ stdout: fakeTty().stream }).done();
  });
});

describe('listrRenderer, summary task above 20 hosts', () => {
  it('keeps one title with counts, the time so far and an estimate, and at most 5 hosts in flight', async () => {
    const tty = fakeTty();
    let t = 1_000_000;
    const r = listrRenderer({ stdout: tty.stream, stderr: tty.stream, now: () => t });
    const names = Array.from({ length: 30 }, (_, i) => `vm${i + 1}`);
    r.sink({ kind: 'run-start', command: 'up', hosts: names, forks: 10 });
    await vi.waitFor(() => expect(tty.text()).toContain('0/30 done · 0 changed · 0 failed · 0 unreachable · 0:00'));

    const status = (i: number): HostResult['status'] => (i % 10 === 3 ? 'failed' : i === 7 ? 'unreachable' : i % 4 === 0 ? 'changed' : 'ok');
    const results: HostResult[] = [];
    // ten at a time, as p-queue would run them with forks 10
    for (let start = 0; start < names.length; start += 10) {
      const batch = names.slice(start, start + 10);
      t += 10_000; // each batch takes 10 s
      for (const phase of PHASES) for (const h of batch) r.sink({ kind: 'host-phase', host: h, phase });
      if (start === 10) {
        expect(unwrap(tty.text())).toContain(
          `10/30 done · 2 changed · 1 failed · 1 unreachable · 0:20, ~0:40 left · running: vm11 (verify), vm12 (verify), vm13 (verify), vm14 (verify), vm15 (verify) …`,
        );
      }
      for (const h of batch) {
        const i = names.indexOf(h) + 1;
        const s = status(i);
        const result = host(h, s, {
          changes: s === 'changed' ? 2 : 0,
          error: s === 'failed' ? 'apply: exit 1' : s === 'unreachable' ? 'timed out' : undefined,
        });
        results.push(result);
        r.sink({ kind: 'host-done', result });
      }
      await tick();
    }
    runDone(r.sink, results);
    await r.done();

    const summary = summarize(results);
    expect(summary).toEqual({ ok: 19, changed: 7, failed: 3, unreachable: 1 });
    // the summary task fails (red) when a host did not go well, and says which
    expect(tty.lastFrame().split('\n')).toEqual([
      '✖ 30/30 done · 7 changed · 3 failed · 1 unreachable · 0:30',
      '  › failed: vm3, vm13, vm23',
      '    unreachable: vm7',
      '',
    ]);
    // never one line per host
    expect(tty.text()).not.toMatch(/^[✔✖⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏◼] vm\d+/m);
  });

  it('ends on the final result: a host first done ok and failed in the end counts as failed, and the hosts that went wrong are named in host order', async () => {
    const tty = fakeTty();
    const r = listrRenderer({ stdout: tty.stream, stderr: tty.stream, now: () => 0 });
    const names = Array.from({ length: 25 }, (_, i) => `vm${i + 1}`);
    r.sink({ kind: 'run-start', command: 'verify', hosts: names, forks: 25 });
    const first = names.map((n) => host(n, 'ok'));
    for (const h of first) r.sink({ kind: 'host-done', result: h });
    // the probes that came after failed vm23 and vm7
    runDone(
      r.sink,
      first.map((h) => (h.name === 'vm23' || h.name === 'vm7' ? { ...h, status: 'failed' as const } : h)),
    );
    await r.done();
    expect(tty.lastFrame().split('\n').slice(0, 2)).toEqual(['✖ 25/25 done · 0 changed · 2 failed · 0 unreachable · 0:00', '  › failed: vm7, vm23']);
  });
});
