// The machine the bench runs on: packages it needs (installed when missing), and what it is.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { run, must } from './run.mjs';

const which = async (cmd) => (await run(['sh', '-c', `command -v ${cmd}`])).code === 0;
/** stdout+stderr of a command, '' when it cannot run (no git in CI, say) */
const output = async (argv) => {
  try {
    const r = await run(argv);
    return r.code === 0 ? r.stdout + r.stderr : '';
  } catch {
    return '';
  }
};

/** Installs GNU time (and ansible-core unless skipped) with apt-get when missing. */
export async function ensurePackages({ ansible }) {
  const root = new URL('..', import.meta.url).pathname;
  await must(['bash', `${root}scripts/setup-system.sh`], { label: 'setup-system' }); // the lab's own needs
  const need = [];
  if (!existsSync('/usr/bin/time')) need.push('time');
  if (ansible && !(await which('ansible-playbook'))) need.push('ansible-core');
  if (!need.length) return;
  process.stderr.write(`installing ${need.join(' ')} (apt-get; waits for a running apt/dpkg)\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['apt-get', 'install', '-y', '-qq', '-o', 'DPkg::Lock::Timeout=1800', ...need];
  if ((await run(install, { env, label: 'apt-install' })).code !== 0) {
    await must(['apt-get', '-o', 'DPkg::Lock::Timeout=1800', 'update', '-qq'], { env, label: 'apt-update' });
    await must(install, { env, label: 'apt-install' });
  }
}

const loadavg = () => os.loadavg().map((x) => Number(x.toFixed(2)));

/** What the numbers were measured on. */
export async function machineInfo({ ansible }) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const memKB = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
  const first = async (argv) => (await output(argv)).trim().split('\n')[0] || 'unknown';
  const root = new URL('..', import.meta.url).pathname;
  const commit = (await output(['git', '-C', root, 'rev-parse', '--short', 'HEAD'])).trim();
  const dirty = (await output(['git', '-C', root, 'status', '--porcelain', '--', 'src', 'bin', 'package.json'])).trim() !== '';
  return {
    nproc: os.availableParallelism(),
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    memoryGB: Number((memKB / 1048576).toFixed(1)),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    openssh: await first(['ssh', '-V']),
    ansible: ansible ? await first(['ansible-playbook', '--version']) : null,
    cnetRemote: commit ? `git ${commit}${dirty ? ' + uncommitted changes in src/' : ''}` : 'unknown',
    loadavgAtStart: loadavg(),
  };
}

export { loadavg };

/** CPU [busy+idle, idle] jiffies since boot, all cores (idle includes iowait). */
function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return [f.reduce((x, y) => x + y, 0), f[3] + f[4]];
}

/**
 * Waits until the machine is quiet before a timed command: the previous command's leftovers
 * (the kernel freeing hundreds of deleted namespaces, exiting sshds) would otherwise be charged
 * to the next tool. Quiet: CPU at least `idle` idle in 3 consecutive 250 ms windows; gives up
 * after `max` seconds (a busy machine: the sample then says so).
 * @returns {Promise<{ seconds: number, settled: boolean, idle: number }>}
 */
export async function settle({ idle = 0.9, max = 30 } = {}) {
  const t0 = Date.now();
  let prev = cpuTimes();
  let quiet = 0;
  let last = 0;
  while ((Date.now() - t0) / 1000 < max) {
    await new Promise((r) => setTimeout(r, 250));
    const cur = cpuTimes();
    last = (cur[1] - prev[1]) / Math.max(1, cur[0] - prev[0]);
    prev = cur;
    if (last >= idle) {
      if (++quiet >= 3) return { seconds: (Date.now() - t0) / 1000, settled: true, idle: last };
    } else quiet = 0;
  }
  return { seconds: (Date.now() - t0) / 1000, settled: false, idle: last };
}
