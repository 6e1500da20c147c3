import type { DesiredNetwork } from '../inventory/types.js';

/** The desired objects a verification compares, as mismatch path prefixes (one JUnit test case each). */
export function checkedObjects(desired: DesiredNetwork): string[] {
  const out: string[] = [];
  for (const b of desired.bridges) {
    out.push(`bridges.${b.name}`);
    if (b.nat) out.push(`bridges.${b.name}.nat`);
  }
  for (const n of desired.namespaces) out.push(`namespaces.${n.name}`);
  const f = desired.fabric;
  if (f?.mode === 'routed') for (const p of f.peers) out.push(`fabric.routes.${p.host}`);
  if (f?.mode === 'vxlan') out.push('fabric.vxlan', ...f.peers.map((p) => `fabric.fdb.${p.host}`), 'fabric.route');
  if (f || desired.bridges.some((b) => b.nat)) out.push('ip_forward');
  return out;
}
