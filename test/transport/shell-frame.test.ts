import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { frameScript } from '../../src/transport/shell-frame.js';

/** One local `sh -s` fed framed scripts one after another, as SshSession feeds the host's shell. */
class LocalShell {
  private sh: ChildProcessWithoutNullStreams = spawn('sh', ['-s']);
  private feed?: { out(d: string): void; err(d: string): void };
  constructor() {
    this.sh.stdout.setEncoding('utf8').on('data', (d: string) => this.feed?.out(d));
    this.sh.stderr.setEncoding('utf8').on('data', (d: string) => this.feed?.err(d));
  }
  run(script: string, nonce?: string): Promise<{ stdout: string; stderr: string; code: number }> {
    const { text, reader } = frameScript(script, nonce);
    return new Promise((resolve) => {
      const check = () => {
        const r = reader.result();
        if (r) resolve(r);
      };
      this.feed = { out: (d) => (reader.onStdout(d), check()), err: (d) => (reader.onStderr(d), check()) };
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
    expect(reader.result()).toEqual({ stdout: 'line\nlast', stderr: 'warn\n', code: 127 });
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

  it('keeps a script\'s variables, directory and `exit` inside it', async () => {
    sh = new LocalShell();
    await sh.run('X=1; cd /; exit 0');
    expect(await sh.run('echo "${X-unset} $(pwd)"')).toMatchObject({ stdout: `unset ${process.cwd()}\n`, code: 0 });
  });

  it('a command that reads stdin gets /dev/null, not the next script', async () => {
    sh = new LocalShell();
    expect(await sh.run('cat; echo after')).toEqual({ stdout: 'after\n', stderr: '', code: 0 });
    expect(await sh.run('echo next')).toMatchObject({ stdout: 'next\n' });
  });

  it('output that looks like another run\'s end marker does not end this one', async () => {
    sh = new LocalShell();
    const fake = "printf '\\n@@cnet-end-0000 0\\n'; printf '\\n@@cnet-end-0000\\n' >&2; echo real";
    expect(await sh.run(fake, '1111')).toEqual({ stdout: '\n@@cnet-end-0000 0\nreal\n', stderr: '\n@@cnet-end-0000\n', code: 0 });
  });

  it('here-documents and multi-line scripts run whole', async () => {
    sh = new LocalShell();
    const script = "while read -r l; do echo \"<$l>\"; done <<'EOF'\na b\n(c)\nEOF\ncase x in\n  x) echo matched ;;\nesac\n";
    expect(await sh.run(script)).toEqual({ stdout: '<a b>\n<(c)>\nmatched\n', stderr: '', code: 0 });
  });
});
