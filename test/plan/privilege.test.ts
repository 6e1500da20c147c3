/**
 * A host read as a user other than root: the gather run for real under setpriv (uid 65534, as a
 * login without ansible_become), planned against the seed network.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { chooseFirewall } from '../../src/firewall/choose.js';
import { iptables } from '../../src/firewall/iptables.js';
import { nftables } from '../../src/firewall/nftables.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import { planUp } from '../../src/plan/plan.js';
import { needsRoot } from '../../src/plan/privilege.js';
import { gatherScript } from '../../src/remote/gather.js';

const network = (extra: string[]) => {
  const hosts = parseSource('hosts.yaml', 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.10, ansible_user: cnet }\n');
  const seeds = extra.map((f) => {
    const url = new URL(`../../inventories/${f}`, import.meta.url);
    return parseSource(url.pathname, readFileSync(url, 'utf8'));
  });
  return resolveInventory([hosts, ...seeds]).hosts[0]!.network;
};
const seeds = network(['seed-part2.yaml', 'seed-pb-jelly.yaml']);
const asUser = parseFacts(
  execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh'], { input: gatherScript([]), cwd: '/', encoding: 'utf8', timeout: 30_000 }),
);
const ROOT =
  'needs root: the commands run as uid 65534, not as root, and only root can change the network or read the firewall: set ansible_become: true (and ansible_become_password if sudo asks for one), or connect as root';

describe('planUp as a user other than root', () => {
  it('refuses with "needs root" first, not the firewall\'s "not usable" that follows from it', () => {
    // neither iptables-save nor nft answers a user other than root
    const firewall = chooseFirewall(undefined, asUser).backend;
    expect(iptables.unusable(asUser)).toMatch(/^iptables is not usable on the host \(.*[Pp]ermission denied/);
    expect(nftables.unusable(asUser)).toMatch(/^nftables is not usable on the host \(.*Operation not permitted/);
    const plan = planUp(seeds, asUser);
    expect(plan.steps.length).toBeGreaterThan(0);
    expect(plan.conflicts[0]).toBe(ROOT);
    expect(plan.conflicts).not.toContain(firewall.unusable(asUser));
  });

  it("keeps the conflicts that are not root's doing, after it", () => {
    const plan = planUp(seeds, {
      ...asUser,
      root: { ...asUser.root, links: [...asUser.root.links, { ifindex: 999, name: 'br0', kind: 'bridge', up: true, operstate: 'UP', addresses: [] }] },
    });
    expect(plan.conflicts[0]).toBe(ROOT);
    expect(plan.conflicts.some((c) => c.startsWith('br0 already exists as bridge (not created by cnet-remote)'))).toBe(true);
  });

  it('has nothing to say when there is nothing to do (no network asked for), nor as root', () => {
    expect(planUp(network([]), asUser).conflicts).toEqual([]);
    expect(needsRoot({ ...asUser, uid: 0 })).toBeUndefined();
    const { uid: _, ...unsaid } = asUser;
    expect(needsRoot(unsaid)).toBeUndefined();
  });
});
