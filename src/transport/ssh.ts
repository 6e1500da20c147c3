import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import { HostKeyError, TransportError, errorMessage } from '../errors.js';
import type { ResolvedHost } from '../inventory/types.js';
import { showText } from '../shown.js';
import { authHandler, authMethods, type AuthTrail } from './auth.js';
import { attachShell } from './attach-shell.js';
import { remoteCommand } from './become.js';
import type { KeyStore } from './keys.js';
import { confirmsHostKey, hostKeyAlgorithmsFor, judgeHostKey, orderHostKeyAlgorithms, type HostKeyVerdict } from './openssh/host-key-policy.js';
import { appendKnownHost, knownHostsName, matchHost, readKnownHosts, recordableName, type KnownHostEntry } from './openssh/known-hosts.js';
import type { SshConfigFile } from './openssh/config-types.js';
import { FramedSession, type Shell } from './framed-session.js';
import { startProxyCommand, type ProxyProcess } from './openssh/proxy-command.js';
import { describeSshError } from './ssh-errors.js';
import { ANSIBLE_CONNECT_TIMEOUT, resolveTarget, type Become, type Hop, type Target } from './target.js';
import type { ConnectOptions, Connector, Transport } from './transport.js';

const { Client } = ssh2;
type Client = InstanceType<typeof Client>;

/** known_hosts files are read once per run and shared by all connections; what the run added, per file. */
class KnownHostsCache {
  private files = new Map<string, KnownHostEntry[]>();
  readonly added = new Map<string, number>();
  /** the entries of every file; throws InputFileError for a file that cannot be read */
  get(files: string[]): KnownHostEntry[] {
    return files.flatMap((file) => {
      let entries = this.files.get(file);
      if (!entries) this.files.set(file, (entries = readKnownHosts(file)));
      return entries;
    });
  }
  append(file: string, names: string[], key: Buffer): void {
    if (appendKnownHost(file, names, key)) this.added.set(file, (this.added.get(file) ?? 0) + 1);
    this.files.delete(file);
  }
}

class SshSession extends FramedSession {
  constructor(
    private client: Client,
    name: string,
    private become: Become | undefined,
  ) {
    super(name, {
      ended: 'the connection was closed after an earlier failure',
      lost: 'the connection was lost before the command ended (the shell had ended)',
      closed: 'the connection was closed',
    });
  }

  /** Ends the connection at once (no goodbye to a host that may not answer). */
  protected kill(): void {
    this.dead = true;
    hardClose(this.client);
  }

  /** Starts the host's shell: `sh -s`, or that under sudo once sudo has let us in. */
  protected openShell(): Promise<Shell> {
    return new Promise((resolve, reject) => {
      this.client.exec(remoteCommand(this.become), (err, stream) => {
        if (err) return reject(new TransportError(`cannot start a command: ${err.message}`, this.name, { cause: err }));
        const { shell, handshake, ended } = attachShell(stream, stream.stderr, {
          become: this.become,
          host: this.name,
          write: (t) => stream.write(t),
          feed: FramedSession.feed,
          ready: resolve,
          refuse: reject,
          abort: (e) => this.abortRun?.(e),
        });
        stream.on('close', () => ended('the connection was lost'));
        if (!handshake) resolve(shell);
      });
    });
  }

  close(): void {
    // a polite end waits for the host's answer: after a failure, there may be none
    if (!this.dead) politeEnd(this.client);
  }
}

/**
 * Closes the socket itself: ssh2's destroy() does nothing once end() has run (the socket is no
 * longer writable), and a half-closed socket to a host that stopped answering keeps the process alive.
 */
function hardClose(client: Client): void {
  client.destroy();
  (client as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
}

/** Ends a connection politely, but never waits on a host that stopped answering: closed hard after 2 s. */
function politeEnd(client: Client): void {
  const force = setTimeout(() => hardClose(client), 2000);
  force.unref();
  client.once('close', () => clearTimeout(force));
  client.end();
}

export interface SshConnectorOptions {
  /** the user's ssh config (~/.ssh/config or -F FILE), if any */
  sshConfig?: SshConfigFile;
  /** private keys, loaded (and decrypted) before the run */
  keys: KeyStore;
}

/**
 * ssh2 behind the Transport interface: one connection per host; bastions (ProxyJump) opened once
 * and shared by every host behind them, targets reached with forwardOut through them; every hop's
 * host key checked under its own name.
 */
export class SshConnector implements Connector {
  private knownHosts = new KnownHostsCache();
  private jumps = new Map<string, Promise<Client>>();

  constructor(private opts: SshConnectorOptions) {}

  target(host: ResolvedHost): Target {
    return resolveTarget(host, this.opts.sshConfig);
  }

  async connect(host: ResolvedHost, opts: ConnectOptions = {}): Promise<Transport> {
    const target = this.target(host);
    for (const n of target.notes) opts.warn?.(n);
    // a proxy that cannot be used: never a direct connection instead
    if (target.refusal) throw new TransportError(target.refusal, host.name);
    const bastion = await this.viaJumps(target.jumps, host.name, opts);
    const client = await this.open(target, host.name, opts, bastion, target.connectTimeoutMs);
    return new SshSession(client, host.name, target.become);
  }

  /** The last bastion's connection, opening (once per run) each bastion on the way through the one before. */
  private async viaJumps(jumps: Hop[], name: string, opts: ConnectOptions): Promise<Client | undefined> {
    let client: Client | undefined;
    let key = '';
    for (const hop of jumps) {
      const prev = client;
      key += `>${hop.label}`;
      let pending = this.jumps.get(key);
      if (!pending) {
        pending = this.open(hop, `bastion ${hop.label}`, { ...opts, signal: undefined }, prev);
        this.jumps.set(key, pending);
        const k = key;
        pending.then(
          (c) => c.on('close', () => this.jumps.delete(k)),
          () => this.jumps.delete(k),
        );
      }
      try {
        client = await pending;
      } catch (err) {
        throw new TransportError(`through bastion ${hop.label}: ${(err as Error).message}`, name, { cause: err });
      }
    }
    return client;
  }

  /**
   * Connects to `hop`: through `via` (a bastion's channel), else through its ProxyCommand (run
   * here, hung up when the connection ends or fails), else over TCP.
   */
  private async open(hop: Hop, name: string, opts: ConnectOptions, via?: Client, timeoutMs?: number): Promise<Client> {
    if (via) return this.openOver(hop, name, opts, await forward(via, hop), timeoutMs);
    const command = hop.proxyCommand;
    // no command to run when there is no way to authenticate (openOver says so)
    if (command?.line === undefined || authMethods(hop, this.opts.keys).methods.length === 0) return this.openOver(hop, name, opts, undefined, timeoutMs);
    const proxy = startProxyCommand(command.line, process.env, command.fdpass);
    return this.openOver(hop, name, opts, proxy.sock, timeoutMs, { proxy, written: command.written });
  }

  private openOver(
    hop: Hop,
    name: string,
    opts: ConnectOptions,
    sock?: Duplex,
    timeoutMs?: number,
    proxied?: { proxy: ProxyProcess; written: string },
  ): Promise<Client> {
    const target = hop.label;
    return new Promise((resolve, reject) => {
      const client = new Client();
      let hostKeyProblem: string | undefined;
      const trail: AuthTrail = {};
      let settled = false;
      // as ssh's ConnectTimeout: for reaching the host and its handshake, not for authentication
      const connectMs = timeoutMs ?? opts.timeoutMs ?? ANSIBLE_CONNECT_TIMEOUT * 1000;
      const timer = setTimeout(() => fail(new TransportError(`${target}: connection timed out (ConnectTimeout ${connectMs / 1000} s)`, name)), connectMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        hardClose(client);
        reject(err);
      };
      // ssh2 may emit several errors (e.g. after a handshake timeout): keep a handler for the client's life
      client.on('error', (err) => {
        if (hostKeyProblem) return fail(new HostKeyError(hostKeyProblem, name));
        const plain = () => fail(new TransportError(describeSshError(err, target, trail), name, { cause: err }));
        if (!proxied || settled) return plain();
        // the connection ended because the ProxyCommand did: say how, with what it wrote to stderr
        const { proxy, written } = proxied;
        const grace = new Promise<undefined>((r) => {
          setTimeout(() => r(undefined), proxy.done() ? 0 : 2000).unref();
        });
        void Promise.race([proxy.exited, grace]).then((how) =>
          how === undefined ? plain() : fail(new TransportError(`${target}: ProxyCommand ${showText(written)} ${how}`, name, { cause: err })),
        );
      });
      if (proxied) client.on('close', () => proxied.proxy.kill());
      client.on('handshake', () => clearTimeout(timer));
      client.on('ready', () => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        resolve(client);
      });
      opts.signal?.addEventListener('abort', () => fail(new TransportError(`${target}: ${String(opts.signal?.reason ?? 'cancelled')}`, name)), { once: true });
      const { methods, problems } = authMethods(hop, this.opts.keys);
      if (methods.length === 0)
        return fail(new TransportError(`${target}: no way to authenticate: ${problems.join('; ') || 'no key file, no ssh-agent, no password'}`, name));
      const { name: lookup, plainName } = hostKeyNames(hop);
      let serverHostKey: string[];
      try {
        const { algorithms, byKnownHosts } = hostKeyAlgorithmsFor(hop.hostKeyAlgorithms);
        serverHostKey = byKnownHosts ? orderHostKeyAlgorithms(this.hostKeyEntries(hop), lookup, algorithms) : algorithms;
        if (serverHostKey.length === 0)
          return fail(
            new HostKeyError(
              `${target}: HostKeyAlgorithms ${hop.hostKeyAlgorithms} leaves no host key algorithm cnet-remote can verify (ssh2 has no sk-* or webauthn keys)`,
              name,
            ),
          );
      } catch (err) {
        // a known_hosts file that cannot be read: no key can be checked against it
        return fail(new HostKeyError(`${errorMessage(err)}; the host key of ${target} cannot be checked`, name));
      }
      const accept = (verdict: Extract<HostKeyVerdict, { kind: 'accept' }>, key: Buffer) => {
        if (verdict.warning) opts.warn?.(verdict.warning);
        if (verdict.untrusted) {
          // as ssh with a key it does not trust: no password for a host that may be someone else
          for (let i = methods.length - 1; i >= 0; i--)
            if (methods[i]!.type === 'password' || methods[i]!.type === 'keyboard-interactive') methods.splice(i, 1);
        }
        if (verdict.record) {
          try {
            this.knownHosts.append(verdict.record.file, verdict.record.names, key);
          } catch (err) {
            // as ssh ("Failed to add the host to the list of known hosts"): said, and the connection goes on
            opts.warn?.(`could not add the host key of ${target} to ${verdict.record.file}: ${errorMessage(err)}`);
          }
        }
      };
      const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
        let verdict: HostKeyVerdict;
        try {
          verdict = judgeHostKey({
            mode: hop.hostKeyChecking,
            name: lookup,
            ...(plainName !== undefined ? { plainName } : {}),
            ...(hop.checkHostIp && !sock ? ipLookup(client, hop, lookup) : {}),
            entries: this.hostKeyEntries(hop),
            ...(hop.knownHostsFiles[0] !== undefined ? { recordIn: hop.knownHostsFiles[0] } : {}),
            recordable: recordableName(hop.hostKeyAlias ?? hop.address),
            scan: { host: hop.address, port: hop.port },
            key,
          });
        } catch (err) {
          hostKeyProblem = `${errorMessage(err)}; the host key of ${target} cannot be checked`;
          verify(false);
          return;
        }
        if (verdict.kind === 'accept') {
          accept(verdict, key);
          verify(true);
          return;
        }
        if (verdict.kind === 'refuse' || !opts.ask) {
          hostKeyProblem = verdict.kind === 'refuse' ? verdict.error : verdict.refusal;
          verify(false);
          return;
        }
        // the user's answer takes the time it takes: not the connect timeout's
        clearTimeout(timer);
        const { question, refusal, record } = verdict;
        void opts.ask(`${target}: ${question}`).then((answer) => {
          if (answer !== undefined && confirmsHostKey(answer, key)) {
            accept({ kind: 'accept', ...(record ? { record } : {}) }, key);
            verify(true);
            return;
          }
          hostKeyProblem =
            answer === undefined ? refusal : `the host key of ${target} was not accepted (answered ${JSON.stringify(answer.trim().slice(0, 40))})`;
          verify(false);
        });
      };
      try {
        client.connect({
          host: hop.address,
          port: hop.port,
          username: hop.user,
          ...(sock ? { sock } : {}),
          readyTimeout: 0,
          keepaliveInterval: 5_000,
          keepaliveCountMax: 3,
          algorithms: { serverHostKey: serverHostKey as ssh2.ServerHostKeyAlgorithm[] },
          authHandler: authHandler(methods, trail),
          hostVerifier,
        } as ssh2.ConnectConfig);
      } catch (err) {
        fail(new TransportError(describeSshError(err, target), name, { cause: err }));
      }
    });
  }

  /**
   * The hops (bastions included) whose key will have to be confirmed: StrictHostKeyChecking ask,
   * and known_hosts holds no key for the name nor an @cert-authority line covering it. A
   * known_hosts file that cannot be read is left to the connection, which fails the host with why.
   */
  hostKeysToConfirm(hosts: ResolvedHost[]): string[] {
    const labels = new Set<string>();
    for (const host of hosts) {
      const target = this.target(host);
      for (const hop of [...target.jumps, target]) {
        if (hop.hostKeyChecking !== 'ask') continue;
        const { name, plainName } = hostKeyNames(hop);
        const names = plainName !== undefined ? [name, plainName] : [name];
        let entries: KnownHostEntry[];
        try {
          entries = this.hostKeyEntries(hop);
        } catch {
          continue;
        }
        if (!names.some((n) => entries.some((e) => e.marker !== 'revoked' && matchHost(e, n)))) labels.add(hop.label);
      }
    }
    return [...labels];
  }

  /** The known keys for a hop: its UserKnownHostsFiles', then its GlobalKnownHostsFiles'. */
  private hostKeyEntries(hop: Hop): KnownHostEntry[] {
    return this.knownHosts.get([...hop.knownHostsFiles, ...hop.globalKnownHostsFiles]);
  }

  /** The host keys this run added (accept-new), per known_hosts file. */
  addedHostKeys(): { file: string; count: number }[] {
    return [...this.knownHosts.added].map(([file, count]) => ({ file, count }));
  }

  /** Ends the bastion connections. */
  close(): void {
    for (const p of this.jumps.values()) p.then(politeEnd, () => undefined);
    this.jumps.clear();
  }
}

/**
 * The names known_hosts is searched under for a hop: its HostKeyAlias, else the address (with its
 * port unless 22), then, for another port without an alias, the bare address (ssh's "checking
 * without port identifier").
 */
function hostKeyNames(hop: Hop): { name: string; plainName?: string } {
  if (hop.hostKeyAlias !== undefined) return { name: hop.hostKeyAlias };
  const name = knownHostsName(hop.address, hop.port);
  return hop.port === 22 ? { name } : { name, plainName: knownHostsName(hop.address, 22) };
}

/**
 * CheckHostIP on a direct connection: the address connected to, looked up too — unless it is the
 * loopback or already the name looked up (sshconnect.c turns the check off then, and for proxies).
 */
function ipLookup(client: Client, hop: Hop, lookup: string): { ipName?: string } {
  const raw = (client as unknown as { _sock?: { remoteAddress?: string } })._sock?.remoteAddress;
  if (!raw) return {};
  const ip = raw.replace(/^::ffff:/, '');
  if (ip.startsWith('127.') || ip === '::1') return {};
  const ipName = knownHostsName(ip, hop.port);
  return ipName === lookup || ipName === knownHostsName(hop.address, hop.port) ? {} : { ipName };
}

/** A direct-tcpip channel from `via` to `hop`, to run SSH over. */
function forward(via: Client, hop: Hop): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, hop.address, hop.port, (err, stream) =>
      err ? reject(new TransportError(`cannot reach ${hop.label} through the bastion: ${err.message}`)) : resolve(stream),
    );
  });
}
