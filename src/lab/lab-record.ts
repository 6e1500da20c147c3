import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { labPlan, type LabPlan, type LabPlanImage, type LabReach } from './lab-plan.js';
import type { ProcessId } from './process-id.js';

/**
 * `<lab folder>/lab.json`: what the lab was made as (so `lab status` knows its VMs and the image
 * they run, if any), and the process it belongs to, if any: a lab with an owner is removed at the
 * next lab start after that process has ended (test labs, the bench's), one without lives until
 * `lab down`. Written before anything of the lab is made, so a crash at any point leaves it behind.
 */
export interface LabRecord {
  name: string;
  net: number;
  hosts: number;
  behind: number;
  behind2: number;
  /** the image its VMs run (lab up --image), absent for VMs that run this machine's programs */
  image?: LabPlanImage;
  /** its IPv6 prefix, when the lab has IPv6 (absent: a machine without IPv6, or a lab made before) */
  network6?: string;
  /** `ipv6` when the inventory reaches the VMs over IPv6 (lab up --reach ipv6); absent: IPv4 */
  reach?: LabReach;
  owner?: ProcessId;
}

export const recordFile = (dir: string) => join(dir, 'lab.json');

export function writeRecord(plan: LabPlan, owner: ProcessId | undefined): void {
  const count = (g: string) => plan.vms.filter((v) => v.group === g).length;
  const rec: LabRecord = {
    name: plan.name,
    net: plan.net,
    hosts: plan.hosts,
    behind: count('private'),
    behind2: count('deep'),
    ...(plan.image ? { image: plan.image } : {}),
    ...(plan.ipv6 ? { network6: plan.network6 } : {}),
    ...(plan.reach === 'ipv6' ? { reach: plan.reach } : {}),
    ...(owner ? { owner } : {}),
  };
  writeFileSync(recordFile(plan.dir), `${JSON.stringify(rec)}\n`);
}

export function readRecord(dir: string): LabRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(dir), 'utf8')) as LabRecord;
  } catch {
    return undefined;
  }
}

/** The plan a recorded lab was made with. */
export function planOf(rec: LabRecord, dir: string): LabPlan {
  const plan = labPlan(rec.name, rec.net, rec.hosts, dirname(dir), { behind: rec.behind, behind2: rec.behind2 });
  return { ...plan, ...(rec.image ? { image: rec.image } : {}), ipv6: rec.network6 !== undefined, reach: rec.reach ?? 'ipv4' };
}
