import { ipv4, type Cidr as Ipv4Cidr } from './ipv4.js';

/**
 * An address family (IPv4 today, IPv6 next): what the pipeline asks of the addresses it plans
 * with, so that the places that differ by family (the forwarding sysctl, `ip -4`/`-6`, the
 * firewall's command, the prefix limits) ask the subnet's family instead of assuming IPv4. A
 * resolved subnet (a bridge's, a fabric's) carries its family in its representation: `familyOf`.
 */
export interface AddressFamily {
  name: 'ipv4';
  /** `ip`'s flag for this family */
  ipFlag: '-4';
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
}

/** A subnet of one of the families (one member today; IPv6's joins this union). */
export type Cidr = Ipv4Cidr;

export const FAMILIES: readonly AddressFamily[] = [ipv4];

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
