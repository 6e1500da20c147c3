import type { Mismatch } from './finding.js';
import type { Shard } from './shard.js';

/** What one host's run came to. This object is the report: `--json` prints it, the recap renders it. */
export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable';

/** One connectivity probe: a ping from a namespace (or the host) to an address the inventory names. */
/** `fabric`: from a container on this host to one on another member of the fabric */
export type ProbeKind = 'peer' | 'gateway' | 'host' | 'upstream' | 'fabric';

export interface ProbeResult {
  kind: ProbeKind;
  /** namespace name, or "host" */
  from: string;
  /** namespace name, bridge name, "upstream", or (fabric) "HOST/NAMESPACE" */
  to: string;
  target: string;
  ok: boolean;
  /** round-trip time of the answered ping */
  latencyMs?: number;
  /** for a failed probe: the likely cause, from what the facts show */
  cause?: string;
}

/** Something on the host that breaks or will break the network although `ip` state looks right. */
export interface HostWarning {
  message: string;
  /** the command that fixes it */
  fix?: string;
}

/** `exec`: one run of the command on a host (in a namespace, with `--ns`). */
export interface ExecOutput {
  /** the network namespace it ran in; absent: on the host itself */
  ns?: string;
  /** its exit code; null when the host gave none (the command was killed by a signal) */
  code: number | null;
  stdout: string;
  stderr: string;
  /** bytes of its output dropped past exec's --max-output, when any were */
  dropped?: { stdout: number; stderr: number };
}

export interface HostResult {
  name: string;
  status: HostStatus;
  /** number of commands applied on the host */
  changes: number;
  /** the commands applied (or, for `plan`, that would be), as shell text */
  steps: string[];
  /** read-back matched the desired state (for `down`: nothing cnet-remote owns is left) */
  verified: boolean;
  mismatches: Mismatch[];
  error?: string;
  /** desired objects compared, by path (`bridges.br0`, `namespaces.pb`, `bridges.br0.nat`, `ip_forward`):
   * one is good when no mismatch is about it (`objectPath(m.object)`) */
  checked?: string[];
  probes?: ProbeResult[];
  /** e.g. FORWARD policy DROP, or a changed host key accepted under cnet_host_key_checking: off */
  warnings?: HostWarning[];
  /** `exec`: the command's output and exit code, per namespace it ran in */
  exec?: ExecOutput[];
  /** the firewall backend that writes (or would write) the host's NAT rules, and why: for a host with NAT */
  firewall?: FirewallUsed;
  durationMs: number;
}

export interface FirewallUsed {
  backend: 'iptables' | 'nftables';
  why: string;
}

export interface RunSummary {
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
}

/** What a run worked on: `report merge` joins only the shards of one run. */
export interface RunScope {
  /** the hosts asked for (after --limit, before --shard) and their networks, as a hash; and how many */
  inventory?: { fingerprint: string; hosts: number };
  /** --shard K/N; absent: every host */
  shard?: Shard;
  /** a merge of shards that lacks some: which (of how many), and how many hosts they hold */
  missing?: { shards: number[]; of: number; hosts: number };
}

/** The scope's fields of a result, for another view of the same run (`exec --json`). */
export function scopeOf({ inventory, shard, missing }: RunScope): RunScope {
  return { ...(inventory ? { inventory } : {}), ...(shard ? { shard } : {}), ...(missing ? { missing } : {}) };
}

export interface RunResult extends RunScope {
  command: string;
  hosts: HostResult[];
  summary: RunSummary;
  durationMs: number;
}

export function summarize(hosts: HostResult[]): RunSummary {
  const summary: RunSummary = { ok: 0, changed: 0, failed: 0, unreachable: 0 };
  for (const h of hosts) summary[h.status]++;
  return summary;
}
