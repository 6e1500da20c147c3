import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cliEnv, onVm, SEED_PART2, snapshot, startLab, stopLab } from './lab-fixture.js';
import { background, byName, journalEnd, until } from './run-fixture.js';

/**
 * What a host holds of cnet-remote's, over real SSH on lab VMs: a transaction killed inside a
 * batch is recovered; what the inventory no longer names is removed (or kept, and named);
 * a namespace cnet-remote did not make is never taken over; a state folder someone else made
 * is never trusted. Each test starts from nothing of ours, with something foreign on each VM.
 */
let lab: LabInfo;
let dir: string;
const part2 = readFileSync(SEED_PART2, 'utf8');
/** the lab inventory with this network (a variant of part2) */
function inv(network = part2): string[] {
  const file = join(dir, `net-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, network);
  return [lab.inventory, file];
}
beforeAll(async () => {
  lab = await startLab('hst', 2);
  dir = mkdtempSync(join(tmpdir(), 'cnet-host-state-'));
});
afterAll(async () => stopLab(lab));

const FOREIGN =
  'ip link add name keep0 type bridge 2>/dev/null; iptables -t nat -C POSTROUTING -s 10.99.0.0/16 -j MASQUERADE 2>/dev/null || iptables -t nat -A POSTROUTING -s 10.99.0.0/16 -j MASQUERADE\n';
let clean: string;
beforeEach(async () => {
  await cliEnv({}, 'down', ...inv());
  await onVm(lab, 1, `rm -rf /run/cnet-remote /run/cnet-stalled /run/pwned; ip netns del container1 2>/dev/null; ${FOREIGN}`);
  clean = await snapshot(lab, 1);
});

const up = (...args: string[]) => cliEnv({}, 'up', ...args, '--json', '--limit', 'vm1');
const verify = (...args: string[]) => cliEnv({}, 'verify', ...args, '--json', '--limit', 'vm1');
const vm1 = (run: { stdout: string }) => byName(run.stdout).vm1!;

describe.sequential('a runner killed inside an ip -batch', () => {
  it('the next up rolls back what the batch may have made and builds; down then leaves nothing; nothing foreign is touched', async () => {
    // inside vm1's mount namespace only: an `ip` that runs the first command of a transaction's batch, then hangs there
    const real = join(lab.plan.dir, 'ip.real');
    const slow = join(lab.plan.dir, 'ip.slow');
    const ipPath = execFileSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).trim();
    copyFileSync(ipPath, real);
    writeFileSync(
      slow,
      `#!/bin/sh\ncase " $* " in *" -j "*) ;; *" -batch "*) IFS= read -r first; printf '%s\\n' "$first" | ${real} "$@"; : > /run/cnet-stalled; exec sleep 300 ;; esac\nexec ${real} "$@"\n`,
      { mode: 0o755 },
    );
    const holder = readFileSync(join(lab.plan.dir, 'h1.holder'), 'utf8').trim();
    const inVm = (cmd: string) => execFileSync('nsenter', ['-t', holder, '-m', 'sh', '-c', cmd]);
    inVm(`mount --bind ${slow} ${ipPath}`);
    let mounted = true;
    try {
      const first = background({}, 'up', ...inv(), '--json', '--limit', 'vm1');
      await until(async () => (await onVm(lab, 1, '[ -e /run/cnet-stalled ] && echo yes\n')).stdout.trim() === 'yes');
      expect(await journalEnd(lab, 1)).toMatch(/^try \d+$/);
      // the runner and its batch, killed as a reboot or the OOM killer would
      await onVm(lab, 1, 'read -r k id pid < /run/cnet-remote/txn/journal; kill -9 "-$pid"\n');
      expect(vm1(await first.done).status).not.toBe('changed');
      inVm(`umount ${ipPath}`);
      mounted = false;
      // half built: the batch's first command ran
      expect((await onVm(lab, 1, 'ip netns list\n')).stdout).toMatch(/container1/);
      expect(await journalEnd(lab, 1)).toMatch(/^try \d+$/);

      const next = await up(...inv());
      expect(next.code, next.stdout).toBe(0);
      expect(vm1(next).warnings?.map((w) => w.message)).toContainEqual(
        expect.stringMatching(/had been interrupted \(its runner died; its journal ended "try"\): rolled back from its journal/),
      );
      expect(vm1(await verify(...inv())).status).toBe('ok');
      const down = await cliEnv({}, 'down', ...inv(), '--json', '--limit', 'vm1');
      expect(vm1(down).status).toBe('changed');
      expect(await snapshot(lab, 1)).toBe(clean);
    } finally {
      if (mounted) inVm(`umount ${ipPath}`);
    }
  });
});

describe.sequential('what the inventory no longer names', () => {
  const renamed = part2.replace(
    'container2: { bridge: br0, address: 172.18.0.3, host_if: veth2, ns_if: ceth2 }',
    'container3: { bridge: br0, host_if: veth3, ns_if: ceth3 }',
  );

  it('a namespace renamed: plan shows the removals first, up removes the old one and gives the new one its address; verify is clean', async () => {
    expect((await up(...inv())).code).toBe(0);
    const plan = await cliEnv({}, 'plan', ...inv(renamed), '--limit', 'vm1');
    expect(plan.stdout).toMatch(/# vm1: \d+ commands\nip link del dev veth2\nip netns del container2\nip netns add container3\n/);
    const before = await verify(...inv(renamed));
    expect(vm1(before).mismatches.map((m) => m.path)).toEqual(
      expect.arrayContaining(['leftover.netns.container2', 'leftover.link.veth2', 'namespaces.container3']),
    );
    const run = await up(...inv(renamed));
    expect(run.code, run.stdout).toBe(0);
    const state = await onVm(lab, 1, "ip netns list | cut -d' ' -f1 | sort; ip -n container3 -br addr show dev ceth3\n");
    expect(state.stdout).toMatch(/^container1\ncontainer3\n/);
    expect(state.stdout).toMatch(/ceth3@\S+ +UP +172\.18\.0\.3\/16/);
    expect(vm1(await verify(...inv(renamed))).status).toBe('ok');
  });

  it('--no-prune keeps the old namespace, refuses to give its address away, and verify names the leftover and the address used twice', async () => {
    expect((await up(...inv())).code).toBe(0);
    const clash = await up(...inv(renamed), '--no-prune');
    expect(clash.code).toBe(2);
    expect(vm1(clash).error).toMatch(/refused, nothing applied: 172\.18\.0\.3 of namespace container3 is still used on br0 by container2/);
    // with an address of its own, container3 is built beside the kept container2
    const beside = renamed.replace('container3: { bridge: br0,', 'container3: { bridge: br0, address: 172.18.0.9,');
    expect((await up(...inv(beside), '--no-prune')).code).toBe(0);
    expect((await onVm(lab, 1, "ip netns list | cut -d' ' -f1 | sort\n")).stdout).toMatch(/^container1\ncontainer2\ncontainer3\n/);
    const kept = await verify(...inv(beside), '--no-prune');
    expect(vm1(kept).status).toBe('ok');
    expect(vm1(kept).warnings?.map((w) => w.message)).toContainEqual(
      expect.stringMatching(
        /^leftover\.netns\.container2: namespace container2 \(made by cnet-remote; the inventory no longer names it\); kept \(--no-prune\)/,
      ),
    );
    const named = await verify(...inv(beside));
    expect(named.code).toBe(2);
    expect(vm1(named).mismatches.map((m) => m.path)).toEqual(['leftover.netns.container2', 'leftover.link.veth2']);
    // someone gives container1 container2's address by hand: used twice on br0
    await onVm(lab, 1, 'ip -n container1 addr add 172.18.0.3/16 dev ceth1\n');
    const twice = await verify(...inv());
    expect(vm1(twice).mismatches).toContainEqual({
      path: 'bridges.br0.addresses',
      desired: '172.18.0.3 used once',
      actual: '172.18.0.3 used by container1 and container2',
      object: { kind: 'bridge', name: 'br0' },
      part: 'addresses',
    });
  });

  it('a subnet changed: the old MASQUERADE rule goes; nat: false: the rules go and ip_forward is what it was', async () => {
    expect((await up(...inv())).code).toBe(0);
    const nat = () =>
      onVm(
        lab,
        1,
        "iptables -t nat -S POSTROUTING | grep -c 'cnet-remote:' ; iptables -t nat -S POSTROUTING | grep -o -- '-s 172\\.[0-9.]*/16' ; cat /proc/sys/net/ipv4/ip_forward\n",
      );
    const forwardBefore = clean.trim().split('\n').at(-2);
    expect((await up(...inv(part2.replaceAll('172.18.', '172.20.')))).code).toBe(0);
    expect((await nat()).stdout).toBe('1\n-s 172.20.0.0/16\n1\n');
    expect((await up(...inv(part2.replaceAll('172.18.', '172.20.').replace('nat: true', 'nat: false')))).code).toBe(0);
    expect((await nat()).stdout).toBe(`0\n${forwardBefore}\n`);
    expect(vm1(await cliEnv({}, 'down', ...inv(), '--json', '--limit', 'vm1')).status).toBe('changed');
    expect(await snapshot(lab, 1)).toBe(clean);
  });
});

describe.sequential('what cnet-remote did not make', () => {
  it('a hand-made namespace with an inventory name: refused with the reason, nothing applied; down leaves it and its route', async () => {
    await onVm(lab, 1, 'ip netns add container1; ip -n container1 link set lo up; ip -n container1 route add blackhole default\n');
    const mine = await snapshot(lab, 1);
    const run = await up(...inv());
    expect(run.code).toBe(2);
    expect(vm1(run).error).toMatch(
      /refused, nothing applied: namespace container1 already exists and was not created by cnet-remote \(its lo does not carry the mark "cnet-remote"\).*remove it \(ip netns del container1\) or choose another namespace name/,
    );
    expect(await snapshot(lab, 1)).toBe(mine);
    await cliEnv({}, 'down', ...inv(), '--limit', 'vm1');
    expect((await onVm(lab, 1, 'ip -n container1 route show default\n')).stdout).toMatch(/^blackhole default/);
  });

  it('a state folder someone else made (a planted journal and script): every command refuses it by path and owner, the script never runs', async () => {
    await onVm(
      lab,
      1,
      [
        'mkdir -p /run/cnet-remote/txn',
        "printf 'touch /run/pwned\\n' > /run/cnet-remote/txn/current.sh",
        "printf 'begin EVIL 999999\\ndone 0\\n' > /run/cnet-remote/txn/journal",
        'chown -R cnet:cnet /run/cnet-remote',
        '',
      ].join('\n'),
    );
    for (const cmd of ['up', 'down', 'verify', 'plan']) {
      const run = await cliEnv({}, cmd, ...inv(), '--json', '--limit', 'vm1');
      expect(run.code, `${cmd}: ${run.stdout}`).toBe(2);
      expect(vm1(run).error).toMatch(
        /refused: cnet-remote keeps its lock, record and transaction scripts in \/run\/cnet-remote .* but found \/run\/cnet-remote owner cnet mode 755 type d/,
      );
    }
    expect((await onVm(lab, 1, 'ls /run/pwned 2>&1; ls /run/cnet-remote/txn\n')).stdout).toBe(
      "ls: cannot access '/run/pwned': No such file or directory\ncurrent.sh\njournal\n",
    );
    expect(await snapshot(lab, 1)).toBe(clean);
  });

  it("what cnet-remote makes there is root's alone: folders 700, files 600", async () => {
    expect((await up(...inv())).code).toBe(0);
    const modes = await onVm(lab, 1, 'stat -c "%a %U" /run/cnet-remote /run/cnet-remote/* /run/cnet-remote/txn/*\n');
    expect(
      new Set(
        modes.stdout
          .trim()
          .split('\n')
          .map((l) => l.replace(/^(700|600) root$/, 'ok')),
      ),
    ).toEqual(new Set(['ok']));
  });
});
