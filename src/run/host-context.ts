import type { HostFacts } from '../facts/types.js';
import type { ResolvedHost } from '../inventory/types.js';
import type { Mismatch } from '../result/finding.js';
import type { ExecOutput, FirewallUsed, HostWarning, ProbeResult } from '../result/result.js';
import type { Transport } from '../transport/transport.js';
import type { Phase } from './events.js';
import type { FaultPause } from './fault-pause.js';

/** What an operation found on one host; run-hosts.ts turns it into a HostResult. */
export interface HostOutcome {
  changed: boolean;
  steps: string[];
  changes: number;
  verified: boolean;
  mismatches: Mismatch[];
  checked?: string[];
  probes?: ProbeResult[];
  warnings?: HostWarning[];
  error?: string;
  /** the host's state as last read (for pictures of it); not part of the result */
  facts?: HostFacts;
  /** `exec`: what the command printed and its exit code, per namespace it ran in */
  exec?: ExecOutput[];
  firewall?: FirewallUsed;
}

export interface OperationOptions {
  /** run the probe matrix after verifying */
  probe: boolean;
  /** `up`: `down` first, then build from a clean slate */
  rebuild: boolean;
  /** seconds to wait for another run's lock on a host (0: fail at once) */
  lockWait: number;
  /** `up`: the host reverts the run unless a fresh connection confirms it within this many seconds */
  confirmTimeout?: number;
  /** with confirmTimeout: leave the confirmation to `cnet-remote confirm` */
  manualConfirm?: boolean;
  /** `up`/`plan`: remove what is cnet-remote's and the inventory no longer names; `verify`: count it as a mismatch (else: a warning) */
  prune: boolean;
  /** test-only fault injection (fault-pause.ts): every transaction sleeps after this step */
  faultPause?: FaultPause;
}

export interface HostContext {
  host: ResolvedHost;
  transport: Transport;
  phase(p: Phase): void;
  execTimeoutMs: number;
  options: OperationOptions;
  /** the host's deadline: aborting ends its connection */
  signal?: AbortSignal;
  /** the command's name (`up`, …, or `exec`): the lock holder names it */
  command: string;
  /** a second, fresh connection to the same host */
  reconnect?: () => Promise<Transport>;
}

export type Command = 'up' | 'plan' | 'verify' | 'down' | 'confirm';
export type HostOperation = (ctx: HostContext) => Promise<HostOutcome>;
