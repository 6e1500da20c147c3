import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { labUp, type LabInfo } from './lab.js';
import { lockFile, removeLab } from './lab-down.js';
import { ensureImage } from './lab-image-build.js';
import { imageOf } from './lab-images.js';
import { labExists } from './lab-namespaces.js';
import { defaultNet, LAB_NAME, LAB_ROOT, labPlan, type LabPlan, type LabReach, type LabShape } from './lab-plan.js';
import { readRecord, writeRecord } from './lab-record.js';
import { withLock } from './lock.js';
import { reserveNet } from './net-reservation.js';
import { checkLabPrerequisites } from './prerequisites.js';
import { isAlive, processId, type ProcessId } from './process-id.js';

/** What the kernel has when it has IPv6. */
const IPV6_PROC = '/proc/sys/net/ipv6';

export interface StartLabOptions {
  name: string;
  hosts: number;
  shape?: LabShape;
  /** exactly 10.<net>.0.0/16, refused when another lab holds it or the machine routes it */
  net?: number;
  /** else the first free network from this one on (default: derived from the name) */
  from?: number;
  topology?: Record<string, unknown>;
  /** the distribution the VMs run (debian12, debian13, debian13-nft; lab-images.ts), built once per machine; default: this machine's programs */
  image?: string;
  /** the VMs' addresses the inventory gives (ansible_host, the bastions): IPv4's (default) or IPv6's */
  reach?: LabReach;
  /** the process the lab belongs to: once it has ended, the next lab start removes the lab */
  owner?: ProcessId;
  /** a lab of the same name is replaced (default), or refused with `false` */
  replace?: boolean;
  root?: string;
  note?: (text: string) => void;
}

/**
 * Starts a lab. Holding the lab lock (one per lab root, for every process on the machine): removes
 * labs whose owner has ended, removes a lab of the same name, reserves a free network and writes
 * the lab's record; then, without the lock, builds it. Two labs started at the same moment never
 * get the same network, and what a crashed test run left is gone before the next lab starts.
 * With an image, the image is built first if the machine has none yet (lab-image-build.ts: under
 * a lock of its own, so other labs start meanwhile).
 */
export async function startLab(o: StartLabOptions): Promise<LabInfo> {
  checkLabPrerequisites();
  const root = o.root ?? LAB_ROOT;
  labPlan(o.name, o.net ?? 1, o.hosts, root, o.shape); // refuses a bad name or size before anything is touched
  if (o.from !== undefined && !(Number.isInteger(o.from) && o.from >= 1 && o.from <= 254)) throw new LabError(`lab network index ${o.from} must be 1-254`);
  // every lab has IPv6 where the machine has it (a kernel started with ipv6.disable=1 has no /proc/sys/net/ipv6)
  const ipv6 = existsSync(IPV6_PROC);
  if (o.reach === 'ipv6' && !ipv6) throw new LabError(`lab up --reach ipv6: this machine has no IPv6 (${IPV6_PROC} is missing)`);
  const image = o.image === undefined ? undefined : imageOf(o.image);
  const built = image ? await ensureImage(image, o.note ? { note: o.note } : {}) : undefined;
  // the lab users read the authorized key as themselves: the lab root is traversable, its host keys are not
  mkdirSync(root, { recursive: true, mode: 0o755 });
  for (const d of [join(root, '..'), root]) chmodSync(d, 0o755);
  const plan: LabPlan = await withLock(lockFile(root), async () => {
    const swept = await sweepEndedLabs(root);
    for (const g of swept.removed) o.note?.(`removed lab "${g.name}": the process it belonged to (pid ${g.pid}) has ended`);
    for (const g of swept.failed) o.note?.(`could not remove lab "${g.name}" (the process it belonged to has ended): ${g.error}`);
    const dir = join(root, o.name);
    if (o.replace === false && (existsSync(dir) || (await labExists(o.name)))) throw new LabError(`lab "${o.name}" exists already`);
    await removeLab(o.name, dir);
    const net = await reserveNet(root, o.name, { asked: o.net, from: o.from ?? defaultNet(o.name), by: processId() });
    const p: LabPlan = {
      ...labPlan(o.name, net, o.hosts, root, o.shape),
      ...(image && built ? { image: { name: image.name, rootfs: built.rootfs } } : {}),
      ipv6,
      reach: o.reach ?? 'ipv4',
    };
    mkdirSync(p.dir, { mode: 0o755 });
    writeRecord(p, o.owner);
    return p;
  });
  return labUp(plan, o.topology);
}

/** Removes every lab under `root` whose owner has ended (call it holding the lab lock). */
export async function sweepEndedLabs(root: string): Promise<{ removed: { name: string; pid: number }[]; failed: { name: string; error: string }[] }> {
  const out = { removed: [] as { name: string; pid: number }[], failed: [] as { name: string; error: string }[] };
  for (const name of readdirSync(root).filter((n) => LAB_NAME.test(n))) {
    const owner = readRecord(join(root, name))?.owner;
    if (!owner || isAlive(owner)) continue;
    try {
      await removeLab(name, join(root, name));
      out.removed.push({ name, pid: owner.pid });
    } catch (e) {
      out.failed.push({ name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
