import { existsSync } from 'node:fs';
import { LabError } from '../errors.js';

/** The lab runs real sshd, iproute2, iptables and ping on this machine, as root. */
const TOOLS: { path: string[]; pkg: string }[] = [
  { path: ['/usr/sbin/sshd'], pkg: 'openssh-server' },
  { path: ['/usr/bin/ssh-keygen'], pkg: 'openssh-client' },
  { path: ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip'], pkg: 'iproute2' },
  { path: ['/usr/sbin/iptables', '/sbin/iptables'], pkg: 'iptables' },
  { path: ['/usr/bin/ping', '/bin/ping'], pkg: 'iputils-ping' },
  { path: ['/usr/bin/nsenter'], pkg: 'util-linux' },
  { path: ['/usr/bin/sudo'], pkg: 'sudo' },
  { path: ['/usr/bin/openssl'], pkg: 'openssl' },
];

export function checkLabPrerequisites(): void {
  if (process.getuid?.() !== 0) {
    throw new LabError('the lab needs root: it creates network namespaces and starts sshd (run it with sudo, or as root)');
  }
  const missing = TOOLS.filter((t) => !t.path.some((p) => existsSync(p))).map((t) => t.pkg);
  if (missing.length > 0) {
    throw new LabError(`the lab needs packages that are missing: apt-get install -y ${[...new Set(missing)].join(' ')}`);
  }
}
