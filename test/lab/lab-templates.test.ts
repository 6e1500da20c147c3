import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { labPlan } from '../../src/lab/lab-plan.js';
import { writeSshdConfig } from '../../src/lab/lab-sshd.js';
import { fillTemplate, readTemplate, TEMPLATES_DIR } from '../../src/lab/lab-templates.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cnet-lab-templates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The expected texts are what lab.ts built as TypeScript strings before the templates were files
// (commit c8f5651): the files a lab writes are unchanged.
describe('the lab templates give the files the lab wrote before', () => {
  const base = (d: string) => `# sshd of the cnet-remote lab's simulated VMs
AuthorizedKeysFile ${d}/id_ed25519.pub
PermitRootLogin prohibit-password
PasswordAuthentication yes
KbdInteractiveAuthentication yes
UsePAM yes
PidFile none
StrictModes no
UseDNS no
PrintMotd no
`;

  const kbd = '# vm3 takes passwords only through keyboard-interactive (PAM), as many cloud images do (its addresses: IPv4, and IPv6 in a lab with it)\n';
  it.each([
    [2, true, ''],
    [3, false, `${kbd}Match LocalAddress 10.7.0.12\n  PasswordAuthentication no\n`],
    [3, true, `${kbd}Match LocalAddress 10.7.0.12,fd63:6e65:7407::c\n  PasswordAuthentication no\n`],
  ])('sshd_config of a lab of %i VMs (IPv6: %s)', (hosts, ipv6, kbdOnly) => {
    const plan = { ...labPlan('tpl', 7, hosts, dir), dir, ipv6 };
    writeSshdConfig(plan);
    expect(plan.vmAddress(3)).toBe('10.7.0.12');
    expect(readFileSync(join(dir, 'sshd_config'), 'utf8')).toBe(base(dir) + kbdOnly);
  });

  it("vm3's Match takes it by either address, as the real sshd reads it (sshd -T), and no other VM", () => {
    const plan = { ...labPlan('tpl', 7, 3, dir), dir };
    writeSshdConfig(plan);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'hk')]);
    const password = (laddr: string) =>
      execFileSync(
        '/usr/sbin/sshd',
        ['-T', '-f', join(dir, 'sshd_config'), '-h', join(dir, 'hk'), '-C', `user=root,host=x,addr=10.7.0.1,laddr=${laddr},lport=22`],
        {
          encoding: 'utf8',
        },
      ).match(/^passwordauthentication (\w+)$/m)?.[1];
    expect([plan.vmAddress(3), plan.vmAddress6(3), plan.vmAddress(2), plan.vmAddress6(2)].map(password)).toEqual(['no', 'no', 'yes', 'yes']);
  });

  it('PAM, sudoers, hosts and the users’ lines', () => {
    expect(readTemplate('etc/pam.d/sshd')).toBe(
      'auth required pam_unix.so\naccount required pam_unix.so\npassword required pam_unix.so\nsession required pam_permit.so\n',
    );
    expect(fillTemplate('etc/sudoers.d/cnet-lab', { sudoer: 'cnet', passwordSudoer: 'cnetpw' })).toBe(
      'cnet ALL=(ALL:ALL) NOPASSWD: ALL\ncnetpw ALL=(ALL:ALL) ALL\n',
    );
    expect(fillTemplate('etc/hosts', { names: 'vm1 vm2 priv1' })).toBe('127.0.0.1 localhost\n127.0.1.1 vm1 vm2 priv1\n');
    expect(fillTemplate('etc/passwd.user', { user: 'cnet', id: 2001 })).toBe('cnet:x:2001:2001::/home/cnet:/bin/sh\n');
    expect(fillTemplate('etc/group.user', { user: 'cnet', id: 2001 })).toBe('cnet:x:2001:\n');
    expect(fillTemplate('etc/shadow.user', { user: 'cnetpw', hash: '$6$salt$hash' })).toBe('cnetpw:$6$salt$hash:19000:0:99999:7:::\n');
  });
});

describe('fillTemplate takes data, nothing else', () => {
  it.each([
    ['a placeholder without a value', { names: undefined as unknown as string }, /no value for \{\{names\}\}/],
    ['a value without a placeholder', { names: 'vm1', extra: 'x' }, /has no \{\{extra\}\}/],
    ['a value with a line break', { names: 'vm1\nPermitRootLogin yes' }, /\{\{names\}\} is not one line of data/],
    ['a value with a placeholder', { names: '{{names}}' }, /not one line of data/],
  ])('%s is refused', (_what, data, message) => {
    expect(() => fillTemplate('etc/hosts', data as Record<string, string>)).toThrow(message);
  });
});

describe('where the templates are', () => {
  it('src/lab/templates, which the package ships', () => {
    expect(fileURLToPath(TEMPLATES_DIR)).toBe(join(ROOT, 'src/lab/templates/'));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('src/lab/templates');
  });

  it('an installed package (dist and src/lab/templates only) reads them from dist/lab', () => {
    const pkg = join(dir, 'installed');
    cpSync(join(ROOT, 'src/lab/templates'), join(pkg, 'src/lab/templates'), { recursive: true });
    // the build's lab-templates.js, compiled here as `npm run build` compiles it (rootDir src, outDir dist)
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const flags = [
      '--rootDir',
      join(ROOT, 'src'),
      '--outDir',
      join(pkg, 'dist'),
      '--module',
      'NodeNext',
      '--target',
      'ES2022',
      '--skipLibCheck',
      '--types',
      'node',
    ];
    execFileSync(process.execPath, [tsc, ...flags, join(ROOT, 'src/lab/lab-templates.ts')], { cwd: ROOT });
    const script = `import(${JSON.stringify(join(pkg, 'dist/lab/lab-templates.js'))}).then((m) => process.stdout.write(m.fillTemplate('etc/hosts', { names: 'vm1' })))`;
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })).toBe('127.0.0.1 localhost\n127.0.1.1 vm1\n');
  });
});
