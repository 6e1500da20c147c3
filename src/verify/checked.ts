import { formatCidr } from '../address/family.js';
import type { DesiredNetwork } from '../inventory/types.js';
import { objectPath, type FindingObject } from '../result/finding.js';

/** The desired objects a verification compares (one JUnit test case each). */
function checkedObjectsOf(desired: DesiredNetwork): FindingObject[] {
  const out: FindingObject[] = [];
  for (const b of desired.bridges) {
    out.push({ kind: 'bridge', name: b.name });
    if (b.nat) out.push({ kind: 'nat', name: b.name });
  }
  for (const n of desired.namespaces) out.push({ kind: 'namespace', name: n.name });
  const f = desired.fabric;
  if (f?.mode === 'routed') for (const p of f.peers) out.push({ kind: 'route', name: formatCidr(p.subnet), host: p.host });
  if (f?.mode === 'vxlan' && f.vxlan) {
    out.push({ kind: 'vxlan', name: f.vxlan.device }, ...f.peers.map((p): FindingObject => ({ kind: 'fdb', name: p.underlay, host: p.host })));
    out.push({ kind: 'route', name: formatCidr(f.supernet) });
  }
  if (f || desired.bridges.some((b) => b.nat)) out.push({ kind: 'ip_forward', name: 'ip_forward' });
  return out;
}

/** The same, by path: what `checked` lists in a result (a mismatch `m` is about `objectPath(m.object)`). */
export function checkedObjects(desired: DesiredNetwork): string[] {
  return checkedObjectsOf(desired).map(objectPath);
}
