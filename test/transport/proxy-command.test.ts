import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import type { ResolvedHost } from '../../src/inventory/types.js';
import { KeyStore } from '../../src/transport/keys.js';
import { expandProxyCommand, proxyShell, startProxyCommand } from '../../src/transport/openssh/proxy-command.js';
import { parseSshConfig } from '../../src/transport/openssh/config-read.js';
import { SshConnector } from '../../src/transport/ssh.js';
import { resolveTarget } from '../../src/transport/target.js';

/**
 * A ProxyCommand run for real: `$SHELL -c "exec COMMAND"` (sshconnect.c ssh_proxy_connect in
 * OpenSSH 9.2), here `nc` to a local TCP echo server, and commands that fail.
 */
let echo: Server;
let port: number;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-proxy-'));
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  port = (echo.address() as { port: number }).port;
});
afterAll(() => {
  echo.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('expandProxyCommand: the tokens OpenSSH 9.2 expands (h k n p r and %%), after "exec "', () => {
  it('expands them', () => {
    expect(expandProxyCommand('ssh -W %h:%p -l %r %n # %k 50%%', { host: '10.0.0.5', hostArg: 'web', port: 2200, user: 'ops' })).toBe(
      'exec ssh -W 10.0.0.5:2200 -l ops web # web 50%',
    );
    expect(expandProxyCommand('x %k', { host: 'h', hostArg: 'n', port: 22, user: 'u', hostKeyAlias: 'alias' })).toBe('exec x alias');
  });
  it('refuses a token ssh does not expand there (ssh: "percent_expand: unknown key")', () => {
    expect(() => expandProxyCommand('nc %h %d', { host: 'h', hostArg: 'n', port: 22, user: 'u' })).toThrow('unknown token %d');
  });
  it('runs under $SHELL, else /bin/sh, as ssh does', () => {
    expect(proxyShell({ SHELL: '/bin/bash' })).toBe('/bin/bash');
    expect(proxyShell({ SHELL: '' })).toBe('/bin/sh');
    expect(proxyShell({})).toBe('/bin/sh');
  });
});

describe('startProxyCommand', () => {
  it('its stdin and stdout are the connection: bytes go through nc to a TCP echo server and back', async () => {
    const p = startProxyCommand(expandProxyCommand('nc %h %p', { host: '127.0.0.1', hostArg: 'echo', port, user: 'u' }));
    const got = new Promise<string>((resolve) => {
      let text = '';
      p.sock.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) resolve(text);
      });
    });
    p.sock.write('hello through nc\n');
    expect(await got).toBe('hello through nc\n');
    p.sock.destroy();
    // it ends with the connection: hung up, or done first by itself (its stdin closed, the echo server closing too)
    expect(await p.exited).toMatch(/^(was ended by SIGHUP|exited with status 0)$/);
    expect(p.done()).toBe(true);
  });

  it('a command that fails: its status and the last line it wrote to stderr', async () => {
    const p = startProxyCommand('exec sh -c \'echo "warming up" >&2; echo "bastion.example: Permission denied" >&2; exit 3\'');
    expect(await p.exited).toBe('exited with status 3: bastion.example: Permission denied');
    expect(p.done()).toBe(true);
  });

  it('hanging up reaches what the command started, in its own process group, and nothing else', async () => {
    const pidFile = join(dir, 'child.pid');
    const p = startProxyCommand(`exec sh -c 'sleep 600 & echo $! > ${pidFile}; wait'`);
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 20));
    const child = Number(readFileSync(pidFile, 'utf8'));
    // the command's group is its own, not ours
    expect(
      execFileSync('ps', ['-o', 'pgid=', '-p', String(child)])
        .toString()
        .trim(),
    ).toBe(String(p.pid));
    p.kill();
    expect(await p.exited).toBe('was ended by SIGHUP');
    // the background sleep got the hangup too (it is reaped by init once it dies)
    for (let i = 0; i < 250 && existsSync(`/proc/${child}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${child}/status`, 'utf8')); i++)
      await new Promise((r) => setTimeout(r, 20));
    const state = existsSync(`/proc/${child}/status`) ? /^State:\s+(\S)/m.exec(readFileSync(`/proc/${child}/status`, 'utf8'))?.[1] : 'gone';
    expect(['gone', 'Z']).toContain(state);
  });
});

describe('SshConnector through a ProxyCommand that fails', () => {
  const host = (commonArgs: string): ResolvedHost => ({
    name: 'box',
    groups: ['all'],
    connection: { address: '192.0.2.1', password: 'x', commonArgs },
    network: { bridges: [], namespaces: [] },
  });
  /** as a run prepares it: every key file the host's target names read first (ssh's default ones here) */
  const connector = async (h: ResolvedHost) => {
    const sshConfig = parseSshConfig('', { file: 'test.config', homeDir: dir });
    const keys = new KeyStore(async () => undefined);
    await keys.load(resolveTarget(h, sshConfig).identityFiles);
    return new SshConnector({ sshConfig, keys });
  };

  it('is unreachable with what the command said, never connected to directly', async () => {
    const failing = join(dir, 'failing-proxy.sh');
    writeFileSync(failing, 'echo "channel 0: open failed: connect failed: No route to host ($1 $2)" >&2\nexit 1\n');
    const h = host(`-o 'ProxyCommand=sh ${failing} %h %p'`);
    const err = await (await connector(h)).connect(h).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).message).toBe(
      `${userInfo().username}@192.0.2.1: ProxyCommand "sh ${failing} %h %p" exited with status 1: channel 0: open failed: connect failed: No route to host (192.0.2.1 22)`,
    );
  });

  it('a server that is not SSH behind nc: the connection fails and the command is ended', async () => {
    const silent = createServer((s) => s.end('not ssh\r\n'));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const p = (silent.address() as { port: number }).port;
    try {
      const h = host(`-o 'ProxyCommand=nc 127.0.0.1 ${p}'`);
      const err = await (await connector(h)).connect(h, { timeoutMs: 1000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).message).toMatch(new RegExp(`^${userInfo().username}@192\\.0\\.2\\.1: `));
    } finally {
      silent.close();
    }
  });
});
