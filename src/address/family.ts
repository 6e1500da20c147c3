import { ipv4, type Cidr as Ipv4Cidr } from './ipv4.js';
import { ipv6, type Cidr as Ipv6Cidr } from './ipv6.js';

/**
 * An address family (IPv4, IPv6): what the pipeline asks of the addresses it plans
 * with, so that the places that differ by family (the forwarding sysctl, `ip -4`/`-6`, the
 * firewall's command, the prefix limits) ask the subnet's family instead of assuming IPv4. A
 * resolved subnet (a bridge's, a fabric's) carries its family in its representation: `familyOf`.
 */
export interface AddressFamily {
  name: 'ipv4' | 'ipv6';
  /** its name in `ip -json` output (an address's, a route's `family`) */
  ipName: 'inet' | 'inet6';
  /** `ip`'s flag for this family */
  ipFlag: '-4' | '-6';
  /** address length in bits: the longest prefix (a host route) */
  bits: number;
  /** the prefix lengths an inventory subnet may have */
  subnetPrefix: { readonly min: number; readonly max: number };
  /** the kernel switch that routes between interfaces: its sysctl key and its /proc file */
  forwarding: { sysctl: string; proc: string };
  /** is this subnet one of this family's? */
  owns(c: Cidr): boolean;
  isAddress(text: string): boolean;
  /** `address/len`, checked as inventory subnets are (in range, no host bits); the error text instead of throwing */
  parseCidr(text: string): Cidr | string;
  formatCidr(c: Cidr): string;
  overlaps(a: Cidr, b: Cidr): boolean;
  /** the subnet of that length an address is in (any prefix length up to `bits`: a route's, not only an inventory's) */
  subnetOf(address: string, prefix: number): Cidr;
  /** is the address (of this family) in the subnet? */
  contains(c: Cidr, address: string): boolean;
  /** the address as `ip` prints it (one text per address: the key addresses are compared by) */
  canonical(address: string): string;
  /** the subnet's address `n` after its network address, as text; undefined when that is not a host address */
  addressAt(c: Cidr, n: number): string | undefined;
  /** why an address (of this family) cannot be a host's in the subnet: 'outside', or the reserved address it is; undefined when it can */
  hostAddressProblem(c: Cidr, address: string): string | undefined;
  /** masquerade the subnet's traffic when the inventory does not say: IPv4 always, IPv6 for unique local prefixes (global ones are routed) */
  defaultNat(c: Cidr): boolean;
}

/** A subnet of one of the families. */
export type Cidr = Ipv4Cidr | Ipv6Cidr;

/** In the order a host's addresses are listed and planned: IPv4's first. */
export const FAMILIES: readonly AddressFamily[] = [ipv4, ipv6];

/** The family of a resolved subnet. */
export function familyOf(c: Cidr): AddressFamily {
  return FAMILIES.find((f) => f.owns(c)) ?? ipv4;
}

/** The family an address (or `address/len`) is written in; IPv4 (whose messages then apply) when none reads it. */
export function familyOfText(text: string): AddressFamily {
  const address = text.split('/')[0] ?? '';
  return FAMILIES.find((f) => f.isAddress(address)) ?? ipv4;
}

export const formatCidr = (c: Cidr): string => familyOf(c).formatCidr(c);

export const parseCidr = (text: string): Cidr | string => familyOfText(text).parseCidr(text);

/** Two subnets share an address (never when their families differ). */
export const overlaps = (a: Cidr, b: Cidr): boolean => familyOf(a) === familyOf(b) && familyOf(a).overlaps(a, b);

/** An address of any family. */
export const isAddress = (text: string): boolean => FAMILIES.some((f) => f.isAddress(text));
