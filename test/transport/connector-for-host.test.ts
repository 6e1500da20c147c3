import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import type { Connection, ResolvedHost } from '../../src/inventory/types.js';
import { ConnectorForHost, isLocal } from '../../src/transport/connector-for-host.js';
import { KeyStore } from '../../src/transport/keys.js';
import { LocalTransport } from '../../src/transport/local.js';
import { SshConnector } from '../../src/transport/ssh.js';
import { resolveTarget } from '../../src/transport/target.js';

/**
 * A TCP listener on 127.0.0.1 of this machine stands for an SSH server: it counts the connections
 * it gets and ends each at once (so an SSH connection to it fails, as to a host that hangs up).
 */
let server: Server;
let port = 0;
const accepted: Socket[] = [];
beforeAll(async () => {
  server = createServer((sock) => {
    accepted.push(sock);
    sock.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const host = (name: string, extra: Partial<Connection> = {}): ResolvedHost => ({
  name,
  groups: [],
  // everything SSH would use points at the listener; a password so SSH has a way to authenticate
  connection: { address: '127.0.0.1', port, user: 'root', password: 'x', hostKeyChecking: 'off', ...extra },
  network: { bridges: [], namespaces: [] },
});

/** as a run prepares it: the key files SSH hosts' targets name (ssh's default ones here) read first */
const connector = async () => {
  const keys = new KeyStore(async () => undefined);
  await keys.load(resolveTarget(host('any'), undefined).identityFiles);
  return new ConnectorForHost(new SshConnector({ keys }));
};

describe('ConnectorForHost', () => {
  it("a host with kind 'local' runs in a local shell and never opens a connection", async () => {
    const c = await connector();
    const before = accepted.length;
    const t = await c.connect(host('self', { kind: 'local' }));
    try {
      expect(t).toBeInstanceOf(LocalTransport);
      // the shell's process group is the one the local transport started
      expect(await t.run('read -r _ _ _ _ pgid _ < /proc/$$/stat; echo "$pgid"\n')).toEqual({ stdout: `${(t as LocalTransport).pid}\n`, stderr: '', code: 0 });
    } finally {
      t.close();
      c.close();
    }
    expect(accepted.length).toBe(before);
    expect(c.addedHostKeys()).toEqual([]);
  });

  it('any other host goes over SSH to its address', async () => {
    const c = await connector();
    const before = accepted.length;
    const err = await c.connect(host('vm1'), { timeoutMs: 10_000 }).catch((e: Error) => e);
    c.close();
    expect(err).toBeInstanceOf(TransportError);
    expect(accepted.length).toBe(before + 1);
  });

  it('isLocal reads the connection kind only', () => {
    expect([isLocal(host('a', { kind: 'local' })), isLocal(host('b')), isLocal(host('localhost', { address: 'localhost' }))]).toEqual([true, false, false]);
  });
});
