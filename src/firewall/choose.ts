import type { FirewallSetting } from '../inventory/types.js';
import type { FirewallBackend, FirewallObject } from './backend.js';
import { iptables } from './iptables.js';
import { nftables } from './nftables.js';
import type { FamilyName, FirewallFacts } from './types.js';

export const BACKENDS: readonly FirewallBackend[] = [iptables, nftables];

/** The backend an object of ours is in (whichever is chosen now: what is ours anywhere is found and removed). */
export const backendOf = (o: FirewallObject): FirewallBackend => (o.kind === 'nft-table' || o.nftables ? nftables : iptables);

export interface FirewallChoice {
  backend: FirewallBackend;
  /** why, for `-v` and `--json` */
  why: string;
}

/**
 * The host's backend: one for both address families. Asked for one, that one (a host without it
 * is refused by its `unusable`). `auto`, in this order:
 * 1. where cnet-remote's rules are already: a host is never moved from one to the other unasked
 *    (where ip6tables cannot take the IPv6 rules, iptables' `unusable(facts, 'ipv6')` says so and
 *    names `cnet.firewall: nftables`);
 * 2. iptables, when it answers and, on a host that NATs IPv6, ip6tables is not known to fail: the
 *    tool whose rules Docker, kube-proxy, Flannel and the seeds' tutorials write, where the host's
 *    owner looks (and iptables-legacy stays one framework: legacy and nf_tables rules both judge
 *    each packet, and neither tool shows the other's);
 * 3. iptables answers but ip6tables failed on a host that NATs IPv6: nftables when `nft` answers
 *    (its inet table takes both families), else iptables (whose `unusable` says what to install);
 * 4. facts that say nothing of nftables (recorded before it was read): iptables, as they were;
 * 5. nftables, when `nft` answers (a host without iptables: Debian 13 minimal, RHEL 10);
 * 6. else nftables, whose `unusable` says what to install.
 * `families`: the address families of the host's NAT rules (bridges with `nat`: IPv4; with
 * `nat6`: IPv6); IPv4 alone when not said, as before IPv6. `cnet.firewall: nftables` moves a host
 * to its own table (up removes the iptables rules).
 */
export function chooseFirewall(asked: FirewallSetting | undefined, facts: FirewallFacts, families: readonly FamilyName[] = ['ipv4']): FirewallChoice {
  if (asked === 'nftables' || asked === 'iptables') return { backend: asked === 'nftables' ? nftables : iptables, why: `cnet.firewall: ${asked}` };
  const auto = (backend: FirewallBackend, because: string): FirewallChoice => ({ backend, why: `auto: ${because}` });
  if (nftables.owned(facts).some((o) => o.kind === 'nat')) return auto(nftables, 'its NAT rules are in nftables already');
  if (iptables.owned(facts).length) return auto(iptables, 'its NAT rules are in iptables already');
  const variant = facts.nat.variant ? ` (${facts.nat.variant})` : '';
  // ip6tables read and failing (not installed, no ip6tables nat table in the kernel): known not to take IPv6 NAT
  const ip6Fails = families.includes('ipv6') && facts.nat6?.available === false;
  if (facts.nat.available && !ip6Fails) return auto(iptables, `iptables${variant} answers`);
  if (facts.nat.available && facts.nft?.available) return auto(nftables, 'the host NATs IPv6 and ip6tables does not answer, nft does');
  if (facts.nat.available) return auto(iptables, `iptables${variant} answers (ip6tables does not, nor does nft)`);
  // facts that say nothing of nftables (recorded before it was read) are iptables' as they were
  if (!facts.nft) return auto(iptables, 'nftables was not read');
  if (facts.nft?.available) return auto(nftables, 'iptables is not installed, nft is');
  return auto(nftables, 'neither iptables nor nft answered');
}
