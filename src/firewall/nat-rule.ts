import { familyOfText, formatCidr } from '../address/family.js';
import type { BridgeNet, BridgeSpec } from '../inventory/types.js';
import type { OwnedObject } from '../ownership/record.js';
import type { FamilyName } from './types.js';

/**
 * A MASQUERADE rule of cnet-remote's, whatever backend writes it: what leaves the bridge's subnet
 * by another interface than the bridge is masqueraded, but for `except` (a fabric's supernet),
 * tagged with the bridge. The same object the record lists. IPv4 or IPv6, as its subnet is
 * written (`natFamily`): a bridge with both has one rule of each.
 */
export type NatRule = Extract<OwnedObject, { kind: 'nat' }>;

/** The rule a bridge's net (one family's subnet) with `nat` wants. */
export function natRuleOf(b: Pick<BridgeSpec, 'name'>, net: BridgeNet): NatRule {
  const except = net.natExcept ? formatCidr(net.natExcept) : undefined;
  return { kind: 'nat', subnet: formatCidr(net.subnet), bridge: b.name, ...(except ? { except } : {}) };
}

/** The rules a bridge wants: one for each of its nets with `nat`, in their order (IPv4's first). */
export function natRulesOf(b: BridgeSpec): NatRule[] {
  return b.nets.flatMap((net) => (net.nat ? [natRuleOf(b, net)] : []));
}

/** The rule's address family: its subnet's. */
export const natFamily = (r: NatRule): FamilyName => familyOfText(r.subnet).name;

/** The rule for people (a mismatch's desired, a leftover's actual): `MASQUERADE SUBNET [! -d EXCEPT] ! -o BRIDGE`. */
export function describeNat(r: NatRule): string {
  return `MASQUERADE ${r.subnet}${r.except ? ` ! -d ${r.except}` : ''} ! -o ${r.bridge}`;
}
