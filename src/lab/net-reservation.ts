import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { overlaps, parseCidr, type Cidr } from '../address/ipv4.js';
import { isIpv6, overlaps6, parseIpv6 } from '../address/ipv6.js';
import { labNamespaces, netnsList } from './lab-namespaces.js';
import { labNetwork6 } from './lab-plan.js';
import { exec } from './local-exec.js';
import { isAlive, type ProcessId } from './process-id.js';

/**
 * Which lab holds which 10.N.0.0/16: one file per network, `<lab root>/.nets/N`, made with O_EXCL
 * while holding the lab lock (lock.ts), naming the lab and the process that made it. `lab down`
 * removes the lab's own; one whose maker has ended and whose lab left nothing on the machine is
 * taken back by the next lab that wants it. A network the machine already routes (another lab
 * made before reservations, a real network) is never chosen. The lab's IPv6 prefix
 * (fd63:6e65:74NN::/48, lab-plan.ts) is derived from N: reserved with it, and N is passed over
 * when the machine routes anything inside that prefix either.
 */
export interface Reservation {
  name: string;
  by?: ProcessId;
}

const netsDir = (root: string) => join(root, '.nets');

interface Route {
  dst: string;
  dev?: string;
}

/** What the machine routes inside 10.<net>.0.0/16 other than through `ownLink`, if anything. */
export function routeIn(net: number, routes: Route[], ownLink: string): string | undefined {
  const lab = parseCidr(`10.${net}.0.0/16`) as Cidr;
  for (const r of routes) {
    if (r.dst === 'default' || r.dev === ownLink) continue;
    const [addr, len] = r.dst.split('/');
    const c = parseCidr(`${addr}/${len ?? 32}`);
    if (typeof c === 'string' ? r.dst.startsWith(`10.${net}.`) : overlaps(lab, c)) return `${r.dst}${r.dev ? ` dev ${r.dev}` : ''}`;
  }
  return undefined;
}

/** What the machine routes inside the IPv6 prefix `network6` (`ADDR/LEN`) other than through `ownLink`, if anything. */
export function routeIn6(network6: string, routes: Route[], ownLink: string): string | undefined {
  const [addr, len] = network6.split('/');
  const lab = { network: parseIpv6(addr!), prefix: Number(len) };
  for (const r of routes) {
    if (r.dst === 'default' || r.dev === ownLink) continue;
    const [a, l] = r.dst.split('/');
    if (!isIpv6(a!)) continue;
    if (overlaps6(lab, { network: parseIpv6(a!), prefix: Number(l ?? 128) })) return `${r.dst}${r.dev ? ` dev ${r.dev}` : ''}`;
  }
  return undefined;
}

/** The machine's IPv6 routes, all tables; none on a machine without IPv6. */
async function routes6(): Promise<Route[]> {
  if (!existsSync('/proc/sys/net/ipv6')) return [];
  const out = await exec(['ip', '-6', '-j', 'route', 'show', 'table', 'all']);
  return out.trim() ? (JSON.parse(out) as Route[]) : [];
}

function readReservation(file: string): Reservation | undefined | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const r = JSON.parse(text) as Reservation;
    return typeof r.name === 'string' ? r : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** Every reservation under `root`, by network. */
export function reservations(root: string): Map<number, Reservation | 'unreadable'> {
  const out = new Map<number, Reservation | 'unreadable'>();
  let files: string[];
  try {
    files = readdirSync(netsDir(root));
  } catch {
    return out;
  }
  for (const f of files) {
    const r = /^\d+$/.test(f) ? readReservation(join(netsDir(root), f)) : undefined;
    if (r) out.set(Number(f), r);
  }
  return out;
}

/**
 * Reserves the lab's network, holding the lab lock: `asked` (refused when another lab holds it or
 * the machine routes it), else the first free one from `from` on, wrapping past 254.
 */
export async function reserveNet(root: string, name: string, o: { asked?: number; from: number; by?: ProcessId }): Promise<number> {
  mkdirSync(netsDir(root), { recursive: true, mode: 0o755 });
  const routes = JSON.parse(await exec(['ip', '-4', '-j', 'route', 'show', 'table', 'all'])) as Route[];
  const v6routes = await routes6();
  const held = reservations(root);
  const namespaces = await netnsList();
  const links = await exec(['ip', '-j', 'link', 'show']);
  // a reservation stands while its maker runs or its lab has anything left on the machine
  const stands = async (r: Reservation | 'unreadable') =>
    r !== 'unreadable' &&
    r.name !== name &&
    ((r.by !== undefined && isAlive(r.by)) || (await labNamespaces(r.name, namespaces)).length > 0 || links.includes(`"ifname":"${r.name}-c"`));
  const candidates = o.asked !== undefined ? [o.asked] : Array.from({ length: 254 }, (_, k) => ((o.from - 1 + k) % 254) + 1);
  for (const net of candidates) {
    const r = held.get(net);
    if (r !== undefined && (await stands(r))) {
      if (o.asked !== undefined)
        throw new LabError(
          `lab network 10.${net}.0.0/16 is held by lab "${(r as Reservation).name}": choose another --net, or lab down --name ${(r as Reservation).name}`,
        );
      continue;
    }
    const used = routeIn(net, routes, `${name}-c`);
    if (used) {
      if (o.asked !== undefined) throw new LabError(`lab network 10.${net}.0.0/16 overlaps the machine's route ${used}: choose another --net`);
      continue;
    }
    const network6 = labNetwork6(net);
    const used6 = routeIn6(network6, v6routes, `${name}-c`);
    if (used6) {
      if (o.asked !== undefined)
        throw new LabError(`lab network ${network6} (IPv6, of --net ${net}) overlaps the machine's route ${used6}: choose another --net`);
      continue;
    }
    const file = join(netsDir(root), String(net));
    if (r !== undefined) rmSync(file, { force: true });
    const mine: Reservation = { name, ...(o.by ? { by: o.by } : {}) };
    writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: 'wx', mode: 0o644 });
    return net;
  }
  throw new LabError('no free 10.N.0.0/16 network for the lab');
}

/** Removes the reservations of lab `name` (and only its own); returns their networks. */
export function releaseNets(root: string, name: string): number[] {
  const mine = [...reservations(root)].filter(([, r]) => r !== 'unreadable' && r.name === name).map(([net]) => net);
  for (const net of mine) rmSync(join(netsDir(root), String(net)), { force: true });
  return mine;
}
