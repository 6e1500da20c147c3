import type { ResolvedHost } from '../inventory/types.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** null when the connection dropped before the command exited */
  code: number | null;
  /** bytes dropped past `maxOutput` (with `truncate`), when any were */
  dropped?: { stdout: number; stderr: number };
}

/**
 * What one run may print (stdout and stderr together) unless told otherwise. A gather of a host
 * with 1000 namespaces (a veth pair each, on a bridge) prints 4.5 MiB (measured); no sane ip/iptables
 * output comes near this.
 */
export const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;

/** A size for people: `64 MiB`, `1.5 MiB`, `512 KiB`, `17 bytes`. */
export function mib(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return bytes >= 1024 ? `${+(bytes / 1024).toFixed(1)} KiB` : `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

export interface RunOptions {
  timeoutMs?: number;
  /** aborting it ends the connection: the host's deadline */
  signal?: AbortSignal;
  /** bytes of output kept (stdout and stderr together); default DEFAULT_MAX_OUTPUT */
  maxOutput?: number;
  /**
   * past maxOutput: keep reading, drop the rest and count it (exec); without it the run fails at
   * once and the connection is closed (a gather or a transaction: its output is not sane)
   */
  truncate?: boolean;
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
  /**
   * Asks the user at a terminal (StrictHostKeyChecking ask: a new host's key) and resolves to the
   * answer. Absent: there is no terminal, and what would be asked is refused.
   */
  ask?: (question: string) => Promise<string | undefined>;
}

export interface Connector {
  connect(host: ResolvedHost, opts?: ConnectOptions): Promise<Transport>;
  /** ends what is shared between hosts (bastion connections) */
  close?(): void;
}
