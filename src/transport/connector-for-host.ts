import type { ResolvedHost } from '../inventory/types.js';
import { LocalConnector } from './local.js';
import type { SshConnector } from './ssh.js';
import type { ConnectOptions, Connector, Transport } from './transport.js';

/** The host is the controller itself (`ansible_connection: local`): no SSH, no keys, no host key. */
export function isLocal(host: ResolvedHost): boolean {
  return host.connection.kind === 'local';
}

/**
 * The run's one connector: each host goes to the transport its connection names — the local
 * shell for `kind: 'local'`, SSH otherwise. Host keys added are SSH's; closing ends both.
 */
export class ConnectorForHost implements Connector {
  constructor(
    readonly ssh: SshConnector,
    readonly local: Connector = new LocalConnector(),
  ) {}

  connect(host: ResolvedHost, opts?: ConnectOptions): Promise<Transport> {
    return isLocal(host) ? this.local.connect(host, opts) : this.ssh.connect(host, opts);
  }

  /** SshConnector.hostKeysToConfirm for the SSH hosts. */
  hostKeysToConfirm(hosts: ResolvedHost[]): string[] {
    return this.ssh.hostKeysToConfirm(hosts.filter((h) => !isLocal(h)));
  }

  /** The host keys this run added, per known_hosts file: SSH hosts only have them. */
  addedHostKeys(): { file: string; count: number }[] {
    return this.ssh.addedHostKeys();
  }

  close(): void {
    this.ssh.close();
    this.local.close?.();
  }
}
