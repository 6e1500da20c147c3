import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from './local-exec.js';
import { fillTemplate, readTemplate } from './lab-templates.js';

/** Lab users besides root, in every VM: `cnet` has passwordless sudo; `cnetpw` needs its password. */
export const LAB_USERS = { sudoer: 'cnet', passwordSudoer: 'cnetpw' } as const;

/**
 * What each VM's /etc has of its own (the upper layer of an overlay on the machine's /etc, see
 * templates/vm.sh), written to `<lab folder>/etc`: passwd, shadow, group with the lab users
 * added, sudoers.d with only theirs (the machine's other files there are hidden by whiteouts),
 * sshd's PAM, and hosts. The password of `cnetpw` goes to `<lab folder>/cnetpw.password`;
 * returns it.
 * For VMs that run an image (`image`: its root file system), the files are the image's own with the
 * lab users added, copied into each VM's overlay (templates/vm-image.sh); the image keeps its
 * sudoers.d and its sshd's PAM, as a fresh install of it has.
 */
export async function writeEtc(dir: string, names: string[], image?: string): Promise<string> {
  const from = image ? join(image, 'etc') : '/etc';
  const etc = join(dir, 'etc');
  mkdirSync(join(etc, 'sudoers.d'), { recursive: true, mode: 0o755 });
  if (!image) mkdirSync(join(etc, 'pam.d'), { recursive: true, mode: 0o755 });
  chmodSync(etc, 0o755);
  const password = randomBytes(12).toString('base64url');
  const hash = (await exec(['openssl', 'passwd', '-6', '-stdin'], `${password}\n`)).trim();
  const { sudoer, passwordSudoer } = LAB_USERS;
  const users = [
    { user: sudoer, id: 2001, hash: '*' },
    { user: passwordSudoer, id: 2002, hash },
  ];
  /** the machine's file with a line of the template for each lab user */
  const withUsers = (file: 'passwd' | 'group' | 'shadow', line: (u: (typeof users)[number]) => Record<string, string | number>) =>
    readFileSync(join(from, file), 'utf8') + users.map((u) => fillTemplate(`etc/${file}.user`, line(u))).join('');
  writeFileSync(
    join(etc, 'passwd'),
    withUsers('passwd', ({ user, id }) => ({ user, id })),
    { mode: 0o644 },
  );
  writeFileSync(
    join(etc, 'group'),
    withUsers('group', ({ user, id }) => ({ user, id })),
    { mode: 0o644 },
  );
  writeFileSync(
    join(etc, 'shadow'),
    withUsers('shadow', ({ user, hash }) => ({ user, hash })),
    { mode: 0o640 },
  );
  const sudoers = join(etc, 'sudoers.d', 'cnet-lab');
  writeFileSync(sudoers, fillTemplate('etc/sudoers.d/cnet-lab', { sudoer, passwordSudoer }));
  chmodSync(sudoers, 0o440);
  if (!image) {
    for (const f of existsSync('/etc/sudoers.d') ? readdirSync('/etc/sudoers.d') : []) {
      if (f !== 'cnet-lab') await exec(['mknod', join(etc, 'sudoers.d', f), 'c', '0', '0']);
    }
    writeFileSync(join(etc, 'pam.d', 'sshd'), readTemplate('etc/pam.d/sshd'), { mode: 0o644 });
  }
  // sudo looks its host name up: without it, every sudo waits for DNS that is not there
  writeFileSync(join(etc, 'hosts'), fillTemplate('etc/hosts', { names: names.join(' ') }), { mode: 0o644 });
  writeFileSync(join(dir, `${passwordSudoer}.password`), password, { mode: 0o600 });
  return password;
}
