import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { HostKeyError, TransportError } from '../errors.js';
import type { ResolvedHost } from '../inventory/types.js';
import { appendKnownHost, checkHostKey, decideHostKey, readKnownHosts, type KnownHostEntry } from './known-hosts.js';
import { describeSshError } from './ssh-errors.js';
import type { ConnectOptions, Connector, ExecResult, Transport } from './transport.js';

const { Client } = ssh2;
type AuthMethod = { type: 'publickey'; username: string; key: Buffer } | { type: 'agent'; username: string; agent: string };

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

function authMethods(host: ResolvedHost): AuthMethod[] {
  const username = host.connection.user;
  const methods: AuthMethod[] = [];
  const files = host.connection.privateKeyFile
    ? [host.connection.privateKeyFile]
    : DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)).filter((f) => existsSync(f));
  for (const file of files) {
    let key: Buffer;
    try {
      key = readFileSync(file);
    } catch (err) {
      throw new TransportError(`cannot read private key ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`, host.name);
    }
    methods.push({ type: 'publickey', username, key });
  }
  if (process.env.SSH_AUTH_SOCK) methods.push({ type: 'agent', username, agent: process.env.SSH_AUTH_SOCK });
  if (methods.length === 0) throw new TransportError('no SSH key: set ansible_ssh_private_key_file or load a key into ssh-agent', host.name);
  return methods;
}

/** known_hosts files are read once per run and shared by all connections. */
class KnownHostsCache {
  private files = new Map<string, KnownHostEntry[]>();
  get(file: string): KnownHostEntry[] {
    let entries = this.files.get(file);
    if (!entries) this.files.set(file, (entries = readKnownHosts(file)));
    return entries;
  }
  append(file: string, host: string, port: number, key: Buffer): void {
    appendKnownHost(file, host, port, key);
    this.files.delete(file);
  }
}

class SshSession implements Transport {
  constructor(
    private client: InstanceType<typeof Client>,
    private name: string,
  ) {}

  run(script: string, opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (opts.timeoutMs) {
        timer = setTimeout(() => {
          this.client.destroy();
          reject(new TransportError(`command timed out after ${opts.timeoutMs} ms`, this.name));
        }, opts.timeoutMs);
      }
      this.client.exec('sh -s', (err, stream) => {
        if (err) {
          clearTimeout(timer);
          reject(new TransportError(`cannot start a command: ${err.message}`, this.name, { cause: err }));
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let code: number | null = null;
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => errOut.push(d));
        stream.on('exit', (c: number | null) => (code = c));
        stream.on('close', () => {
          clearTimeout(timer);
          resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8'), code });
        });
        stream.end(script);
      });
    });
  }

  close(): void {
    this.client.end();
  }
}

/** ssh2 behind the Transport interface: key auth, known_hosts checking, one connection per host. */
export class SshConnector implements Connector {
  private knownHosts = new KnownHostsCache();

  connect(host: ResolvedHost, opts: ConnectOptions = {}): Promise<Transport> {
    const { address, port, user, hostKeyChecking, knownHostsFile } = host.connection;
    const target = `${user}@${address}${port === 22 ? '' : `:${port}`}`;
    return new Promise((resolve, reject) => {
      const client = new Client();
      let hostKeyProblem: string | undefined;
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        client.destroy();
        reject(err);
      };
      // ssh2 may emit several errors (e.g. after a handshake timeout): keep a handler for the client's life
      client.on('error', (err) => fail(hostKeyProblem ? new HostKeyError(hostKeyProblem, host.name) : new TransportError(describeSshError(err, target), host.name, { cause: err })));
      client.on('ready', () => {
        if (settled) return;
        settled = true;
        resolve(new SshSession(client, host.name));
      });
      opts.signal?.addEventListener('abort', () => fail(new TransportError(`${target}: cancelled`, host.name)), { once: true });
      try {
        client.connect({
          host: address,
          port,
          username: user,
          readyTimeout: opts.timeoutMs ?? 15_000,
          keepaliveInterval: 5_000,
          keepaliveCountMax: 3,
          authHandler: authMethods(host),
          hostVerifier: (key: Buffer) => {
            const result = checkHostKey(this.knownHosts.get(knownHostsFile), address, port, key);
            const decision = decideHostKey(hostKeyChecking, result, address, port, key, knownHostsFile);
            if (decision.warning) opts.warn?.(decision.warning);
            if (decision.error) hostKeyProblem = decision.error;
            if (decision.append) this.knownHosts.append(knownHostsFile, address, port, key);
            return decision.accept;
          },
        } as ssh2.ConnectConfig);
      } catch (err) {
        fail(err instanceof TransportError ? err : new TransportError(describeSshError(err, target), host.name, { cause: err }));
      }
    });
  }
}
