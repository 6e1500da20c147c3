import type { HostFacts } from '../facts/types.js';
import { familyOf, overlaps } from '../address/family.js';
import { contains, ipv4, isIpv4, maskOf, parseIpv4, type Cidr } from '../address/ipv4.js';
import type { BridgeSpec } from '../inventory/types.js';

/**
 * A route's destination as an IPv4 subnet (`ip route` prints a host route as a bare address). Not
 * parseCidr(), which checks inventory subnets (/8 to /30) and so dropped host and /31 routes.
 * Below /8 (e.g. a VPN's 0.0.0.0/1 + 128.0.0.0/1) a route is a catch-all, like the default route.
 */
export function cidrOf(dst: string): Cidr | undefined {
  const [addr = '', len = '32', ...rest] = dst.split('/');
  const prefix = Number(len);
  if (rest.length || !isIpv4(addr) || !/^\d{1,2}$/.test(len) || prefix < 8 || prefix > ipv4.bits) return undefined;
  return { network: (parseIpv4(addr) & maskOf(prefix)) >>> 0, prefix };
}

/** The host's routes (other than through the bridge itself) that a bridge's subnet overlaps, as `dst dev X`. */
export function overlappingRoutes(b: BridgeSpec, facts: HostFacts): string[] {
  return facts.root.routes
    .filter((r) => r.table === 'main' && r.type === 'unicast' && r.dev !== b.name && r.dst !== 'default')
    .filter((r) => {
      const c = cidrOf(r.dst);
      return c !== undefined && overlaps(c, b.subnet);
    })
    .map((r) => `${r.dst}${r.dev ? ` dev ${r.dev}` : ''}`);
}

/** Is the address (of the SSH session) in the bridge's subnet? */
export function subnetHas(b: BridgeSpec, address: string): boolean {
  return familyOf(b.subnet) === ipv4 && isIpv4(address) && contains(b.subnet, parseIpv4(address));
}
