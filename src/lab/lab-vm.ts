import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { spawnDetached } from './local-exec.js';
import type { LabPlan, LabVm } from './lab-plan.js';
import { startSshd } from './lab-sshd.js';
import { readTemplate } from './lab-templates.js';
import { LAB_USERS } from './lab-users.js';

/**
 * A VM: a mount + UTS namespace of its own, held open by a `sleep`, with sshd started inside it.
 * templates/vm.sh sets it up, its data given as arguments: its /run is a tmpfs of its own (its
 * own /run/netns, lock and record), 0755 root as on a real host; /root and /home are clean
 * homes. Its /etc is an overlay on the machine's /etc whose upper layer, a tmpfs of the VM's own,
 * holds the lab's passwd, shadow, group, hosts, sudoers.d and sshd's PAM (lab-users.ts): the
 * machine replacing its /etc/passwd (useradd renames a new file over it) changes nothing in the
 * VM, where bind mounts of those files stayed on the replaced ones and the VM lost its users.
 * Writes in the VM's /etc stay in the VM. Stopping sshd keeps the VM's state; startSshd brings it
 * back. The holder's pid goes to `<lab folder>/<key>.holder`.
 * In a lab with an image, templates/vm-image.sh sets the VM up instead: its root is an overlay on
 * the image (its writes in a tmpfs of its own), with the lab's /etc files copied in and the lab
 * folder bound read-only at the same path (sshd's log, `<key>.log`, writable).
 */
export async function startVm(plan: LabPlan, v: LabVm): Promise<void> {
  const log = join(plan.dir, `${v.key}.vm.log`);
  const users = [LAB_USERS.sudoer, LAB_USERS.passwordSudoer];
  const etc = join(plan.dir, 'etc');
  const sshdLog = join(plan.dir, `${v.key}.log`);
  if (plan.image) writeFileSync(sshdLog, '', { flag: 'a' });
  const [template, args] = plan.image
    ? ['vm-image.sh', [log, v.name, etc, plan.image.rootfs, plan.dir, sshdLog, ...users]]
    : ['vm.sh', [log, v.name, etc, ...users]];
  const holder = spawnDetached([
    'ip',
    'netns',
    'exec',
    v.ns,
    'unshare',
    '--mount',
    '--uts',
    '--propagation',
    'private',
    'sh',
    '-c',
    readTemplate(template),
    template,
    ...args,
  ]);
  writeFileSync(join(plan.dir, `${v.key}.holder`), String(holder));
  // the holder execs `sleep` only after its mounts are done: enter its namespaces after that
  const deadline = Date.now() + 10_000;
  const comm = () => {
    try {
      return readFileSync(`/proc/${holder}/comm`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  for (let c = comm(); c !== 'sleep'; c = comm()) {
    const why = () => (existsSync(log) ? readFileSync(log, 'utf8').trim() : '');
    if (c === undefined) throw new LabError(`VM ${v.name} did not start: ${why() || 'its set-up ended'}`);
    if (Date.now() > deadline) throw new LabError(`VM ${v.name} did not start in 10 s${why() ? `: ${why()}` : ''}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  startSshd(plan, v.key, holder);
}
