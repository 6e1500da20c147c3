import { readFileSync } from 'node:fs';
import { parseFacts } from '../../src/facts/parse-facts.js';
import type { HostFacts } from '../../src/facts/types.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { DesiredNetwork, Inventory } from '../../src/inventory/types.js';

export type FabricMode = 'routed' | 'vxlan';

/** The recording lab's hosts (`lab up --name fixrec --net 239 --hosts 3 --bare`), as an in-memory inventory. */
export const LAB_HOSTS =
  'all:\n  hosts:\n    vm1: { ansible_host: 10.239.0.10 }\n    vm2: { ansible_host: 10.239.0.11 }\n    vm3: { ansible_host: 10.239.0.12 }\n';

/** `count` hosts vm1…vmN at 10.239.0.10 onwards, in that (inventory) order. */
export function manyHosts(count: number): string {
  const lines = Array.from({ length: count }, (_, i) => `    vm${i + 1}: { ansible_host: 10.239.0.${10 + i} }`);
  return `all:\n  hosts:\n${lines.join('\n')}\n`;
}

const fabricFile = (mode: FabricMode) => new URL(`../../inventories/fabric-${mode}.yaml`, import.meta.url);

/** `cnet-remote up HOSTS inventories/fabric-MODE.yaml [EXTRA…]`, resolved. */
export function fabricInventory(mode: FabricMode, hosts = LAB_HOSTS, ...extra: string[]): Inventory {
  return resolveInventory([
    parseSource('hosts.yaml', hosts),
    parseSource(fabricFile(mode).pathname, readFileSync(fabricFile(mode), 'utf8')),
    ...extra.map((t, i) => parseSource(`extra${i + 1}.yaml`, t)),
  ]);
}

/** The desired network of one host (vm1 unless told) of that fabric. */
export function fabricNetwork(mode: FabricMode, hosts = LAB_HOSTS, name = 'vm1', ...extra: string[]): DesiredNetwork {
  const h = fabricInventory(mode, hosts, ...extra).hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name}`);
  return h.network;
}

const recorded = (name: string): HostFacts => parseFacts(readFileSync(new URL(`../fixtures/facts/${name}.txt`, import.meta.url), 'utf8'));

/**
 * Recorded on vm1 (10.239.0.10; vm2 .11, vm3 .12) of `cnet-remote lab up --name fixrec --net 239
 * --hosts 3 --bare`: the output of gatherScript(['db', 'web'], vxlan ? ['vxcnet0'] : []) run over
 * `ssh root@10.239.0.10 sh -s`, `down` between modes. One line each on how:
 */
export const FABRIC_FACTS = {
  /** after `up LAB inventories/fabric-routed.yaml` */
  routed: recorded('fabric-routed'),
  /** routed, then `ip route del 172.30.1.0/24` on vm1 (vm2's subnet) */
  routedDrifted: recorded('fabric-routed-drifted'),
  /** after `down`, `ip route add 172.30.1.0/24 via 10.239.0.12` by hand on vm1 (not cnet-remote's) */
  routedForeign: recorded('fabric-routed-foreign'),
  /** after `up LAB inventories/fabric-vxlan.yaml` (and its verify's probes: learned entries in the FDB) */
  vxlan: recorded('fabric-vxlan'),
  /** vxlan, then `bridge fdb del 00:00:00:00:00:00 dev vxcnet0 dst 10.239.0.11` on vm1 (vm2's flood entry) */
  vxlanDrifted: recorded('fabric-vxlan-drifted'),
  /** vxlan up again, then `bridge fdb append 00:00:00:00:00:00 dev vxcnet0 dst 10.239.0.13` on vm1 (no such member) */
  vxlanStranger: recorded('fabric-vxlan-stranger'),
  /** after `up LAB inventories/fabric-vxlan.yaml U` with U = all.vars.cnet.fabric.underlay_dev: eth0 */
  vxlanUnderlayDev: recorded('fabric-vxlan-underlay-dev'),
  /** after the vxlan `down`: nothing of the fabric left (the SSH session's route: dev eth0) */
  down: recorded('fabric-down'),
};

/** `underlay_dev: eth0` for every member (the third file of the vxlanUnderlayDev recording). */
export const UNDERLAY_DEV_ETH0 = 'all:\n  vars:\n    cnet:\n      fabric:\n        underlay_dev: eth0\n';
