import { formatCidr } from '../address/family.js';
import type { BridgeSpec } from '../inventory/types.js';
import type { OwnedObject } from '../ownership/record.js';

/**
 * A MASQUERADE rule of cnet-remote's, whatever backend writes it: what leaves the bridge's subnet
 * by another interface than the bridge is masqueraded, but for `except` (a fabric's supernet),
 * tagged with the bridge. The same object the record lists.
 */
export type NatRule = Extract<OwnedObject, { kind: 'nat' }>;

/** The rule a bridge with `nat` wants. */
export function natRuleOf(b: BridgeSpec): NatRule {
  const except = b.natExcept ? formatCidr(b.natExcept) : undefined;
  return { kind: 'nat', subnet: formatCidr(b.subnet), bridge: b.name, ...(except ? { except } : {}) };
}

/** The rule for people (a mismatch's desired, a leftover's actual): `MASQUERADE SUBNET [! -d EXCEPT] ! -o BRIDGE`. */
export function describeNat(r: NatRule): string {
  return `MASQUERADE ${r.subnet}${r.except ? ` ! -d ${r.except}` : ''} ! -o ${r.bridge}`;
}
