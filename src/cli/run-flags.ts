import { Option, type Command } from 'commander';
import { setMaxListeners } from 'node:events';
import { UsageError } from '../errors.js';
import { DEFAULT_FORKS } from '../run/run-hosts.js';
import type { AnsibleSettings } from '../inventory/ansible/ansible-cfg.js';
import { addInventoryOptions, type InventoryFlags } from './inventory-inputs.js';
import type { Output } from './output.js';
import { ANSIBLE_CONNECT_TIMEOUT } from '../transport/target.js';

/** The flags of every command that works on hosts over SSH (`up`, `plan`, `verify`, `down`, `confirm`, `exec`). */
export interface HostFlags extends InventoryFlags {
  limit?: string;
  shard?: string;
  forks?: string;
  json?: boolean;
  timeout?: string;
  retryFile?: string;
  sshConfig?: string;
  retries: string;
  deadline: string;
}

export function nonNegativeInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be 0 or a positive integer, got "${v}"`);
  return n;
}

export function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

/** Adds the HostFlags options to `cmd`; `json` says what `--json` prints. */
export function addHostOptions(cmd: Command, json: string): Command {
  return addInventoryOptions(cmd)
    .option('-l, --limit <pattern>', "only these hosts: Ansible's patterns (a:b, a,b, &a, !a, web*, ~regex, @retry-file)")
    .option(
      '--shard <K/N>',
      "only the K-th of N slices of those hosts (AWX's job slicing: by name, every N-th), for N runs at once; Kubernetes' JOB_COMPLETION_INDEX is K-1",
    )
    .option('-f, --forks <n>', `hosts worked on in parallel (default: forks in ansible.cfg, else ${DEFAULT_FORKS})`)
    .option('--json', json)
    .addOption(new Option('--timeout <seconds>', `SSH connect timeout (default: timeout in ansible.cfg, else ${DEFAULT_TIMEOUT})`))
    .option('--retry-file <file>', 'write the hosts that failed or were unreachable, for a later --limit @file')
    .option('-F, --ssh-config <file>', 'the ssh client config to read (default: ~/.ssh/config)')
    .option('--retries <n>', 'retry an unreachable host N times, with backoff (1 s, 2 s, 4 s …)', '0')
    .option('--deadline <seconds>', 'per host, for everything: past it the connection is ended and the host is unreachable', '600');
}

/** Ansible's `timeout` default, which it gives ssh as -o ConnectTimeout */
const DEFAULT_TIMEOUT = ANSIBLE_CONNECT_TIMEOUT;

/** HostFlags' numbers, checked (a UsageError for a bad one); forks and timeout not given come from ansible.cfg / ANSIBLE_*. */
export function hostSettings(
  flags: HostFlags,
  settings: Pick<AnsibleSettings, 'forks' | 'timeout'> = {},
): { forks: number; timeout: number; retries: number; deadline: number } {
  return {
    forks: flags.forks !== undefined ? positiveInt('--forks', flags.forks) : (settings.forks?.value ?? DEFAULT_FORKS),
    timeout: flags.timeout !== undefined ? positiveInt('--timeout', flags.timeout) : (settings.timeout?.value ?? DEFAULT_TIMEOUT),
    retries: nonNegativeInt('--retries', flags.retries),
    deadline: positiveInt('--deadline', flags.deadline),
  };
}

export interface InterruptTrap {
  /** the first Ctrl-C: start no more hosts */
  interrupt: AbortSignal;
  /** the second: end the running hosts' connections too */
  abort: AbortSignal;
  /** stop listening for SIGINT */
  release(): void;
}

/** Ctrl-C: start no more hosts, let running ones finish; twice: end their connections too. */
export function trapInterrupt(out: Output, message: string): InterruptTrap {
  const interrupt = new AbortController();
  const abort = new AbortController();
  // every running host listens for the second Ctrl-C
  setMaxListeners(0, abort.signal);
  const onSigint = () => {
    if (interrupt.signal.aborted) abort.abort();
    else {
      interrupt.abort();
      out.note(message);
    }
  };
  process.on('SIGINT', onSigint);
  return { interrupt: interrupt.signal, abort: abort.signal, release: () => process.off('SIGINT', onSigint) };
}
