import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, type LabInfo } from '../../src/lab/lab.js';
import { readStamp } from '../../src/lab/lab-image-build.js';
import { IMAGE_NAMES, imageDir, imageOf } from '../../src/lab/lab-images.js';
import { readRecord } from '../../src/lab/lab-record.js';
import { cli, onVm, startLab, stopLab } from './lab-fixture.js';

/**
 * `lab up --image`: VMs that run a Debian userland of their own (debian12, debian13,
 * debian13-nft), a 2-VM lab of each, started at once. An image is built once per machine: the
 * first run here builds the ones missing (about a minute each, in beforeAll); after that a lab
 * starts in seconds.
 */

/** What this machine's own programs say (the default lab's VMs run these). */
function local(argv: string[]): Promise<string> {
  return new Promise((resolve) => execFile(argv[0]!, argv.slice(1), (_err, stdout, stderr) => resolve((stdout + stderr).trim())));
}

/** The identification line the SSH server at host:22 sends first: which sshd answers. */
function sshBanner(host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port: 22 });
    let got = '';
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\n')) {
        sock.destroy();
        resolve(got.split('\n')[0]!.trim());
      }
    });
    sock.once('error', reject);
  });
}

/** A Debian version 1:10.0p1-7+deb13u4 → its upstream (10.0p1) and Debian (7+deb13u4) parts. */
function versionParts(v: string): { upstream: string; debian: string } {
  const noEpoch = v.replace(/^\d+:/, '');
  const cut = noEpoch.lastIndexOf('-');
  return { upstream: noEpoch.slice(0, cut), debian: noEpoch.slice(cut + 1) };
}

const VERSIONS =
  'sshd -V 2>&1 | head -n 1; ip -V; nft -v; command -v iptables >/dev/null && echo iptables: yes || echo iptables: no; cat /etc/debian_version; ls /sys/class/net | tr "\\n" " "; echo\n';

describe.each(IMAGE_NAMES.map((name) => ({ name })))('lab up --image $name', ({ name }) => {
  let lab: LabInfo;
  const image = imageOf(name);
  beforeAll(async () => {
    lab = await labs.get(name)!;
  });

  it("its VMs run the image's sshd, iproute2 and nftables (not this machine's), and the lab's record and status say so", async () => {
    const stamp = readStamp(imageDir(image))!;
    expect(stamp.name).toBe(name);
    expect(lab.plan.image?.rootfs).toBe(join(imageDir(image), 'rootfs'));
    const ssh = versionParts(stamp.versions['openssh-server']!);
    const ip = versionParts(stamp.versions.iproute2!);
    const nft = versionParts(stamp.versions.nftables!);
    // the running sshd that answers (its banner), not only the binary on PATH
    for (const vm of [1, 2]) {
      const banner = await sshBanner(lab.plan.vmAddress(vm));
      expect(banner).toMatch(new RegExp(`^SSH-2\\.0-OpenSSH_${ssh.upstream.replace(/p\d+$/, '')}p\\d+ Debian-${ssh.debian.replace(/\+/g, '\\+')}$`));
    }
    const r = await onVm(lab, 1, VERSIONS);
    expect(r.code, r.stderr).toBe(0);
    const [sshdV, ipV, nftV, iptables, debian, links] = r.stdout.split('\n');
    expect(sshdV).toMatch(new RegExp(`^OpenSSH_${ssh.upstream.replace(/p\d+$/, '').replace('.', '\\.')}[p, ]`));
    expect(ipV).toContain(`iproute2-${ip.upstream}`);
    expect(nftV).toContain(`v${nft.upstream}`);
    expect(iptables).toBe(name === 'debian13-nft' ? 'iptables: no' : 'iptables: yes');
    expect(debian).toMatch(image.suite === 'bookworm' ? /^12\./ : /^13\./);
    // /sys mounted in the VM's network namespace: its own links
    expect(links!.trim().split(' ').sort()).toEqual(['eth0', 'lo']);
    // where Debian 13's differ from this machine's, the VM shows Debian 13's
    const mine = { sshd: await local(['/usr/sbin/sshd', '-V']), ip: await local(['ip', '-V']), nft: await local(['nft', '-v']) };
    if (image.suite === 'trixie' && !readFileSync('/etc/debian_version', 'utf8').startsWith('13')) {
      expect(sshdV).not.toBe(mine.sshd.split('\n')[0]);
      expect(ipV).not.toBe(mine.ip);
      expect(nftV).not.toBe(mine.nft);
    }
    expect(readRecord(lab.plan.dir)?.image?.name).toBe(name);
    const status = await cli('lab', 'status', '--name', lab.plan.name);
    expect(status.stdout + status.stderr).toMatch(new RegExp(`running ${name}, 2 sshd running, .*logins ok on 2 of 2 VMs`));
    expect(status.code).toBe(0);
  });

  it('root and cnet (through sudo) add network namespaces; each VM has its own /run', async () => {
    const asRoot = await onVm(lab, 1, 'ip netns add x && ip netns list && ip netns del x && echo done\n');
    expect(asRoot.stdout, asRoot.stderr).toBe('x\ndone\n');
    const { sudoer } = LAB_USERS;
    const asSudoer = await onVm(lab, 1, 'id -un; sudo -n ip netns add y && sudo -n ip netns list\n', sudoer);
    expect(asSudoer.stdout, asSudoer.stderr).toBe(`${sudoer}\ny\n`);
    // vm2 has none of vm1's namespaces (its own /run/netns), and the same name is free there
    const other = await onVm(lab, 2, 'ip netns list; ip netns add y && echo added; ip netns del y; test -e /run/netns/y || echo gone\n');
    expect(other.stdout, other.stderr).toBe('added\ngone\n');
    const mark = await onVm(lab, 1, "ip netns del y; echo vm1 > /run/cnet-image-check; stat -c '%a %U' /run /run/sshd; findmnt -n -o FSTYPE /run\n");
    expect(mark.stdout, mark.stderr).toBe('755 root\n755 root\ntmpfs\n');
    expect((await onVm(lab, 2, 'cat /run/cnet-image-check 2>/dev/null || echo none\n')).stdout).toBe('none\n');
  });

  it("a VM's writes stay in its own layer: the image and the other VM do not see them", async () => {
    const rootfs = lab.plan.image!.rootfs;
    const file = 'usr/local/bin/cnet-image-write-check';
    const w = await onVm(lab, 1, `echo vm1 > /${file} && echo changed >> /etc/hosts && rm /etc/issue && cat /${file}\n`);
    expect(w.stdout, w.stderr).toBe('vm1\n');
    expect(existsSync(join(rootfs, file))).toBe(false);
    expect(readFileSync(join(rootfs, 'etc', 'issue'), 'utf8')).toMatch(/Debian/);
    expect(readFileSync(join(rootfs, 'etc', 'passwd'), 'utf8')).not.toMatch(/^cnet:/m);
    const seen = await onVm(lab, 2, `test -e /${file} && echo seen; test -e /etc/issue && echo issue; grep -c changed /etc/hosts\n`);
    expect(seen.stdout).toBe('issue\n0\n');
  });
});

/** The three labs, started at once before any test (each builds its image first if the machine has none). */
const labs = new Map<string, Promise<LabInfo>>();

beforeAll(async () => {
  for (const name of IMAGE_NAMES) labs.set(name, startLab('im', 2, {}, { image: name }));
  await Promise.allSettled(labs.values());
}, 900_000);

afterAll(async () => {
  for (const lab of await Promise.allSettled(labs.values())) if (lab.status === 'fulfilled') await stopLab(lab.value);
});

describe('lab up --image, refused', () => {
  it('an unknown image: the error lists the images, and nothing is made', async () => {
    const r = await cli('lab', 'up', '--name', 'imnone', '--hosts', '1', '--image', 'debian11');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('lab image "debian11" does not exist; the images are: debian12, debian13, debian13-nft');
    expect(existsSync('/var/lib/cnet-remote/lab/imnone')).toBe(false);
  });
});
