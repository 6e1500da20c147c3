import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LabError } from '../errors.js';
import { quoteWord } from '../shell/quote.js';
import { exec, spawnDetached } from './local-exec.js';
import { type LabPlan, type LabVm } from './lab-plan.js';

export { labDown } from './lab-down.js';

export interface LabInfo {
  plan: LabPlan;
  inventory: string;
  knownHosts: string;
  key: string;
  /** sudo (and SSH) password of the lab user `cnetpw` */
  becomePassword: string;
}

/** Lab users besides root, in every VM: `cnet` has passwordless sudo; `cnetpw` needs its password. */
export const LAB_USERS = { sudoer: 'cnet', passwordSudoer: 'cnetpw' } as const;

const SSHD_CONFIG = (dir: string, kbdOnly: string | undefined) => `# sshd of the cnet-remote lab's simulated VMs
AuthorizedKeysFile ${dir}/id_ed25519.pub
PermitRootLogin prohibit-password
PasswordAuthentication yes
KbdInteractiveAuthentication yes
UsePAM yes
PidFile none
StrictModes no
UseDNS no
PrintMotd no
${
  kbdOnly
    ? `# vm3 takes passwords only through keyboard-interactive (PAM), as many cloud images do
Match LocalAddress ${kbdOnly}
  PasswordAuthentication no
`
    : ''
}`;

/** PAM for the VMs' sshd: password checks against the VM's own /etc/shadow, nothing that needs a login session. */
const PAM_SSHD = `auth required pam_unix.so
account required pam_unix.so
password required pam_unix.so
session required pam_permit.so
`;

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

async function keygen(file: string, comment: string): Promise<string> {
  await exec(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

/**
 * What each VM's /etc has of its own (the upper layer of an overlay on the machine's /etc, see
 * startVm): passwd, shadow, group with the lab users added, sudoers.d with only theirs (the
 * machine's other files there are hidden by whiteouts), sshd's PAM, and hosts.
 */
async function writeEtc(dir: string, names: string[]): Promise<string> {
  const etc = join(dir, 'etc');
  mkdirSync(join(etc, 'sudoers.d'), { recursive: true, mode: 0o755 });
  mkdirSync(join(etc, 'pam.d'), { recursive: true, mode: 0o755 });
  chmodSync(etc, 0o755);
  const password = randomBytes(12).toString('base64url');
  const hash = (await exec(['openssl', 'passwd', '-6', '-stdin'], `${password}\n`)).trim();
  const { sudoer, passwordSudoer } = LAB_USERS;
  const users = [
    [sudoer, 2001, '*'],
    [passwordSudoer, 2002, hash],
  ] as const;
  writeFileSync(join(etc, 'passwd'), readFileSync('/etc/passwd', 'utf8') + users.map(([u, id]) => `${u}:x:${id}:${id}::/home/${u}:/bin/sh\n`).join(''), {
    mode: 0o644,
  });
  writeFileSync(join(etc, 'group'), readFileSync('/etc/group', 'utf8') + users.map(([u, id]) => `${u}:x:${id}:\n`).join(''), { mode: 0o644 });
  writeFileSync(join(etc, 'shadow'), readFileSync('/etc/shadow', 'utf8') + users.map(([u, , h]) => `${u}:${h}:19000:0:99999:7:::\n`).join(''), { mode: 0o640 });
  const sudoers = join(etc, 'sudoers.d', 'cnet-lab');
  writeFileSync(sudoers, `${sudoer} ALL=(ALL:ALL) NOPASSWD: ALL\n${passwordSudoer} ALL=(ALL:ALL) ALL\n`);
  chmodSync(sudoers, 0o440);
  for (const f of existsSync('/etc/sudoers.d') ? readdirSync('/etc/sudoers.d') : []) {
    if (f !== 'cnet-lab') await exec(['mknod', join(etc, 'sudoers.d', f), 'c', '0', '0']);
  }
  writeFileSync(join(etc, 'pam.d', 'sshd'), PAM_SSHD, { mode: 0o644 });
  // sudo looks its host name up: without it, every sudo waits for DNS that is not there
  writeFileSync(join(etc, 'hosts'), `127.0.0.1 localhost\n127.0.1.1 ${names.join(' ')}\n`, { mode: 0o644 });
  writeFileSync(join(dir, `${passwordSudoer}.password`), password, { mode: 0o600 });
  return password;
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
  writeFileSync(join(plan.dir, 'sshd_config'), SSHD_CONFIG(plan.dir, plan.hosts >= 3 ? plan.vmAddress(3) : undefined));
  const becomePassword = await writeEtc(
    plan.dir,
    plan.vms.map((v) => v.name),
  );
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const { switchNs, upstreamNs, rootIf, prefix, vms } = plan;
  const main = vms.filter((v) => v.group === 'lab');
  const priv = vms.filter((v) => v.group === 'private');
  const deep = vms.filter((v) => v.group === 'deep');
  const seg = (n: 1 | 2) => `${plan.name}-s${n}`;
  const batch = (ns: string | undefined, lines: string[]) => exec(['ip', ...(ns ? ['-n', ns] : []), '-batch', '-'], lines.join('\n') + '\n');
  const bridge = ['link set dev lo up', 'link add name br type bridge', 'link set dev br up'];
  const port = (v: LabVm, ifname: string) => [`link add name ${v.key} type veth peer name ${ifname} netns ${v.ns}`, `link set dev ${v.key} master br up`];

  const switches = [switchNs, ...(priv.length ? [seg(1)] : []), ...(deep.length ? [seg(2)] : [])];
  await batch(
    undefined,
    [...switches, upstreamNs, ...vms.map((v) => v.ns)].map((n) => `netns add ${n}`),
  );
  await batch(undefined, [
    `link add name ${rootIf} type veth peer name c netns ${switchNs}`,
    `addr add ${plan.controllerAddress}/${prefix} dev ${rootIf}`,
    `link set dev ${rootIf} up`,
  ]);
  await batch(switchNs, [
    ...bridge,
    'link set dev c master br up',
    `link add name up type veth peer name eth0 netns ${upstreamNs}`,
    'link set dev up master br up',
    ...main.flatMap((v) => port(v, 'eth0')),
  ]);
  await batch(upstreamNs, [
    'link set dev lo up',
    `addr add ${plan.internetAddress}/32 dev lo`,
    `addr add ${plan.upstreamAddress}/${prefix} dev eth0`,
    'link set dev eth0 up',
  ]);
  const segments: { n: 1 | 2; gateway: LabVm; members: LabVm[] }[] = [];
  if (priv.length) segments.push({ n: 1, gateway: main[0]!, members: priv });
  if (deep.length) segments.push({ n: 2, gateway: priv[0]!, members: deep });
  for (const s of segments) {
    // the bastion's second leg: `eth1` with the segment's .1
    const gw = `${plan.net}.${s.n === 1 ? 160 : 176}.1`;
    await batch(seg(s.n), [
      ...bridge,
      `link add name gw type veth peer name eth1 netns ${s.gateway.ns}`,
      'link set dev gw master br up',
      ...s.members.flatMap((v) => port(v, 'eth0')),
    ]);
    await batch(s.gateway.ns, [`addr add 10.${gw}/20 dev eth1`, 'link set dev eth1 up']);
  }

  const hostKeys = await Promise.all(vms.map((v) => keygen(join(plan.dir, 'hostkeys', v.key), v.name)));
  const knownHosts = join(plan.dir, 'known_hosts');
  writeFileSync(knownHosts, vms.map((v, k) => `${v.address} ${hostKeys[k]!.split(' ').slice(0, 2).join(' ')}\n`).join(''), { mode: 0o600 });

  for (const v of vms) {
    const prefixLen = v.group === 'lab' ? prefix : 20;
    await batch(v.ns, [
      'link set dev lo up',
      `addr add ${v.address}/${prefixLen} dev eth0`,
      'link set dev eth0 up',
      ...(v.group === 'lab' ? [`route add default via ${plan.upstreamAddress}`] : []),
    ]);
  }
  await Promise.all(vms.map((v) => startVm(plan, v)));
  const deadline = Date.now() + 30_000;
  await Promise.all(main.map((v) => waitForPort(v.address, 22, deadline)));

  const inventory = join(plan.dir, 'inventory.yaml');
  writeFileSync(inventory, labInventory(plan, key, knownHosts, topology));
  return { plan, inventory, knownHosts, key, becomePassword };
}

/**
 * A VM: a mount + UTS namespace of its own, held open by a `sleep`, with sshd started inside it.
 * Its /run is a tmpfs of its own (its own /run/netns, lock and record), 0755 root as on a real
 * host; /root and /home are clean homes. Its /etc is an overlay on the machine's /etc whose upper
 * layer, a tmpfs of the VM's own, holds the lab's passwd, shadow, group, hosts, sudoers.d and
 * sshd's PAM (writeEtc): the machine replacing its /etc/passwd (useradd renames a new file over
 * it) changes nothing in the VM, where bind mounts of those files stayed on the replaced ones and
 * the VM lost its users. Writes in the VM's /etc stay in the VM. Stopping sshd keeps the VM's
 * state; startSshd brings it back.
 */
async function startVm(plan: LabPlan, v: LabVm): Promise<void> {
  const q = quoteWord;
  const layer = '/run/lab-etc';
  const { sudoer, passwordSudoer } = LAB_USERS;
  const log = join(plan.dir, `${v.key}.vm.log`);
  const script = [
    `exec 2>${q(log)}`,
    'set -eu',
    `hostname ${v.name}`,
    'mount -t tmpfs -o mode=755 tmpfs /run',
    'mkdir -m 755 /run/sshd',
    'mount -t tmpfs -o mode=700 tmpfs /root',
    'mount -t tmpfs -o mode=755 tmpfs /home',
    // the upper layer is reached only through the overlay: its own mount is detached at once
    `mkdir ${layer}`,
    `mount -t tmpfs -o mode=755 tmpfs ${layer}`,
    `mkdir ${layer}/upper ${layer}/work`,
    `cp -a ${q(join(plan.dir, 'etc'))}/. ${layer}/upper/`,
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${layer}/upper,workdir=${layer}/work /etc`,
    `umount -l ${layer}`,
    `rmdir ${layer}`,
    ...[sudoer, passwordSudoer].map((u) => `mkdir -m 755 /home/${u} && chown ${u}:${u} /home/${u}`),
    'exec sleep infinity',
  ].join('\n');
  const holder = spawnDetached(['ip', 'netns', 'exec', v.ns, 'unshare', '--mount', '--uts', '--propagation', 'private', 'sh', '-c', script]);
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

const vmKey = (vm: number | string) => (typeof vm === 'number' ? `h${vm}` : vm);

/** (Re)starts a VM's sshd; `vm` is a main-segment index or a key (h1, p1, q1). */
export function startSshd(plan: LabPlan, vm: number | string, holder?: number): void {
  const key = vmKey(vm);
  const pid0 = holder ?? Number(readFileSync(join(plan.dir, `${key}.holder`), 'utf8'));
  // each VM's sshd logs to its own file in the lab folder (logins, refusals: what a test can count)
  const pid = spawnDetached([
    'nsenter',
    '-t',
    String(pid0),
    '-m',
    '-u',
    '-n',
    '/usr/sbin/sshd',
    '-D',
    '-f',
    `${plan.dir}/sshd_config`,
    '-h',
    `${plan.dir}/hostkeys/${key}`,
    '-E',
    `${plan.dir}/${key}.log`,
  ]);
  writeFileSync(join(plan.dir, `${key}.sshd`), String(pid));
}

/** Stops one VM's sshd (the VM and its containers stay): a host that is down for SSH. */
export function stopSshd(plan: LabPlan, vm: number | string): void {
  const file = join(plan.dir, `${vmKey(vm)}.sshd`);
  const pid = Number(readFileSync(file, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  rmSync(file, { force: true });
}

/** Silently drops SSH to a VM (no refusal, no reset): a host that makes connections time out. */
export async function blackhole(plan: LabPlan, vm: number | string, on = true): Promise<void> {
  const v = plan.vms.find((x) => x.key === vmKey(vm));
  if (!v) throw new LabError(`no VM ${vm} in lab ${plan.name}`);
  // both ways: an established session must hear nothing either
  await exec(['ip', 'netns', 'exec', v.ns, 'iptables', '-w', on ? '-I' : '-D', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'DROP']);
  await exec(['ip', 'netns', 'exec', v.ns, 'iptables', '-w', on ? '-I' : '-D', 'OUTPUT', '-p', 'tcp', '--sport', '22', '-j', 'DROP']);
}

function labInventory(plan: LabPlan, key: string, knownHosts: string, topology: Record<string, unknown> | undefined): string {
  const hostsOf = (group: LabVm['group']) => Object.fromEntries(plan.vms.filter((v) => v.group === group).map((v) => [v.name, { ansible_host: v.address }]));
  const jump = (v: LabVm | undefined) => (v ? { ansible_ssh_common_args: `-o ProxyJump=${v.via.map((a) => `root@${a}`).join(',')}` } : {});
  const doc = {
    all: {
      vars: {
        ansible_user: 'root',
        ansible_ssh_private_key_file: key,
        cnet_known_hosts_file: knownHosts,
        cnet_host_key_checking: 'strict',
        ...(topology ? { cnet: topology } : {}),
      },
      children: {
        lab: { hosts: hostsOf('lab'), vars: { cnet_probe_target: plan.internetAddress } },
        ...(plan.vms.some((v) => v.group === 'private')
          ? { private: { hosts: hostsOf('private'), vars: jump(plan.vms.find((v) => v.group === 'private')) } }
          : {}),
        ...(plan.vms.some((v) => v.group === 'deep') ? { deep: { hosts: hostsOf('deep'), vars: jump(plan.vms.find((v) => v.group === 'deep')) } } : {}),
      },
    },
  };
  const count = (g: LabVm['group']) => plan.vms.filter((v) => v.group === g).length;
  return [
    `# written by \`cnet-remote lab up\`: lab "${plan.name}", ${plan.hosts} simulated VMs on 10.${plan.net}.0.0/17`,
    ...(count('private') ? [`# and ${count('private')} on 10.${plan.net}.160.0/20, reachable only through vm1`] : []),
    ...(count('deep') ? [`# and ${count('deep')} on 10.${plan.net}.176.0/20, reachable only through vm1 and priv1`] : []),
    `# the upstream ("internet") answers at ${plan.internetAddress}`,
    stringify(doc),
  ].join('\n');
}
