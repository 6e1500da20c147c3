import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, type LabInfo } from '../../src/lab/lab.js';
import { ROOT, startLab, stopLab, type CliRun } from './lab-fixture.js';

/**
 * `ansible_connection: local`: the CLI runs INSIDE lab VM vm1 (its network, mount and UTS
 * namespaces, entered with nsenter), so "the controller itself" is that VM, never this machine's
 * root namespace. The network must be built in the VM through the local shell (no SSH: the VM's
 * sshd logs no connection from the VM itself), verify must pass (under sudo with a password, as a
 * lab user), down must remove exactly it, and the root namespace must not change.
 */
let lab: LabInfo;
let dir: string;
/** the VM's namespace holder (`sleep`), whose namespaces the CLI enters */
let holder: number;
/** the VM's network namespace, as /proc shows it: every command checks it runs there */
let vmNet: string;

/** this run's own names and subnet, so what is ours is found by name anywhere */
const tag = `lc${Array.from({ length: 4 }, () => 'abcdefghijklmnopqrstuvwxyz'[randomInt(26)]).join('')}`;
const net = `172.31.${randomInt(256)}`;
const BRIDGE = `${tag}br`;
const NS = [`${tag}a`, `${tag}b`];

const INVENTORY = `all:
  hosts:
    localhost:
      ansible_connection: local
  vars:
    cnet:
      bridges:
        ${BRIDGE}: { subnet: ${net}.0/24, address: ${net}.1, nat: true }
      namespaces:
        ${NS[0]}: { bridge: ${BRIDGE}, address: ${net}.2, host_if: ${tag}va, ns_if: ${tag}ca }
        ${NS[1]}: { bridge: ${BRIDGE}, address: ${net}.3, host_if: ${tag}vb, ns_if: ${tag}cb }
`;
const BECOME = 'all:\n  vars:\n    ansible_become: true\n';

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(file, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs argv inside vm1 (as `user`, default root) — only after checking, in there, that it is vm1. */
function inVm(argv: string[], o: { user?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const guard = `[ "$(readlink /proc/self/ns/net)" = "${vmNet}" ] && [ "$(hostname)" = vm1 ] || { echo "not inside vm1: refusing to run" >&2; exit 99; }; exec "$@"`;
  const as = o.user ? ['setpriv', `--reuid=${o.user}`, `--regid=${o.user}`, '--init-groups', '--'] : [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: 'true',
    HOME: o.user ? `/home/${o.user}` : '/root',
    ...(o.user ? { USER: o.user, LOGNAME: o.user } : {}),
    ...o.env,
  };
  // this test's own SSH session (if any) is not the VM's: the management guard reads SSH_CONNECTION
  for (const k of ['SSH_CONNECTION', 'SSH_CLIENT', 'SSH_AUTH_SOCK', 'SSH_TTY']) delete env[k];
  return run('nsenter', ['--target', String(holder), '--net', '--mount', '--uts', '--', 'sh', '-c', guard, 'sh', ...as, ...argv], env);
}

const vmSh = async (script: string) => {
  const r = await inVm(['sh', '-c', script]);
  if (r.code !== 0) throw new Error(`in vm1: ${script}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
};

type Host = { name: string; status: string; changes: number; verified: boolean; steps: string[]; mismatches: unknown[]; error?: string };
async function cnet(args: string[], o: { user?: string; env?: Record<string, string> } = {}) {
  const r = await inVm(['node', join(ROOT, 'bin', 'cnet-remote.js'), ...args, '--json'], o);
  try {
    return { ...r, json: JSON.parse(r.stdout) as { hosts: Host[]; summary: Record<string, number> } };
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}

/** What `down` must leave as it was in the VM: links, namespaces, NAT and filter rules, ip_forward, our record. */
const vmSnapshot = () =>
  vmSh(
    [
      "ip -j link show | tr ',' '\\n' | grep '\"ifname\"' | sort",
      'ip netns list | sort',
      'iptables -t nat -S',
      'iptables -S',
      'cat /proc/sys/net/ipv4/ip_forward',
      'ls /run/cnet-remote/owned 2>/dev/null || echo no-record',
    ].join('\n'),
  );

/**
 * The root namespace, as far as this test could have changed it: every link, namespace, iptables
 * and nftables line naming this run's names or subnet, ip_forward, and the state folder of a host
 * (/run/cnet-remote) — other tests' labs come and go in the root namespace meanwhile, so the rest
 * is not compared.
 */
async function rootState(): Promise<{ ours: string[]; forward: string; stateDir: string }> {
  const r = await run('sh', ['-c', 'ip -d -j link show; ip netns list; iptables-save 2>&1; nft list ruleset 2>&1; true']);
  const ours = r.stdout.split(/[\n,{}]/).filter((l) => l.includes(tag) || l.includes(`${net}.`));
  const stateDir = (await run('sh', ['-c', 'ls -la --time-style=full-iso /run/cnet-remote /run/cnet-remote/* 2>&1; true'])).stdout;
  return { ours, forward: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'), stateDir };
}

let rootBefore: Awaited<ReturnType<typeof rootState>>;
let vmBefore: string;
const inv = () => join(dir, 'inventory.yaml');
const becomeInv = () => join(dir, 'become.yaml');

beforeAll(async () => {
  lab = await startLab('lc', 1);
  holder = Number(readFileSync(join(lab.plan.dir, 'h1.holder'), 'utf8'));
  vmNet = readlinkSync(`/proc/${holder}/ns/net`);
  if (vmNet === readlinkSync('/proc/self/ns/net')) throw new Error('vm1 shares the root network namespace: refusing to run');
  dir = mkdtempSync(join(tmpdir(), 'cnet-e2e-local-'));
  // readable by the lab users, who run the CLI too
  chmodSync(dir, 0o755);
  writeFileSync(inv(), INVENTORY, { mode: 0o644 });
  writeFileSync(becomeInv(), BECOME, { mode: 0o644 });
  rootBefore = await rootState();
  vmBefore = await vmSnapshot();
});
afterAll(async () => {
  await stopLab(lab);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.sequential('ansible_connection: local, inside a lab VM', () => {
  it('plan reaches the host through the local shell, not SSH (ansible_connection is read from the inventory)', async () => {
    const r = await cnet(['plan', inv()]);
    const h = r.json.hosts[0]!;
    expect(h.status, `ansible_connection: local did not take effect (the host was tried over SSH?): ${h.error ?? ''}`).not.toBe('unreachable');
    expect(r.code, r.stderr).toBe(0);
    expect(h.steps).toContain(`ip netns add ${NS[0]}`);
    expect(await vmSnapshot()).toBe(vmBefore);
  });

  it('up builds the network inside the VM: bridge, namespaces with their addresses, NAT, ip_forward', async () => {
    const r = await cnet(['up', inv()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.summary).toMatchObject({ changed: 1, failed: 0, unreachable: 0 });
    expect(r.json.hosts[0]).toMatchObject({ name: 'localhost', verified: true, mismatches: [] });

    const links = JSON.parse(await vmSh(`ip -4 -json addr show dev ${BRIDGE}`)) as {
      ifname: string;
      operstate: string;
      addr_info: { local: string; prefixlen: number }[];
    }[];
    expect(links[0]!.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toEqual([`${net}.1/24`]);
    expect(
      (await vmSh('ip netns list'))
        .split('\n')
        .map((l) => l.split(' ')[0])
        .filter(Boolean)
        .sort(),
    ).toEqual(NS);
    const inside = JSON.parse(await vmSh(`ip -4 -n ${NS[0]} -json addr show dev ${tag}ca`)) as { addr_info: { local: string }[] }[];
    expect(inside[0]!.addr_info.map((a) => a.local)).toEqual([`${net}.2`]);
    const port = JSON.parse(await vmSh(`ip -json -d link show dev ${tag}va`)) as { master?: string }[];
    expect(port[0]!.master).toBe(BRIDGE);
    expect(await vmSh('iptables -t nat -S POSTROUTING')).toContain(`-s ${net}.0/24 ! -o ${BRIDGE}`);
    expect((await vmSh('cat /proc/sys/net/ipv4/ip_forward')).trim()).toBe('1');
    // the containers work: one reaches the other over the bridge, and the lab's "internet" through NAT
    expect(
      await vmSh(
        `ip netns exec ${NS[0]} ping -c 1 -W 2 ${net}.3 >/dev/null && ip netns exec ${NS[1]} ping -c 1 -W 2 ${lab.plan.internetAddress} >/dev/null && echo yes`,
      ),
    ).toBe('yes\n');
  });

  it('none of it is in the root namespace of this machine, nor its state folder', async () => {
    expect(await rootState()).toEqual(rootBefore);
    expect(rootBefore.ours).toEqual([]);
  });

  it('verify passes, run by a lab user under sudo with a password (become, as over SSH)', async () => {
    const r = await cnet(['verify', inv(), becomeInv()], { user: LAB_USERS.passwordSudoer, env: { CNET_BECOME_PASSWORD: lab.becomePassword } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.hosts[0]).toMatchObject({ status: 'ok', verified: true, mismatches: [] });
    // a wrong password: sudo refuses, the host fails, and says so
    const bad = await cnet(['verify', inv(), becomeInv()], { user: LAB_USERS.passwordSudoer, env: { CNET_BECOME_PASSWORD: 'not-the-password' } });
    expect(bad.code).not.toBe(0);
    expect(bad.json.hosts[0]!.error).toMatch(/become password for root was refused/);
  });

  it('down (by the passwordless sudoer) removes exactly what up made, in the VM', async () => {
    const r = await cnet(['down', inv(), becomeInv()], { user: LAB_USERS.sudoer });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.summary).toMatchObject({ changed: 1, failed: 0, unreachable: 0 });
    expect(await vmSnapshot()).toBe(vmBefore);
    expect(await rootState()).toEqual(rootBefore);
  });

  it("no SSH was used: the VM's sshd logged no connection from inside the VM", () => {
    const log = readFileSync(join(lab.plan.dir, 'h1.log'), 'utf8');
    const self = ['127.0.0.1', '::1', lab.plan.vmAddress(1)].map((a) => `${a} port`);
    expect(log.split('\n').filter((l) => self.some((s) => l.includes(s)) || /Accepted/.test(l))).toEqual([]);
  });
});
