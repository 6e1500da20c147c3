import type { HostFacts } from '../facts/types.js';
import { type Cidr, FAMILIES, familyOf, overlaps } from '../address/family.js';
import type { BridgeSpec } from '../inventory/types.js';

/**
 * A route's destination as a subnet (`ip route` prints a host route as a bare address). Not
 * parseCidr(), which checks inventory subnets and so dropped host and /31 routes. Below /8 (e.g.
 * a VPN's 0.0.0.0/1 + 128.0.0.0/1, or IPv6's 2000::/3) a route is a catch-all, like the default route.
 */
export function cidrOf(dst: string): Cidr | undefined {
  const [addr = '', len, ...rest] = dst.split('/');
  const f = FAMILIES.find((x) => x.isAddress(addr));
  if (rest.length || !f || (len !== undefined && !/^\d{1,3}$/.test(len))) return undefined;
  const prefix = len === undefined ? f.bits : Number(len);
  return prefix < 8 || prefix > f.bits ? undefined : f.subnetOf(addr, prefix);
}

/** The host's routes (other than through the bridge itself) that a bridge's subnets overlap, as `dst dev X`. */
export function overlappingRoutes(b: BridgeSpec, facts: HostFacts): { subnet: Cidr; route: string }[] {
  return b.nets.flatMap((net) =>
    facts.root.routes
      .filter((r) => r.table === 'main' && r.type === 'unicast' && r.dev !== b.name && r.dst !== 'default')
      .filter((r) => {
        const c = cidrOf(r.dst);
        return c !== undefined && overlaps(c, net.subnet);
      })
      .map((r) => ({ subnet: net.subnet, route: `${r.dst}${r.dev ? ` dev ${r.dev}` : ''}` })),
  );
}

/** The bridge's subnet that holds the address (of the SSH session), if one does. */
export function subnetHolding(b: BridgeSpec, address: string): Cidr | undefined {
  return b.nets.find((net) => familyOf(net.subnet).isAddress(address) && familyOf(net.subnet).contains(net.subnet, address))?.subnet;
}
