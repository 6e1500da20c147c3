import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressVms, buildNetwork } from './lab-network.js';
import { fitNeighbourTable } from './neighbour-table.js';
import { labInventory } from './lab-inventory.js';
import { keygen, makeHostKeys } from './lab-keys.js';
import { reachOf, type LabPlan } from './lab-plan.js';
import { waitForPort, writeSshdConfig } from './lab-sshd.js';
import { writeEtc } from './lab-users.js';
import { startVm } from './lab-vm.js';

/**
 * The lab of simulated VMs, as the CLI and the tests use it. Each part manages one thing:
 * lab-plan.ts names and addresses, lab-start.ts / lab-down.ts / lab-status.ts the commands,
 * lab-record.ts the record, net-reservation.ts the networks, lab-namespaces.ts the namespaces
 * there are, lab-network.ts the links, lab-vm.ts the VMs, lab-sshd.ts their sshd, lab-users.ts
 * their users and /etc, lab-keys.ts keys, lab-inventory.ts the inventory, lab-images.ts and
 * lab-image-build.ts the Debian userlands a lab's VMs can run (`lab up --image`); the text of the
 * files they write is in templates/ (lab-templates.ts).
 */
export { labDown } from './lab-down.js';
export { blackhole, startSshd, stopSshd } from './lab-sshd.js';
export { LAB_USERS } from './lab-users.js';

export interface LabInfo {
  plan: LabPlan;
  inventory: string;
  knownHosts: string;
  key: string;
  /** sudo (and SSH) password of the lab user `cnetpw` */
  becomePassword: string;
  /** what the lab changed on this machine beyond its own namespaces and folder, for the user */
  notes: string[];
}

/**
 * Builds the lab in its folder: switch, upstream, simulated VMs each with its own sshd; writes its
 * inventory. Use startLab (lab-start.ts), which reserves the network and records the lab first.
 */
export async function labUp(plan: LabPlan, topology: Record<string, unknown> | undefined): Promise<LabInfo> {
  // the lab users read the authorized key as themselves: the lab's folder is traversable, its host keys are not
  mkdirSync(plan.dir, { recursive: true, mode: 0o755 });
  chmodSync(plan.dir, 0o755);
  mkdirSync(join(plan.dir, 'hostkeys'), { recursive: true, mode: 0o700 });
  const key = join(plan.dir, 'id_ed25519');
  await keygen(key, `cnet-remote-lab-${plan.name}`);
  writeSshdConfig(plan);
  const becomePassword = await writeEtc(
    plan.dir,
    plan.vms.map((v) => v.name),
    plan.image?.rootfs,
  );
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const neighbours = fitNeighbourTable(plan.vms.length);
  await buildNetwork(plan);
  const knownHosts = await makeHostKeys(plan);
  await addressVms(plan);
  await Promise.all(plan.vms.map((v) => startVm(plan, v)));
  const deadline = Date.now() + 30_000;
  // on the address the inventory reaches it at (IPv4, or IPv6 with --reach ipv6)
  await Promise.all(plan.vms.filter((v) => v.group === 'lab').map((v) => waitForPort(reachOf(plan, v).address, 22, deadline)));

  const inventory = join(plan.dir, 'inventory.yaml');
  writeFileSync(inventory, labInventory(plan, key, knownHosts, topology));
  const notes = [
    ...(neighbours ? [neighbours] : []),
    ...(plan.ipv6 ? [] : ['this machine has no IPv6 (/proc/sys/net/ipv6 is missing): the lab has IPv4 addresses only']),
  ];
  return { plan, inventory, knownHosts, key, becomePassword, notes };
}
