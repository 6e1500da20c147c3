import type { FirewallBackend } from './backend.js';
import { iptables } from './iptables.js';

/** The firewall backend every stage asks (the one place it is chosen): iptables, until nftables joins. */
export const firewall: FirewallBackend = iptables;
