import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BecomeError, OutputLimitError, TransportError } from '../../src/errors.js';
import type { ResolvedHost } from '../../src/inventory/types.js';
import { LocalConnector, type LocalTransport } from '../../src/transport/local.js';

/**
 * The local transport runs real `sh -s` (and real sudo) on this machine; the scripts only print,
 * sleep and signal processes they started themselves.
 */
const top = mkdtempSync(join(tmpdir(), 'cnet-local-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));
/** a folder of the test's own, for what its scripts write */
const folder = (name: string) => {
  mkdirSync(join(top, name));
  return join(top, name);
};

const host = (become?: { user: string; password?: string }): ResolvedHost => ({
  name: 'self',
  groups: [],
  connection: { address: 'localhost', kind: 'local', ...(become ? { become } : {}) },
  network: { bridges: [], namespaces: [] },
});

async function open(become?: { user: string }): Promise<LocalTransport> {
  return (await new LocalConnector().connect(host(become))) as LocalTransport;
}

/** the process exists and is not a zombie */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits until the condition holds, or fails after `ms`: a bound on a hang, not a measurement. */
async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (cond()) return;
  throw new Error('timed out waiting');
}

describe('LocalTransport: one local shell, framed as the SSH session frames', () => {
  it('runs scripts one after another through one shell, each with its own output, exit code, variables and a stdin of nothing', async () => {
    const t = await open();
    try {
      const a = await t.run('X=1; echo "shell $$"; echo oops >&2; exit 3\n');
      const b = await t.run('echo "shell $$ X=${X-unset}"; cat; echo after\n');
      const [c, d] = await Promise.all([t.run('printf one\n'), t.run('echo two; false\n')]);
      const shell = /^shell (\d+)\n$/.exec(a.stdout)?.[1];
      expect(shell).toBeDefined();
      expect(a).toEqual({ stdout: `shell ${shell}\n`, stderr: 'oops\n', code: 3 });
      expect(b).toEqual({ stdout: `shell ${shell} X=unset\nafter\n`, stderr: '', code: 0 });
      expect([c, d]).toEqual([
        { stdout: 'one', stderr: '', code: 0 },
        { stdout: 'two\n', stderr: '', code: 1 },
      ]);
    } finally {
      t.close();
    }
  });

  it('the shell leads a process group (and session) of its own, without a terminal', async () => {
    const t = await open();
    try {
      const r = await t.run('read -r _ _ _ _ pgid sid tty _ < /proc/$$/stat; echo "$pgid $sid $tty"\n');
      expect(r.stdout).toBe(`${t.pid} ${t.pid} 0\n`);
    } finally {
      t.close();
    }
  });

  it('a shell that dies fails the run in progress; one that died between runs fails the next run at once', async () => {
    const t = await open();
    await expect(t.run('kill -9 $$\n', { timeoutMs: 10_000 })).rejects.toThrow(/local shell ended before the command ended/);
    await expect(t.run('echo never\n')).rejects.toThrow(/local shell was ended/);
    const u = await open();
    try {
      expect((await u.run('(sleep 0.3; kill -9 $$) > /dev/null 2>&1 &\necho ok\n')).stdout).toBe('ok\n');
      const pid = u.pid!;
      await until(() => !alive(pid));
      await expect(u.run('echo never\n', { timeoutMs: 10_000 })).rejects.toThrow(/local shell (had )?ended/);
    } finally {
      u.close();
    }
  });

  it('a timeout kills the process group it started, and nothing outside it: a job in a session of its own goes on', async () => {
    const dir = folder('timeout');
    const t = await open();
    const err = await t
      .run(
        `sleep 1000 & echo $! > ${dir}/child\nsetsid sh -c 'echo $$ > ${dir}/apart; exec sleep 1000' &\nwhile [ ! -s ${dir}/apart ]; do sleep 0.01; done\n: > ${dir}/ready\nwait\n`,
        { timeoutMs: 1000 },
      )
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toBe('command timed out after 1000 ms');
    const child = Number(readFileSync(join(dir, 'child'), 'utf8'));
    const apart = Number(readFileSync(join(dir, 'apart'), 'utf8'));
    try {
      await until(() => !alive(child) && !alive(t.pid!));
      expect(alive(apart)).toBe(true);
    } finally {
      process.kill(apart, 'SIGKILL');
    }
    await expect(t.run('echo again\n')).rejects.toThrow(/local shell was ended/);
  });

  it('an abort (the host deadline) ends the run with its reason and the shell', async () => {
    const dir = folder('abort');
    const t = await open();
    const ac = new AbortController();
    const run = t.run(`: > ${dir}/started; sleep 1000\n`, { signal: ac.signal });
    await until(() => existsSync(join(dir, 'started')));
    ac.abort('deadline of 5 s exceeded');
    await expect(run).rejects.toThrow('deadline of 5 s exceeded');
    await until(() => !alive(t.pid!));
    await expect(new LocalConnector().connect(host(), { signal: ac.signal })).rejects.toThrow(TransportError);
  });

  it('past maxOutput the run fails and the shell is ended; with truncate the rest is counted, not kept', async () => {
    const t = await open();
    const err = await t.run('head -c 100000 /dev/zero | tr "\\0" x\n', { maxOutput: 1000 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(OutputLimitError);
    expect((err as Error).message).toMatch(/printed more than 1000 bytes/);
    const u = await open();
    try {
      const r = await u.run('head -c 5000 /dev/zero | tr "\\0" x; echo err >&2\n', { maxOutput: 1000, truncate: true });
      expect(r.stdout).toBe('x'.repeat(1000));
      expect(r.code).toBe(0);
      expect(r.dropped).toEqual({ stdout: 4000, stderr: 4 });
    } finally {
      u.close();
    }
  });

  it('close ends the shell at its next read; a background job the script left neither keeps it nor is killed', async () => {
    const dir = folder('close');
    const t = await open();
    await t.run(`sleep 1000 & echo $! > ${dir}/job\n`);
    const job = Number(readFileSync(join(dir, 'job'), 'utf8'));
    const pid = t.pid!;
    t.close();
    try {
      await until(() => !alive(pid));
      expect(alive(job)).toBe(true);
    } finally {
      process.kill(job, 'SIGKILL');
    }
  });

  it('a shell that cannot be started fails the host as unreachable, saying which', async () => {
    const t = await new LocalConnector({ shell: '/nonexistent/sh' }).connect(host());
    await expect(t.run('true\n')).rejects.toThrow(/^cannot start the local shell \/nonexistent\/sh: spawn \/nonexistent\/sh ENOENT$/);
  });
});

describe('LocalTransport under sudo (become), as the SSH session runs it', () => {
  it('every run is in one shell as the become user, started by sudo', async () => {
    const t = await open({ user: 'nobody' });
    try {
      const a = await t.run('echo "$(id -un) $$ ${SUDO_USER-}"\n');
      const b = await t.run('echo "$(id -un) $$ ${SUDO_USER-}"\n');
      expect(a.stdout).toMatch(/^nobody \d+ root\n$/);
      expect(b.stdout).toBe(a.stdout);
    } finally {
      t.close();
    }
  });

  it('sudo refusing (an unknown user) fails the host with what sudo said', async () => {
    const t = await open({ user: 'cnet-no-such-user' });
    const err = await t.run('true\n').catch((e: Error) => e);
    expect(err).toBeInstanceOf(BecomeError);
    expect((err as Error).message).toMatch(/^sudo did not start a shell: sudo: unknown user:? cnet-no-such-user/);
  });
});
