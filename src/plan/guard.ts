import type { HostFacts } from '../facts/types.js';
import { formatCidr } from '../address/family.js';
import type { DesiredNetwork } from '../inventory/types.js';
import { overlappingRoutes, subnetHolding } from './overlaps.js';
import type { Step } from './step.js';

/**
 * Root-namespace interface names a step changes (`dev X`, `name X`, `master X`). What follows
 * `type` in `link add` is the new device's own settings: a veth's peer (created in its namespace),
 * a VXLAN device's underlay (`dev eth0` is used, not changed).
 */
function touched(step: Step): string[] {
  if (step.argv[0] !== 'ip' || step.argv[1] === '-n') return [];
  const add = step.argv[1] === 'link' && step.argv[2] === 'add';
  const words = add && step.argv.includes('type') ? step.argv.slice(0, step.argv.indexOf('type')) : step.argv;
  return words.flatMap((w, i) => (['dev', 'name', 'master'].includes(w) && words[i + 1] ? [words[i + 1]!] : []));
}

/**
 * Never cut off the way in, nor shadow what the host already routes: refuses a plan that would
 * change the interface carrying the SSH session (from SSH_CONNECTION and `ip route get`), put a
 * bridge on an address the session uses, or use a subnet overlapping a route the host has.
 */
export function guardConflicts(desired: DesiredNetwork, facts: HostFacts, steps: Step[]): string[] {
  const out: string[] = [];
  const m = facts.mgmt;
  if (m?.dev) {
    for (const s of steps) {
      if (touched(s).includes(m.dev)) out.push(`\`${s.argv.join(' ')}\` would change ${m.dev}, the interface that carries this SSH session`);
    }
  }
  for (const b of desired.bridges) {
    for (const address of m ? [m.server, m.client] : []) {
      const subnet = subnetHolding(b, address);
      if (subnet) {
        out.push(`subnet ${formatCidr(subnet)} of ${b.name} contains ${address}, an address of this SSH session: the way in would be cut off`);
        break;
      }
    }
    for (const { subnet, route } of overlappingRoutes(b, facts))
      out.push(`subnet ${formatCidr(subnet)} of ${b.name} overlaps the host's route ${route}: choose a subnet that overlaps nothing on the host`);
  }
  return out;
}
