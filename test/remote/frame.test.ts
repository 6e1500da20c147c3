import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { frameScript, type FrameLimit, type FrameOutput, type FrameReader } from '../../src/remote/frame.js';

/** One local `sh -s` fed framed scripts one after another, as SshSession feeds the host's shell. */
class LocalShell {
  private sh: ChildProcessWithoutNullStreams = spawn('sh', ['-s']);
  private feed?: { out(d: Buffer): void; err(d: Buffer): void };
  /** the reader of the last run */
  reader?: FrameReader;
  constructor() {
    this.sh.stdout.on('data', (d: Buffer) => this.feed?.out(d));
    this.sh.stderr.on('data', (d: Buffer) => this.feed?.err(d));
  }
  run(script: string, nonce?: string): Promise<{ stdout: string; stderr: string; code: number }> {
    return this.runFull(script, nonce).then(({ dropped: _, ...r }) => r);
  }
  runFull(script: string, nonce?: string, limit?: FrameLimit): Promise<FrameOutput & { code: number }> {
    const { text, reader } = frameScript(script, nonce, limit);
    this.reader = reader;
    return new Promise((resolve) => {
      const check = () => {
        const r = reader.result();
        if (r) resolve(r);
      };
      this.feed = {
        out: (d) => {
          reader.onStdout(d);
          check();
        },
        err: (d) => {
          reader.onStderr(d);
          check();
        },
      };
      this.sh.stdin.write(text);
    });
  }
  end(): void {
    this.sh.stdin.end();
  }
}

describe('FrameReader', () => {
  it('finds the end markers however the output is cut into chunks, a byte at a time included', () => {
    const { text, reader } = frameScript('unused', 'n1');
    expect(text).toContain('@@cnet-end-n1');
    const out = 'line\nlast'.concat('\n@@cnet-end-n1 127\n');
    const err = 'warn\n'.concat('\n@@cnet-end-n1\n');
    for (const c of out) reader.onStdout(c);
    expect(reader.result()).toBeUndefined();
    for (const c of err) reader.onStderr(c);
    expect(reader.result()).toEqual({ stdout: 'line\nlast', stderr: 'warn\n', code: 127, dropped: { stdout: 0, stderr: 0 } });
  });

  it('an exit code split across chunks; text that only looks like the marker is output', () => {
    const { reader } = frameScript('unused', 'n1');
    reader.onStdout('a\n@@cnet-end-n1 x\n@@cnet-end-n1 1000\n@@cnet-end-n1');
    reader.onStdout(' 1');
    reader.onStdout('27');
    expect(reader.result()).toBeUndefined();
    reader.onStdout('\nafter');
    reader.onStderr('\n@@cnet-end-n1\n');
    expect(reader.result()).toMatchObject({ stdout: 'a\n@@cnet-end-n1 x\n@@cnet-end-n1 1000', code: 127 });
  });

  it("reads linearly: each chunk is searched with at most a marker's length before it, however long the output (100 MiB)", () => {
    const { reader } = frameScript('unused', 'n1');
    const chunk = Buffer.alloc(32 * 1024, 'a\n');
    const chunks = 3200;
    for (let i = 0; i < chunks; i++) reader.onStdout(chunk);
    reader.onStdout('\n@@cnet-end-n1 0\n');
    reader.onStderr('\n@@cnet-end-n1\n');
    const marker = '\n@@cnet-end-n1'.length;
    expect(reader.work().scanned).toBeLessThanOrEqual(chunks * (chunk.length + marker) + 64);
    expect(reader.result()!.stdout.length).toBe(chunks * chunk.length);
  });

  it('keeps at most the limit (stdout and stderr together), counts what it dropped, cuts on a character boundary', () => {
    let overflows = 0;
    const { reader } = frameScript('unused', 'n1', { bytes: 9, onOverflow: () => overflows++ });
    reader.onStdout('12345678é'); // é is 2 bytes: the 9th byte is its first
    reader.onStderr('abc');
    reader.onStdout('more\n@@cnet-end-n1 3\n');
    reader.onStderr('\n@@cnet-end-n1\n');
    expect(reader.result()).toEqual({ stdout: '12345678', stderr: '', code: 3, dropped: { stdout: 2 + 4, stderr: 3 } });
    expect(overflows).toBe(1);
  });
});

describe('frameScript: several scripts through one shell', () => {
  let sh: LocalShell;
  afterEach(() => sh.end());

  it('gives each script its own output, stderr and exit code', async () => {
    sh = new LocalShell();
    expect(await sh.run('echo one; echo err1 >&2')).toEqual({ stdout: 'one\n', stderr: 'err1\n', code: 0 });
    expect(await sh.run('printf two; exit 3')).toEqual({ stdout: 'two', stderr: '', code: 3 });
    expect(await sh.run('false')).toEqual({ stdout: '', stderr: '', code: 1 });
  });

  it("keeps a script's variables, directory and `exit` inside it", async () => {
    sh = new LocalShell();
    await sh.run('X=1; cd /; exit 0');
    expect(await sh.run('echo "${X-unset} $(pwd)"')).toMatchObject({ stdout: `unset ${process.cwd()}\n`, code: 0 });
  });

  it('a command that reads stdin gets /dev/null, not the next script', async () => {
    sh = new LocalShell();
    expect(await sh.run('cat; echo after')).toEqual({ stdout: 'after\n', stderr: '', code: 0 });
    expect(await sh.run('echo next')).toMatchObject({ stdout: 'next\n' });
  });

  it("output that looks like another run's end marker does not end this one", async () => {
    sh = new LocalShell();
    const fake = "printf '\\n@@cnet-end-0000 0\\n'; printf '\\n@@cnet-end-0000\\n' >&2; echo real";
    expect(await sh.run(fake, '1111')).toEqual({ stdout: '\n@@cnet-end-0000 0\nreal\n', stderr: '\n@@cnet-end-0000\n', code: 0 });
  });

  it('100 MiB from a real shell, limit 1 MiB: 1 MiB kept, the rest counted, the next run reads normally; the search stays linear', async () => {
    sh = new LocalShell();
    const total = 100 * 1024 * 1024;
    const r = await sh.runFull(`head -c ${total} /dev/zero | tr '\\0' a; echo oops >&2; exit 4`, undefined, { bytes: 1024 * 1024 });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('a'.repeat(1024 * 1024));
    expect(r.dropped).toEqual({ stdout: total - 1024 * 1024, stderr: 5 });
    // every byte is searched once, plus at most the marker's length per chunk (a pipe gives chunks of 64 KiB at most)
    expect(sh.reader!.work().scanned).toBeLessThan(total * 1.01);
    expect(await sh.run('echo next')).toMatchObject({ stdout: 'next\n', code: 0 });
  });

  it('here-documents and multi-line scripts run whole', async () => {
    sh = new LocalShell();
    const script = 'while read -r l; do echo "<$l>"; done <<\'EOF\'\na b\n(c)\nEOF\ncase x in\n  x) echo matched ;;\nesac\n';
    expect(await sh.run(script)).toEqual({ stdout: '<a b>\n<(c)>\nmatched\n', stderr: '', code: 0 });
  });
});
