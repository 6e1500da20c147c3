import type { ResolvedHost } from '../inventory/types.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** null when the connection dropped before the command exited */
  code: number | null;
}

/** One open session to a host. `run` feeds a shell script to `sh -s` and collects its output. */
export interface Transport {
  run(script: string, opts?: { timeoutMs?: number }): Promise<ExecResult>;
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
}
