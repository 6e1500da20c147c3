import type { AddressFact, HostFacts, LinkFact, NetnsFacts } from '../facts/types.js';
import { findLink } from '../facts/types.js';
import { familyOf } from '../address/family.js';
import { ipv6, isIpv6, parseIpv6 } from '../address/ipv6.js';
import type { BridgeNet, BridgeSpec, DesiredNetwork, NamespaceSpec } from '../inventory/types.js';
import { TAG, type OwnedObject } from '../ownership/record.js';
import { findingPath, mismatch, type FindingObject, type Mismatch } from '../result/finding.js';
import { assessFabric } from './assess-fabric.js';
import { assessForwarding, firewallFor, forwardingOn } from './assess-forwarding.js';
import { namespaceIsOurs } from './owned.js';
import type { Step } from './step.js';

/**
 * A difference between the desired network and the facts: a mismatch to report (`verify`) and the
 * steps that repair it (`plan`/`up`). Both commands are built on this one comparison, so what
 * `verify` names is exactly what `up` repairs. A conflict is a difference that cannot be repaired
 * without touching something cnet-remote does not own.
 */
export interface Finding extends Mismatch {
  fix: Step[];
}

export interface Assessment {
  findings: Finding[];
  conflicts: string[];
}

export const ip = (netns: string | undefined, ...args: string[]): string[] => ['ip', ...(netns ? ['-n', netns] : []), ...args];

/**
 * The container end's MAC, derived from its first address as Docker does (02:42 + the IPv4
 * address; on an IPv6-only bridge, the IPv6 address's last 32 bits): a container rebuilt with the
 * same address keeps its MAC, so its neighbours' ARP and neighbour caches stay right.
 */
export function macFor(address: string): string {
  const bytes = isIpv6(address) ? [24n, 16n, 8n, 0n].map((shift) => Number((parseIpv6(address) >> shift) & 255n)) : address.split('.').map(Number);
  return ['02', '42', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** `ip addr add` of an address: IPv6's without duplicate address detection, so that it is usable (not tentative) at once. */
const addrAdd = (netns: string | undefined, cidr: string, ifname: string): string[] =>
  ip(netns, 'addr', 'add', cidr, 'dev', ifname, ...(cidr.includes(':') ? ['nodad'] : []));

/** Ours: it carries our mark, or the record lists it (the mark may have been lost). */
export function isOurs(link: LinkFact, record: OwnedObject[]): boolean {
  return link.alias === TAG || record.some((o) => o.kind === 'link' && o.name === link.name);
}

export function describeLink(l: LinkFact | undefined): string {
  if (!l) return 'absent';
  return `${l.kind ?? 'device'}${l.alias === TAG ? '' : ' (not created by cnet-remote)'}`;
}

/**
 * An interface of that name that is not ours, or not of the kind cnet-remote makes there: in the
 * way. Its conflict (ending in what to do `instead`) goes to `out`.
 */
export function inTheWay(out: Assessment, facts: HostFacts, name: string, kind: string, instead: string): boolean {
  const link = findLink(facts.root, name);
  if (!link || (link.kind === kind && isOurs(link, facts.record))) return false;
  out.conflicts.push(`${name} already exists as ${describeLink(link)}: cnet-remote only changes interfaces it created; remove it or ${instead}`);
  return true;
}

function addresses(l: LinkFact | undefined): string {
  const list = (l?.addresses ?? []).filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}${a.dadfailed ? ' (dadfailed)' : ''}`);
  return list.length ? list.join(', ') : 'none';
}

/**
 * The addresses present (a failed duplicate address detection's is not: it is replaced)? If not:
 * added; on our own interface, global addresses not desired are removed too. `want`: each as
 * `address/len`, as `ip` prints it.
 */
function assessAddresses(object: FindingObject, netns: string | undefined, link: LinkFact | undefined, ifname: string, want: string[]): Finding[] {
  const path = findingPath(object, 'address');
  const cidrOf = (a: AddressFact) => `${a.local}/${a.prefixlen}`;
  const fix: Step[] = [];
  for (const w of want) {
    const present = link?.addresses.find((a) => cidrOf(a) === w);
    if (present && !present.dadfailed) continue;
    if (present)
      fix.push({
        phase: 'address',
        argv: ip(netns, 'addr', 'del', w, 'dev', ifname),
        reason: `${path} ${w} failed duplicate address detection`,
        undo: addrAdd(netns, w, ifname),
      });
    fix.push({ phase: 'address', argv: addrAdd(netns, w, ifname), reason: `${path} ${w} is missing`, undo: ip(netns, 'addr', 'del', w, 'dev', ifname) });
  }
  for (const a of link?.addresses ?? []) {
    if (a.scope === 'global' && !want.includes(cidrOf(a))) {
      fix.push({
        phase: 'address',
        argv: ip(netns, 'addr', 'del', cidrOf(a), 'dev', ifname),
        reason: `${path}: ${cidrOf(a)} is not desired`,
        undo: addrAdd(netns, cidrOf(a), ifname),
      });
    }
  }
  return fix.length ? [{ ...mismatch(object, 'address', want.join(', '), addresses(link)), fix }] : [];
}

export function assessUp(object: FindingObject, part: string, netns: string | undefined, link: LinkFact | undefined, ifname: string): Finding[] {
  if (link?.up) return [];
  return [
    {
      ...mismatch(object, part, 'UP', link ? 'DOWN' : 'absent'),
      fix: [
        {
          phase: 'link',
          argv: ip(netns, 'link', 'set', 'dev', ifname, 'up'),
          reason: `${ifname} is not up`,
          ...(link ? { undo: ip(netns, 'link', 'set', 'dev', ifname, 'down') } : {}),
        },
      ],
    },
  ];
}

function assessBridge(b: BridgeSpec, facts: HostFacts, out: Assessment): void {
  const object: FindingObject = { kind: 'bridge', name: b.name };
  if (inTheWay(out, facts, b.name, 'bridge', 'choose another bridge name')) return;
  const link = findLink(facts.root, b.name);
  if (!link) {
    out.findings.push({
      ...mismatch(object, '', 'bridge', 'absent'),
      fix: [
        {
          phase: 'bridge',
          argv: ip(undefined, 'link', 'add', 'name', b.name, 'type', 'bridge'),
          reason: `bridge ${b.name} is missing`,
          owns: { kind: 'link', name: b.name },
          undo: ip(undefined, 'link', 'del', 'dev', b.name),
        },
        { phase: 'link', argv: ip(undefined, 'link', 'set', 'dev', b.name, 'alias', TAG), reason: 'mark it as ours' },
      ],
    });
  }
  out.findings.push(...assessMtu(object, 'mtu', undefined, link, b.name, b.mtu));
  out.findings.push(...assessUp(object, 'state', undefined, link, b.name));
  out.findings.push(
    ...assessAddresses(
      object,
      undefined,
      link,
      b.name,
      b.nets.map((net) => `${net.address}/${net.subnet.prefix}`),
    ),
  );
}

/**
 * The interface is a port of the bridge; if not, it is made one. Undone: back to `undoTo` (the
 * master it had, when that is to be restored), else no master.
 */
export function assessMaster(
  object: FindingObject,
  part: string,
  link: LinkFact | undefined,
  ifname: string,
  bridge: string,
  undoTo: string | undefined,
): Finding[] {
  if (link?.master === bridge) return [];
  const undo = ip(undefined, 'link', 'set', 'dev', ifname, ...(undoTo ? ['master', undoTo] : ['nomaster']));
  return [
    {
      ...mismatch(object, part, bridge, link?.master ?? 'none'),
      fix: [{ phase: 'link', argv: ip(undefined, 'link', 'set', 'dev', ifname, 'master', bridge), reason: `${ifname} is not a port of ${bridge}`, undo }],
    },
  ];
}

/** The MTU asked for (a VXLAN fabric's bridge, its ports and the containers' ends), if any. */
export function assessMtu(
  object: FindingObject,
  part: string,
  netns: string | undefined,
  link: LinkFact | undefined,
  ifname: string,
  mtu: number | undefined,
): Finding[] {
  if (mtu === undefined || link?.mtu === mtu) return [];
  const was = link?.mtu;
  return [
    {
      ...mismatch(object, part, String(mtu), was === undefined ? 'absent' : String(was)),
      fix: [
        {
          phase: 'link',
          argv: ip(netns, 'link', 'set', 'dev', ifname, 'mtu', String(mtu)),
          reason: `${ifname} needs MTU ${mtu}`,
          ...(was !== undefined ? { undo: ip(netns, 'link', 'set', 'dev', ifname, 'mtu', String(was)) } : {}),
        },
      ],
    },
  ];
}

/** The veth pair is whole when each end names the other and the host end is ours. */
function pairIsWhole(host: LinkFact, inner: LinkFact | undefined, nsid: number | undefined): boolean {
  return (
    host.kind === 'veth' &&
    inner?.kind === 'veth' &&
    host.peerIfindex === inner.ifindex &&
    inner.peerIfindex === host.ifindex &&
    (nsid === undefined || host.peerNetnsId === undefined || host.peerNetnsId === nsid)
  );
}

function assessNamespace(n: NamespaceSpec, bridge: BridgeSpec, facts: HostFacts, out: Assessment): void {
  const object: FindingObject = { kind: 'namespace', name: n.name };
  const exists = facts.netns.has(n.name);
  const inner: NetnsFacts | undefined = exists ? facts.namespaces.get(n.name) : undefined;
  if (exists && !namespaceIsOurs(n.name, facts)) {
    out.conflicts.push(
      `namespace ${n.name} already exists and was not created by cnet-remote (its lo does not carry the mark "${TAG}"): cnet-remote only changes namespaces it created; remove it (ip netns del ${n.name}) or choose another namespace name`,
    );
    return;
  }
  if (!exists) {
    const mark: Step = { phase: 'link', argv: ip(n.name, 'link', 'set', 'dev', 'lo', 'alias', TAG), reason: 'mark it as ours' };
    out.findings.push({
      ...mismatch(object, '', 'present', 'absent'),
      fix: [
        {
          phase: 'netns',
          argv: ip(undefined, 'netns', 'add', n.name),
          reason: `namespace ${n.name} is missing`,
          owns: { kind: 'netns', name: n.name },
          undo: ip(undefined, 'netns', 'del', n.name),
        },
        mark,
      ],
    });
  }
  const hostEnd = findLink(facts.root, n.hostIf);
  const nsEnd = findLink(inner, n.nsIf);
  if (hostEnd && !isOurs(hostEnd, facts.record)) {
    out.conflicts.push(
      `${n.hostIf} already exists as ${describeLink(hostEnd)}: cnet-remote only changes interfaces it created; remove it or set another host_if for namespace ${n.name}`,
    );
    return;
  }
  if (nsEnd && !(nsEnd.alias === TAG) && !(hostEnd && pairIsWhole(hostEnd, nsEnd, facts.netns.get(n.name)))) {
    out.conflicts.push(`${n.nsIf} already exists in namespace ${n.name} as ${describeLink(nsEnd)}: remove it or set another ns_if`);
    return;
  }
  // only once the namespace is known to hold nothing foreign in our way: no fix in a conflicting one
  out.findings.push(...assessUp(object, 'lo', n.name, findLink(inner, 'lo'), 'lo'));
  const whole = hostEnd !== undefined && pairIsWhole(hostEnd, nsEnd, facts.netns.get(n.name));
  if (!whole) {
    const fix: Step[] = [];
    if (hostEnd)
      fix.push({ phase: 'veth', argv: ip(undefined, 'link', 'del', 'dev', n.hostIf), reason: `${n.hostIf} is not paired with ${n.nsIf} in ${n.name}` });
    if (nsEnd && !(hostEnd && nsEnd.peerIfindex === hostEnd.ifindex)) {
      fix.push({ phase: 'veth', argv: ip(n.name, 'link', 'del', 'dev', n.nsIf), reason: `${n.nsIf} in ${n.name} has lost its peer` });
    }
    fix.push(
      {
        phase: 'veth',
        argv: ip(undefined, 'link', 'add', 'name', n.hostIf, 'type', 'veth', 'peer', 'name', n.nsIf, 'address', macFor(n.addresses[0]!), 'netns', n.name),
        reason: `veth pair ${n.hostIf}/${n.nsIf} is missing`,
        owns: { kind: 'link', name: n.hostIf },
        undo: ip(undefined, 'link', 'del', 'dev', n.hostIf),
      },
      { phase: 'link', argv: ip(undefined, 'link', 'set', 'dev', n.hostIf, 'alias', TAG), reason: 'mark it as ours' },
      { phase: 'link', argv: ip(n.name, 'link', 'set', 'dev', n.nsIf, 'alias', TAG), reason: 'mark it as ours' },
    );
    out.findings.push({ ...mismatch(object, 'veth', `${n.hostIf} <-> ${n.nsIf}@${n.name}`, hostEnd ? 'not paired' : 'absent'), fix });
  }
  const host = whole ? hostEnd : undefined;
  const ns = whole ? nsEnd : undefined;
  out.findings.push(...assessMaster(object, 'host_if.master', host, n.hostIf, n.bridge, host?.master));
  if (ns && ns.mac !== macFor(n.addresses[0]!)) {
    out.findings.push({
      ...mismatch(object, 'mac', macFor(n.addresses[0]!), ns.mac ?? 'none'),
      fix: [
        {
          phase: 'link',
          argv: ip(n.name, 'link', 'set', 'dev', n.nsIf, 'address', macFor(n.addresses[0]!)),
          reason: 'the MAC follows the address',
          ...(ns.mac ? { undo: ip(n.name, 'link', 'set', 'dev', n.nsIf, 'address', ns.mac) } : {}),
        },
      ],
    });
  }
  out.findings.push(...assessMtu(object, 'host_if.mtu', undefined, host, n.hostIf, bridge.mtu));
  out.findings.push(...assessMtu(object, 'ns_if.mtu', n.name, ns, n.nsIf, bridge.mtu));
  out.findings.push(...assessUp(object, 'host_if.state', undefined, host, n.hostIf));
  out.findings.push(...assessUp(object, 'ns_if.state', n.name, ns, n.nsIf));
  out.findings.push(
    ...assessAddresses(
      object,
      n.name,
      ns,
      n.nsIf,
      bridge.nets.map((net, i) => `${n.addresses[i]}/${net.subnet.prefix}`),
    ),
  );
  for (const net of bridge.nets) out.findings.push(...assessDefaultRoute(object, n, net, inner, whole));
  out.findings.push(...staleDefaultRoutes(object, n, bridge, inner));
}

/**
 * Default routes of a family the bridge no longer has (subnet6 removed): the kernel drops an IPv4
 * default route with its address, but keeps an IPv6 one. In our namespace, they go.
 */
function staleDefaultRoutes(object: FindingObject, n: NamespaceSpec, bridge: BridgeSpec, inner: NetnsFacts | undefined): Finding[] {
  const kept = new Set(bridge.nets.map((net) => familyOf(net.subnet).ipName));
  const stale = (inner?.routes ?? []).filter(
    (r) => !kept.has(r.family) && r.dst === 'default' && r.table === 'main' && r.type === 'unicast' && r.gateway && r.dev === n.nsIf,
  );
  return stale.map((r) => ({
    ...mismatch(object, r.family === 'inet' ? 'default_route' : 'default_route6', 'none', `via ${r.gateway} dev ${r.dev}`),
    fix: [
      {
        phase: 'route',
        argv: ip(n.name, 'route', 'del', 'default', 'via', r.gateway!, 'dev', n.nsIf),
        reason: `bridge ${bridge.name} has no ${r.family === 'inet' ? 'subnet' : 'subnet6'} now`,
        undo: ip(n.name, 'route', 'replace', 'default', 'via', r.gateway!, 'dev', n.nsIf),
      },
    ],
  }));
}

/** The namespace's default route of the net's family: via the bridge's address, and no other. */
function assessDefaultRoute(object: FindingObject, n: NamespaceSpec, net: BridgeNet, inner: NetnsFacts | undefined, whole: boolean): Finding[] {
  const family = familyOf(net.subnet).ipName;
  const gateway = net.address;
  const def = inner?.routes.filter((r) => r.family === family && r.dst === 'default' && r.table === 'main' && r.type === 'unicast') ?? [];
  const good = def.some((r) => r.gateway === gateway && r.dev === n.nsIf);
  if (good && def.length === 1 && whole) return [];
  // `ip route` takes the family from the gateway's address (a line of `ip -batch` carries no -6)
  return [
    {
      ...mismatch(
        object,
        family === 'inet' ? 'default_route' : 'default_route6',
        `via ${gateway} dev ${n.nsIf}`,
        def.length ? def.map((r) => `via ${r.gateway ?? '-'} dev ${r.dev ?? '-'}`).join(', ') : 'none',
      ),
      fix: [
        {
          phase: 'route',
          argv: ip(n.name, 'route', 'replace', 'default', 'via', gateway, 'dev', n.nsIf),
          reason: 'the default route is missing or wrong',
          // only what this step changed: the route it replaced, or the one it added
          undo:
            def[0]?.gateway && def[0].dev
              ? ip(n.name, 'route', 'replace', 'default', 'via', def[0].gateway, 'dev', def[0].dev)
              : ip(n.name, 'route', 'del', 'default', 'via', gateway, 'dev', n.nsIf),
        },
      ],
    },
  ];
}

/** The desired network's IPv4 part: IPv6 nets, IPv6-only bridges and their namespaces left out. */
function withoutIpv6(desired: DesiredNetwork): DesiredNetwork {
  const bridges = desired.bridges.map((b) => ({ ...b, nets: b.nets.filter((net) => familyOf(net.subnet) !== ipv6) })).filter((b) => b.nets.length);
  const kept = new Set(bridges.map((b) => b.name));
  const namespaces = desired.namespaces.filter((n) => kept.has(n.bridge)).map((n) => ({ ...n, addresses: n.addresses.filter((a) => !isIpv6(a)) }));
  return { ...desired, bridges, namespaces };
}

/** Desired network against facts: every difference, with its repair, in a stable order. */
export function assess(desired: DesiredNetwork, facts: HostFacts, firewall = firewallFor(desired, facts).backend): Assessment {
  const out: Assessment = { findings: [], conflicts: [] };
  // a host without IPv6: its conflict comes from assessForwarding; nothing of IPv6 is planned
  const buildable = forwardingOn(facts, ipv6) === undefined ? withoutIpv6(desired) : desired;
  for (const b of buildable.bridges) assessBridge(b, facts, out);
  for (const n of buildable.namespaces) {
    const bridge = buildable.bridges.find((b) => b.name === n.bridge)!;
    assessNamespace(n, bridge, facts, out);
  }
  if (desired.fabric) assessFabric(desired.fabric, facts, out);
  assessForwarding(desired.bridges, desired.fabric, facts, firewall, out);
  return out;
}
