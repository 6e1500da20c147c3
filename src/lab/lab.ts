import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LabError } from '../errors.js';
import { overlaps, parseCidr, type Cidr } from '../inventory/ipv4.js';
import { exec, spawnDetached } from './local-exec.js';
import { defaultNet, type LabPlan } from './lab-plan.js';
import { checkLabPrerequisites } from './prerequisites.js';

export interface LabInfo {
  plan: LabPlan;
  inventory: string;
  knownHosts: string;
  key: string;
}

const SSHD_CONFIG = (dir: string) => `# sshd of the cnet-remote lab's simulated VMs
AuthorizedKeysFile ${dir}/id_ed25519.pub
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PidFile none
StrictModes no
UseDNS no
PrintMotd no
`;

async function netnsList(): Promise<string[]> {
  const out = await exec(['ip', '-j', 'netns', 'list']);
  return out.trim() ? (JSON.parse(out) as { name: string }[]).map((n) => n.name) : [];
}

function waitForPort(host: string, port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = connect({ host, port });
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new LabError(`sshd on ${host}:${port} did not start`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** What the machine already routes inside 10.<net>.0.0/16 (other than this lab's own link), if anything. */
async function netInUse(net: number, rootIf: string): Promise<string | undefined> {
  const lab = parseCidr(`10.${net}.0.0/16`) as Cidr;
  const routes = JSON.parse(await exec(['ip', '-4', '-j', 'route', 'show', 'table', 'all'])) as { dst: string; dev?: string }[];
  for (const r of routes) {
    if (r.dst === 'default' || r.dev === rootIf) continue;
    const [addr, len] = r.dst.split('/');
    const c = parseCidr(`${addr}/${len ?? 32}`);
    if (typeof c === 'string' ? r.dst.startsWith(`10.${net}.`) : overlaps(lab, c)) return `${r.dst}${r.dev ? ` dev ${r.dev}` : ''}`;
  }
  return undefined;
}

/** The lab's network: the one asked for (refused if taken), else the first free one from the name's default. */
export async function chooseNet(name: string, asked: number | undefined): Promise<number> {
  const rootIf = `${name}-c`;
  if (asked !== undefined) {
    const used = await netInUse(asked, rootIf);
    if (used) throw new LabError(`lab network 10.${asked}.0.0/16 overlaps the machine's route ${used}: choose another --net`);
    return asked;
  }
  const start = defaultNet(name);
  for (let k = 0; k < 254; k++) {
    const net = ((start - 1 + k) % 254) + 1;
    if (!(await netInUse(net, rootIf))) return net;
  }
  throw new LabError('no free 10.N.0.0/16 network for the lab');
}

async function keygen(file: string, comment: string): Promise<string> {
  await exec(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

/** Creates the lab: switch, upstream, K simulated VMs each with its own sshd; writes its inventory. */
export async function labUp(plan: LabPlan, topology: Record<string, unknown> | undefined): Promise<LabInfo> {
  checkLabPrerequisites();
  await labDown(plan.name, plan.dir);
  mkdirSync(join(plan.dir, 'hostkeys'), { recursive: true, mode: 0o700 });
  const key = join(plan.dir, 'id_ed25519');
  await keygen(key, `cnet-remote-lab-${plan.name}`);
  writeFileSync(join(plan.dir, 'sshd_config'), SSHD_CONFIG(plan.dir));
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const { switchNs, upstreamNs, rootIf, prefix } = plan;
  const vms = Array.from({ length: plan.hosts }, (_, k) => k + 1);
  const batch = (ns: string | undefined, lines: string[]) => exec(['ip', ...(ns ? ['-n', ns] : []), '-batch', '-'], lines.join('\n') + '\n');

  await batch(undefined, [switchNs, upstreamNs, ...vms.map(plan.vmNs)].map((n) => `netns add ${n}`));
  await batch(undefined, [`link add name ${rootIf} type veth peer name c netns ${switchNs}`, `addr add ${plan.controllerAddress}/${prefix} dev ${rootIf}`, `link set dev ${rootIf} up`]);
  await batch(switchNs, [
    'link set dev lo up',
    'link add name br type bridge',
    'link set dev br up',
    'link set dev c master br up',
    `link add name up type veth peer name eth0 netns ${upstreamNs}`,
    'link set dev up master br up',
    ...vms.flatMap((i) => [`link add name h${i} type veth peer name eth0 netns ${plan.vmNs(i)}`, `link set dev h${i} master br up`]),
  ]);
  await batch(upstreamNs, ['link set dev lo up', `addr add ${plan.internetAddress}/32 dev lo`, `addr add ${plan.upstreamAddress}/${prefix} dev eth0`, 'link set dev eth0 up']);

  const hostKeys = await Promise.all(vms.map((i) => keygen(join(plan.dir, 'hostkeys', `h${i}`), plan.vmName(i))));
  const knownHosts = join(plan.dir, 'known_hosts');
  writeFileSync(knownHosts, vms.map((i) => `${plan.vmAddress(i)} ${hostKeys[i - 1]!.split(' ').slice(0, 2).join(' ')}\n`).join(''), { mode: 0o600 });

  for (const i of vms) {
    await batch(plan.vmNs(i), ['link set dev lo up', `addr add ${plan.vmAddress(i)}/${prefix} dev eth0`, 'link set dev eth0 up', `route add default via ${plan.upstreamAddress}`]);
  }
  await Promise.all(vms.map((i) => startVm(plan, i)));
  const deadline = Date.now() + 20_000;
  await Promise.all(vms.map((i) => waitForPort(plan.vmAddress(i), 22, deadline)));

  const inventory = join(plan.dir, 'inventory.yaml');
  writeFileSync(inventory, labInventory(plan, key, knownHosts, topology));
  return { plan, inventory, knownHosts, key };
}

/**
 * A VM: a mount + UTS namespace of its own with a private /run (its own /run/netns, record) and
 * /root (a clean home), held open by a `sleep`, with sshd started inside it. Stopping sshd keeps
 * the VM's state; startSshd brings it back.
 */
async function startVm(plan: LabPlan, i: number): Promise<void> {
  const script = `hostname ${plan.vmName(i)}; mount -t tmpfs tmpfs /run; mkdir -p /run/sshd; mount -t tmpfs tmpfs /root; exec sleep infinity`;
  const holder = spawnDetached(['ip', 'netns', 'exec', plan.vmNs(i), 'unshare', '--mount', '--uts', '--propagation', 'private', 'sh', '-c', script]);
  writeFileSync(join(plan.dir, `h${i}.holder`), String(holder));
  // the holder execs `sleep` only after its mounts are done: enter its namespaces after that
  const deadline = Date.now() + 10_000;
  while (readFileSync(`/proc/${holder}/comm`, 'utf8').trim() !== 'sleep') {
    if (Date.now() > deadline) throw new LabError(`VM ${plan.vmName(i)} did not start`);
    await new Promise((r) => setTimeout(r, 5));
  }
  startSshd(plan, i, holder);
}

export function startSshd(plan: LabPlan, i: number, holder = Number(readFileSync(join(plan.dir, `h${i}.holder`), 'utf8'))): void {
  const pid = spawnDetached(['nsenter', '-t', String(holder), '-m', '-u', '-n', '/usr/sbin/sshd', '-D', '-f', `${plan.dir}/sshd_config`, '-h', `${plan.dir}/hostkeys/h${i}`]);
  writeFileSync(join(plan.dir, `h${i}.sshd`), String(pid));
}

/** Stops one VM's sshd (the VM and its containers stay): a host that is down for SSH. */
export function stopSshd(plan: LabPlan, i: number): void {
  const file = join(plan.dir, `h${i}.sshd`);
  const pid = Number(readFileSync(file, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  rmSync(file, { force: true });
}

function labInventory(plan: LabPlan, key: string, knownHosts: string, topology: Record<string, unknown> | undefined): string {
  const hosts = Object.fromEntries(Array.from({ length: plan.hosts }, (_, k) => [plan.vmName(k + 1), { ansible_host: plan.vmAddress(k + 1) }]));
  const doc = {
    all: {
      vars: {
        ansible_user: 'root',
        ansible_ssh_private_key_file: key,
        cnet_known_hosts_file: knownHosts,
        cnet_host_key_checking: 'strict',
        cnet_probe_target: plan.internetAddress,
        ...(topology ? { cnet: topology } : {}),
      },
      children: { lab: { hosts } },
    },
  };
  return `# written by \`cnet-remote lab up\`: lab "${plan.name}", ${plan.hosts} simulated VMs on 10.${plan.net}.0.0/17;\n# the upstream ("internet") answers at ${plan.internetAddress}\n${stringify(doc)}`;
}

/** Removes every namespace, process and interface the lab named `name` made, also after a crash. */
export async function labDown(name: string, dir: string): Promise<number> {
  const mine = (await netnsList()).filter((n) => n.startsWith(`${name}-`) && /-(sw|up|h\d+)$/.test(n));
  const pids = new Set<number>();
  for (const ns of mine) {
    for (const p of (await exec(['ip', 'netns', 'pids', ns])).split('\n').filter(Boolean)) pids.add(Number(p));
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (mine.length > 0) await exec(['ip', '-batch', '-'], mine.map((n) => `netns del ${n}`).join('\n') + '\n');
  const rootIf = `${name}-c`;
  if ((await exec(['ip', '-j', 'link', 'show'])).includes(`"ifname":"${rootIf}"`)) await exec(['ip', 'link', 'del', 'dev', rootIf]);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  return mine.length;
}

export interface LabStatus {
  name: string;
  namespaces: number;
  vms: number;
  sshdRunning: number;
  inventory?: string;
}

export async function labStatus(name: string, dir: string): Promise<LabStatus> {
  const mine = (await netnsList()).filter((n) => n.startsWith(`${name}-`));
  const vms = mine.filter((n) => /-h\d+$/.test(n));
  let sshdRunning = 0;
  for (const ns of vms) {
    const i = ns.slice(name.length + 2);
    const f = join(dir, `h${i}.sshd`);
    if (existsSync(f) && existsSync(`/proc/${readFileSync(f, 'utf8').trim()}`)) sshdRunning++;
  }
  const inventory = join(dir, 'inventory.yaml');
  return { name, namespaces: mine.length, vms: vms.length, sshdRunning, ...(existsSync(inventory) ? { inventory } : {}) };
}
