import type { FirewallSetting } from '../inventory/types.js';
import type { FirewallBackend, FirewallObject } from './backend.js';
import { iptables } from './iptables.js';
import { nftables } from './nftables.js';
import type { FirewallFacts } from './types.js';

export const BACKENDS: readonly FirewallBackend[] = [iptables, nftables];

/** The backend an object of ours is in (whichever is chosen now: what is ours anywhere is found and removed). */
export const backendOf = (o: FirewallObject): FirewallBackend => (o.kind === 'nft-table' || o.nftables ? nftables : iptables);

export interface FirewallChoice {
  backend: FirewallBackend;
  /** why, for `-v` and `--json` */
  why: string;
}

/**
 * The host's backend. Asked for one, that one (a host without it is refused by its `unusable`).
 * `auto`, in this order:
 * 1. where cnet-remote's rules are already: a host is never moved from one to the other unasked;
 * 2. iptables, when it answers: the tool whose rules Docker, kube-proxy, Flannel and the seeds'
 *    tutorials write, where the host's owner looks (and iptables-legacy stays one framework:
 *    legacy and nf_tables rules both judge each packet, and neither tool shows the other's);
 * 3. nftables, when `nft` answers (a host without iptables: Debian 13 minimal, RHEL 10);
 * 4. else nftables, whose `unusable` says what to install.
 * `cnet.firewall: nftables` moves a host to its own table (up removes the iptables rules).
 */
export function chooseFirewall(asked: FirewallSetting | undefined, facts: FirewallFacts): FirewallChoice {
  if (asked === 'nftables' || asked === 'iptables') return { backend: asked === 'nftables' ? nftables : iptables, why: `cnet.firewall: ${asked}` };
  const auto = (backend: FirewallBackend, because: string): FirewallChoice => ({ backend, why: `auto: ${because}` });
  if (nftables.owned(facts).some((o) => o.kind === 'nat')) return auto(nftables, 'its NAT rules are in nftables already');
  if (iptables.owned(facts).length) return auto(iptables, 'its NAT rules are in iptables already');
  if (facts.nat.available) return auto(iptables, `iptables${facts.nat.variant ? ` (${facts.nat.variant})` : ''} answers`);
  // facts that say nothing of nftables (recorded before it was read) are iptables' as they were
  if (!facts.nft) return auto(iptables, 'nftables was not read');
  if (facts.nft?.available) return auto(nftables, 'iptables is not installed, nft is');
  return auto(nftables, 'neither iptables nor nft answered');
}
