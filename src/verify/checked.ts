import { FAMILIES, familyOf, formatCidr } from '../address/family.js';
import { leavesHost } from '../plan/assess-forwarding.js';
import { fabricSupernets } from '../inventory/resolve-fabric.js';
import type { DesiredNetwork } from '../inventory/types.js';
import { objectPath, type FindingObject } from '../result/finding.js';

/** The desired objects a verification compares (one JUnit test case each). */
function checkedObjectsOf(desired: DesiredNetwork): FindingObject[] {
  const out: FindingObject[] = [];
  for (const b of desired.bridges) {
    out.push({ kind: 'bridge', name: b.name });
    for (const net of b.nets) if (net.nat) out.push({ kind: familyOf(net.subnet).name === 'ipv4' ? 'nat' : 'nat6', name: b.name });
  }
  for (const n of desired.namespaces) out.push({ kind: 'namespace', name: n.name });
  const f = desired.fabric;
  if (f?.mode === 'routed')
    for (const p of f.peers) {
      out.push({ kind: 'route', name: formatCidr(p.subnet), host: p.host });
      if (f.supernet6 && p.subnet6 && p.underlay6) out.push({ kind: 'route', name: formatCidr(p.subnet6), host: p.host });
    }
  if (f?.mode === 'vxlan' && f.vxlan) {
    out.push({ kind: 'vxlan', name: f.vxlan.device }, ...f.peers.map((p): FindingObject => ({ kind: 'fdb', name: p.underlay, host: p.host })));
    out.push({ kind: 'route', name: formatCidr(f.supernet) });
    if (f.supernet6) out.push({ kind: 'route', name: formatCidr(f.supernet6) });
  }
  // each family's forwarding switch, where the planner wants it on (plan/assess-forwarding.ts)
  for (const family of FAMILIES) {
    const leaves = desired.bridges.some((b) => b.nets.some((net) => familyOf(net.subnet) === family && leavesHost(net)));
    if (leaves || (f && fabricSupernets(f).some((c) => familyOf(c) === family)))
      out.push(family.name === 'ipv4' ? { kind: 'ip_forward', name: 'ip_forward' } : { kind: 'ip6_forward', name: 'ip6_forward' });
  }
  return out;
}

/** The same, by path: what `checked` lists in a result (a mismatch `m` is about `objectPath(m.object)`). */
export function checkedObjects(desired: DesiredNetwork): string[] {
  return checkedObjectsOf(desired).map(objectPath);
}
