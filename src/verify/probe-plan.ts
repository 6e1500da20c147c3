import type { DesiredNetwork, NamespaceSpec } from '../inventory/types.js';
import type { ProbeKind } from '../report/result.js';

/** One ping to run: from a namespace (or the host's root namespace) to an address the inventory names. */
export interface PlannedProbe {
  kind: ProbeKind;
  /** namespace name; undefined for the host itself */
  netns?: string;
  from: string;
  to: string;
  target: string;
}

/**
 * The probe matrix of one host: every namespace to every other on its bridge, each namespace to
 * its gateway, the host to every namespace, and every namespace on a NAT bridge to the upstream
 * (only when the inventory names one: `cnet_probe_target`). Nothing else is ever a target.
 */
export function probePlan(desired: DesiredNetwork, upstream?: string): PlannedProbe[] {
  const out: PlannedProbe[] = [];
  const on = (bridge: string): NamespaceSpec[] => desired.namespaces.filter((n) => n.bridge === bridge);
  for (const b of desired.bridges) {
    const members = on(b.name);
    for (const a of members) {
      for (const t of members) if (t !== a) out.push({ kind: 'peer', netns: a.name, from: a.name, to: t.name, target: t.address });
      out.push({ kind: 'gateway', netns: a.name, from: a.name, to: b.name, target: b.address });
    }
    for (const t of members) out.push({ kind: 'host', from: 'host', to: t.name, target: t.address });
    if (b.nat && upstream) for (const a of members) out.push({ kind: 'upstream', netns: a.name, from: a.name, to: 'upstream', target: upstream });
  }
  return out;
}
