import type { ResolvedHost } from '../inventory/types.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** null when the connection dropped before the command exited */
  code: number | null;
}

export interface RunOptions {
  timeoutMs?: number;
  /** aborting it ends the connection: the host's deadline */
  signal?: AbortSignal;
}

/**
 * One open session to a host. `run` feeds a shell script to the host's `sh -s` (under sudo when
 * asked) and collects its output and exit code; runs go one after another through that one shell.
 */
export interface Transport {
  run(script: string, opts?: RunOptions): Promise<ExecResult>;
  close(): void;
}

export interface ConnectOptions {
  signal?: AbortSignal;
  /** connect + handshake + authentication */
  timeoutMs?: number;
  /** host-key warnings (mode `off`) go here */
  warn?: (message: string) => void;
}

export interface Connector {
  connect(host: ResolvedHost, opts?: ConnectOptions): Promise<Transport>;
  /** ends what is shared between hosts (bastion connections) */
  close?(): void;
}
