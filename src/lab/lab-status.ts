import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_USERS } from './lab-users.js';
import { labNamespaces } from './lab-namespaces.js';
import { reachOf, type LabPlan, type LabVm } from './lab-plan.js';
import { planOf, readRecord } from './lab-record.js';

export interface VmLogin {
  vm: string;
  /** the address logged in to: the one the inventory reaches the VM at (IPv4, or IPv6 with --reach ipv6) */
  address: string;
  /** undefined when root logged in and every lab user is there and usable */
  problem?: string;
}

export interface LabStatus {
  name: string;
  net?: number;
  namespaces: number;
  /** VMs whose namespace exists */
  vms: number;
  /** VMs the lab was made with */
  expected: number;
  sshdRunning: number;
  /** the image its VMs run (lab up --image), if any */
  image?: string;
  /** its IPv6 prefix, when it has IPv6 */
  network6?: string;
  /** the upstream's "internet" addresses, IPv4's and (with IPv6) IPv6's */
  internet?: string[];
  /** `ipv6` when the inventory reaches the VMs over IPv6 */
  reach?: 'ipv6';
  inventory?: string;
  /** one per VM the lab was made with */
  logins: VmLogin[];
  /** what is wrong with the lab as a whole (not up, made by an older version, VMs missing) */
  problems: string[];
}

/** ssh logins checked at once */
export const STATUS_CONCURRENCY = 32;

/**
 * Run as root on each VM: every lab user is in the VM's own passwd and can start a session
 * (su, through PAM's account checks), `cnet` runs sudo without a password, `cnetpw` has one.
 */
const CHECK = (() => {
  const { sudoer, passwordSudoer } = LAB_USERS;
  return `for u in ${sudoer} ${passwordSudoer}; do
  getent passwd "$u" >/dev/null || { echo "lab user $u is missing"; exit 3; }
  [ "$(su -s /bin/sh -c 'id -un' "$u" 2>&1)" = "$u" ] || { echo "lab user $u cannot start a session: $(su -s /bin/sh -c 'id -un' "$u" 2>&1 | tail -n 1)"; exit 3; }
done
su -s /bin/sh -c 'sudo -n true' ${sudoer} >/dev/null 2>&1 || { echo "lab user ${sudoer} cannot sudo without a password"; exit 3; }
case "$(getent shadow ${passwordSudoer} | cut -d: -f2)" in '$'*) ;; *) echo "lab user ${passwordSudoer} has no password"; exit 3 ;; esac
echo ok
`;
})();

function run(argv: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(argv[0]!, argv.slice(1), (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

/** Logs in to one VM as root with the real OpenSSH client and the lab's key and known_hosts, at the address the inventory gives it. */
async function checkLogin(plan: LabPlan, v: LabVm): Promise<VmLogin> {
  // a VM behind a bastion is reached from its bastion's namespace (vm1's, or priv1's for deep ones)
  const from = v.group === 'private' ? plan.vms.find((x) => x.key === 'h1') : v.group === 'deep' ? plan.vms.find((x) => x.key === 'p1') : undefined;
  const ssh = [
    'ssh',
    '-F',
    'none',
    '-T',
    '-i',
    join(plan.dir, 'id_ed25519'),
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${join(plan.dir, 'known_hosts')}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'LogLevel=ERROR',
    `root@${reachOf(plan, v).address}`,
    'sh -s',
  ];
  const r = await run(from ? ['ip', 'netns', 'exec', from.ns, ...ssh] : ssh, CHECK);
  const last = (s: string) => s.trim().split('\n').pop() ?? '';
  const base = { vm: v.name, address: reachOf(plan, v).address };
  if (r.code === 0 && r.stdout.trim() === 'ok') return base;
  if (r.code === 3) return { ...base, problem: last(r.stdout) };
  if (r.code === 255) return { ...base, problem: `login as root failed: ${last(r.stderr) || 'ssh exit 255'}` };
  return { ...base, problem: `the check failed (exit ${r.code}): ${last(r.stderr) || last(r.stdout)}` };
}

async function pool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await fn(items[k]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** What of the lab exists, and whether root and the lab users can log in to each of its VMs. */
export async function labStatus(name: string, dir: string): Promise<LabStatus> {
  const mine = await labNamespaces(name);
  const vms = mine.filter((n) => /-[hpq]\d+$/.test(n));
  let sshdRunning = 0;
  for (const ns of vms) {
    const f = join(dir, `${ns.slice(name.length + 1)}.sshd`);
    if (existsSync(f) && existsSync(`/proc/${readFileSync(f, 'utf8').trim()}`)) sshdRunning++;
  }
  const inventoryFile = join(dir, 'inventory.yaml');
  const inventory = existsSync(inventoryFile) ? inventoryFile : undefined;
  const base = { name, namespaces: mine.length, vms: vms.length, sshdRunning, ...(inventory ? { inventory } : {}) };
  const rec = readRecord(dir);
  if (!rec) {
    const problems =
      mine.length || existsSync(dir)
        ? [`lab "${name}" has no record (${join(dir, 'lab.json')}): it was made by an older cnet-remote or its start failed; lab up again`]
        : [`lab "${name}" is not up`];
    return { ...base, expected: 0, logins: [], problems };
  }
  const plan = planOf(rec, dir);
  const problems: string[] = [];
  if (!inventory) problems.push(`lab "${name}" has no inventory: its start did not finish`);
  const missing = plan.vms.filter((v) => !mine.includes(v.ns)).map((v) => v.name);
  if (missing.length) problems.push(`${missing.length} VMs have no namespace: ${missing.slice(0, 10).join(' ')}${missing.length > 10 ? ' …' : ''}`);
  const logins = await pool(plan.vms, STATUS_CONCURRENCY, (v) => checkLogin(plan, v));
  return {
    ...base,
    net: plan.net,
    ...(plan.image ? { image: plan.image.name } : {}),
    ...(plan.ipv6 ? { network6: plan.network6 } : {}),
    internet: [plan.internetAddress, ...(plan.ipv6 ? [plan.internetAddress6] : [])],
    ...(plan.reach === 'ipv6' ? { reach: plan.reach } : {}),
    expected: plan.vms.length,
    logins,
    problems,
  };
}
