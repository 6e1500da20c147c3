import { FAMILIES } from '../address/family.js';
import type { HostFacts } from '../facts/types.js';
import type { FirewallBackend } from '../firewall/backend.js';

/**
 * What a plan needs that the user it would run as lacks. Every step (ip, iptables, sysctl) and
 * the state folder need root; a user other than root also reads less (iptables-save refuses it),
 * so the firewall's "not usable" is then a symptom, not the cause.
 */
export function needsRoot(facts: HostFacts): string | undefined {
  if (facts.uid === undefined || facts.uid === 0) return undefined;
  return (
    `needs root: the commands run as uid ${facts.uid}, not as root, and only root can change the network or read the firewall: ` +
    'set ansible_become: true (and ansible_become_password if sudo asks for one), or connect as root'
  );
}

/**
 * The conflicts of a plan whose host is read as a user other than root: when there is anything
 * to do or to refuse, root comes first, and the firewall's refusal that follows from not being
 * root is left out. Root, or nothing to do: the conflicts as they are.
 */
export function withPrivilege(facts: HostFacts, steps: number, conflicts: string[], firewall: FirewallBackend): string[] {
  const root = needsRoot(facts);
  if (!root || (steps === 0 && conflicts.length === 0)) return conflicts;
  const symptoms = new Set(FAMILIES.map((f) => firewall.unusable(facts, f.name)));
  return [root, ...conflicts.filter((c) => !symptoms.has(c))];
}
