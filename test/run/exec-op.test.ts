import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TransportError, UsageError } from '../../src/errors.js';
import type { ResolvedHost } from '../../src/inventory/types.js';
import { exitCodeOf, EXIT } from '../../src/cli/exit-code.js';
import type { RunEvent } from '../../src/run/events.js';
import { ALL_NAMESPACES, checkNsFlag, execArgv, execOperation, execOutcome, execScript, execTargets } from '../../src/run/exec-op.js';
import type { HostContext } from '../../src/run/host-ops.js';
import { runOperation } from '../../src/run/run-hosts.js';
import type { Connector, ExecResult, Transport } from '../../src/transport/transport.js';

const ns = (name: string) => ({ name, bridge: 'br0', addresses: ['172.18.0.2'], hostIf: `ve-${name}`, nsIf: 'eth0' });
const host = (name: string, namespaces: string[] = []): ResolvedHost => ({
  name,
  groups: ['all', 'ungrouped'],
  connection: { address: name, password: 'hunter2-secret' },
  network: { bridges: [], namespaces: namespaces.map(ns) },
});

const dir = mkdtempSync(join(tmpdir(), 'cnet-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Feeds the script to a local `sh -s`, as the transport does on a host. */
const sh = (script: string) => execFileSync('sh', ['-s'], { input: script, cwd: dir, encoding: 'utf8' });

const HOSTILE = [
  '$(touch pwned1)',
  '`touch pwned2`',
  'a b',
  "'",
  "it's",
  '"',
  ';touch pwned3',
  '&&',
  '|',
  '>pwned4',
  '*',
  '~',
  '$HOME',
  '\\',
  'a\nb',
  '',
  '-n',
  '--',
  '#x',
  'é',
];

describe('execScript', () => {
  it('passes every argument as one literal word: nothing is expanded, split, globbed or run', () => {
    expect(sh(execScript(['printf', '%s|', ...HOSTILE]))).toBe(HOSTILE.map((w) => `${w}|`).join(''));
    for (const f of ['pwned1', 'pwned2', 'pwned3', 'pwned4']) expect(existsSync(join(dir, f))).toBe(false);
  });

  it('quotes a command word that sh would read as an assignment or a keyword', () => {
    expect(execScript(['if', 'true'])).toBe("'if' true </dev/null\n");
    expect(execScript(['A=1', 'x'])).toBe("'A=1' x </dev/null\n");
  });

  it('runs under `ip netns exec NAME` with --ns', () => {
    expect(execArgv(['hostname'], 'container1')).toEqual(['ip', 'netns', 'exec', 'container1', 'hostname']);
    expect(execScript(['ip', '-4', '-o', 'addr', 'show', 'dev', 'ceth1'], 'container1')).toBe(
      'ip netns exec container1 ip -4 -o addr show dev ceth1 </dev/null\n',
    );
    expect(execScript(['echo', '$(id)'], 'pb')).toBe("ip netns exec pb echo '$(id)' </dev/null\n");
  });

  it('gives the command /dev/null as stdin, so it cannot read the rest of the script', () => {
    expect(sh(`${execScript(['cat'])}echo after\n`)).toBe('after\n');
  });

  it("ends with the command's exit code", () => {
    expect(() => sh(execScript(['sh', '-c', 'exit 7']))).toThrow(expect.objectContaining({ status: 7 }));
  });

  it('refuses an empty command', () => {
    expect(() => execArgv([])).toThrow(UsageError);
  });
});

describe('--ns', () => {
  it('accepts a namespace name by the inventory rule, and *', () => {
    for (const n of ['container1', 'pb', 'a.b-c_d', ALL_NAMESPACES]) expect(checkNsFlag(n)).toBe(n);
  });

  it('refuses what the inventory would refuse, before anything runs', () => {
    for (const n of ['', 'a b', '-x', '.x', '$(id)', 'a/b', "it's", 'default', 'x'.repeat(65), 'a\nb', '**']) {
      expect(() => checkNsFlag(n), n).toThrow(UsageError);
    }
    expect(() => checkNsFlag('a;b')).toThrow(/--ns: namespace name "a;b" is not allowed/);
  });

  it('targets the host, one namespace, or each namespace the inventory declares (sorted)', () => {
    const h = host('vm1', ['pb', 'container2', 'container1']);
    expect(execTargets({ argv: ['x'] }, h)).toEqual([undefined]);
    expect(execTargets({ argv: ['x'], ns: 'other' }, h)).toEqual(['other']);
    expect(execTargets({ argv: ['x'], ns: ALL_NAMESPACES }, h)).toEqual(['container1', 'container2', 'pb']);
    expect(execTargets({ argv: ['x'], ns: ALL_NAMESPACES }, host('vm2'))).toEqual([]);
  });
});

/** A transport that answers each script from `answer` and records them. */
function fakeTransport(answer: (script: string) => ExecResult, scripts: string[] = []): Transport {
  return {
    run: async (script) => {
      scripts.push(script);
      return answer(script);
    },
    close: () => {},
  };
}

function ctx(h: ResolvedHost, transport: Transport): HostContext {
  return { host: h, transport, phase: () => {}, execTimeoutMs: 1000, options: { probe: false, rebuild: false, lockWait: 0 }, command: 'exec' };
}

describe('execOperation', () => {
  it('runs once on the host; exit 0 is ok, with the output', async () => {
    const scripts: string[] = [];
    const out = await execOperation({ argv: ['hostname'] })(
      ctx(
        host('vm1'),
        fakeTransport(() => ({ stdout: 'vm1\n', stderr: '', code: 0 }), scripts),
      ),
    );
    expect(scripts).toEqual(['hostname </dev/null\n']);
    expect(out.error).toBeUndefined();
    expect(out.exec).toEqual([{ code: 0, stdout: 'vm1\n', stderr: '' }]);
  });

  it('a non-zero exit is the outcome (an error naming it), not an exception', async () => {
    const out = await execOperation({ argv: ['false'] })(
      ctx(
        host('vm2'),
        fakeTransport(() => ({ stdout: '', stderr: 'no\n', code: 127 })),
      ),
    );
    expect(out.error).toBe('exit 127');
    expect(out.exec).toEqual([{ code: 127, stdout: '', stderr: 'no\n' }]);
  });

  it("--ns '*' runs in each declared namespace, in turn, and names the ones that failed", async () => {
    const scripts: string[] = [];
    const answer = (s: string) => (s.includes(' pb ') ? { stdout: '', stderr: 'x\n', code: 1 } : { stdout: 'ok\n', stderr: '', code: 0 });
    const out = await execOperation({ argv: ['true'], ns: ALL_NAMESPACES })(ctx(host('vm1', ['pb', 'jelly']), fakeTransport(answer, scripts)));
    expect(scripts).toEqual(['ip netns exec jelly true </dev/null\n', 'ip netns exec pb true </dev/null\n']);
    expect(out.exec?.map((e) => [e.ns, e.code])).toEqual([
      ['jelly', 0],
      ['pb', 1],
    ]);
    expect(out.error).toBe('pb: exit 1');
  });

  it("--ns '*' on a host that declares no namespace: failed, nothing run", async () => {
    const scripts: string[] = [];
    const out = await execOperation({ argv: ['true'], ns: ALL_NAMESPACES })(
      ctx(
        host('vm1'),
        fakeTransport(() => ({ stdout: '', stderr: '', code: 0 }), scripts),
      ),
    );
    expect(scripts).toEqual([]);
    expect(out.error).toMatch(/declares no namespace/);
  });

  it("keeps at most --max-output of a host's output in all: each run may keep what the runs before it left, and says what it dropped", async () => {
    const limits: (number | undefined)[] = [];
    const transport: Transport = {
      run: async (_script, opts) => {
        limits.push(opts?.maxOutput);
        expect(opts?.truncate).toBe(true);
        return limits.length === 1
          ? { stdout: 'x'.repeat(60), stderr: 'é', code: 0 }
          : { stdout: 'y'.repeat(38), stderr: '', code: 0, dropped: { stdout: 500, stderr: 0 } };
      },
      close: () => {},
    };
    const out = await execOperation({ argv: ['true'], ns: ALL_NAMESPACES, maxOutput: 100 })(ctx(host('vm1', ['a', 'b']), transport));
    expect(limits).toEqual([100, 38]);
    expect(out.exec?.map((e) => e.dropped)).toEqual([undefined, { stdout: 500, stderr: 0 }]);
  });

  it('no exit code (killed by a signal) is a failure too', () => {
    expect(execOutcome([{ ns: 'pb', code: null, stdout: '', stderr: '' }]).error).toMatch(/^pb: exit without a code/);
  });
});

describe('exec over runOperation', () => {
  const connector = (codes: Record<string, number | 'unreachable'>): Connector => ({
    connect: async (h) => {
      const c = codes[h.name]!;
      if (c === 'unreachable') throw new TransportError('connect timed out', h.name);
      return fakeTransport(() => ({ stdout: `${h.name}\n`, stderr: '', code: c }));
    },
  });
  const run = async (codes: Record<string, number | 'unreachable'>) => {
    const events: RunEvent[] = [];
    const result = await runOperation(
      'exec',
      execOperation({ argv: ['hostname'] }),
      Object.keys(codes).map((n) => host(n)),
      { forks: 2, connector: connector(codes), sink: (e) => events.push(e) },
    );
    return { result, events };
  };

  it('all exit 0: ok, exit code 0; each host-done event carries its output', async () => {
    const { result, events } = await run({ vm2: 0, vm1: 0 });
    expect(result.command).toBe('exec');
    expect(result.hosts.map((h) => [h.name, h.status, h.exec?.[0]?.stdout])).toEqual([
      ['vm1', 'ok', 'vm1\n'],
      ['vm2', 'ok', 'vm2\n'],
    ]);
    expect(exitCodeOf(result)).toBe(EXIT.ok);
    expect(events.filter((e) => e.kind === 'host-done')).toHaveLength(2);
  });

  it('a non-zero exit on one host: that host failed, the others ok, exit code 2', async () => {
    const { result } = await run({ vm1: 0, vm2: 1, vm3: 0 });
    expect(result.summary).toEqual({ ok: 2, changed: 0, failed: 1, unreachable: 0 });
    expect(exitCodeOf(result)).toBe(EXIT.failed);
  });

  it('an unreachable host wins: exit code 4', async () => {
    const { result } = await run({ vm1: 3, vm2: 'unreachable' });
    expect(result.hosts.map((h) => h.status)).toEqual(['failed', 'unreachable']);
    expect(exitCodeOf(result)).toBe(EXIT.unreachable);
    // the connection (and its password) is never part of the result
    expect(JSON.stringify(result)).not.toContain('hunter2-secret');
  });
});
