import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { quoteArgv } from '../../src/shell/quote.js';
import { cli, onVm, ROOT, SEED_PART2, SEED_PB_JELLY, startLab, stopLab } from './lab-fixture.js';

/**
 * A fleet at a glance (issue 16): 150 hosts, three broken differently, `verify --probe` in a real
 * terminal (tmux, 120×40) and in plain mode: what the screen shows when the run ends names each
 * broken host with its cause and fix, and the summary's numbers agree with it.
 */
const HOSTS = 150;
const BROKEN = {
  /** the NAT rule deleted */
  vm7: 'iptables -w -t nat -F POSTROUTING\n',
  /** a container deleted */
  vm23: 'ip netns del container2\n',
  /** a veth down */
  vm142: 'ip link set dev veth1 down\n',
} as const;

let lab: LabInfo;
let seeds: string[];
beforeAll(async () => {
  lab = await startLab('fls', HOSTS);
  seeds = [lab.inventory, SEED_PART2, SEED_PB_JELLY];
  const up = await cli('up', ...seeds, '--forks', '50');
  if (up.code !== 0) throw new Error(`up on ${HOSTS} hosts failed (exit ${up.code}):\n${up.stdout.slice(-3000)}\n${up.stderr.slice(-3000)}`);
  for (const [vm, script] of Object.entries(BROKEN)) {
    const r = await onVm(lab, Number(vm.slice(2)), script);
    if (r.code !== 0) throw new Error(`breaking ${vm}: ${r.stderr}`);
  }
}, 600_000);
afterAll(async () => stopLab(lab));

/** what the end of a run must say of each broken host: its first problem, the same in both modes */
function expectBrokenHostsShown(screen: string): void {
  expect(screen).toContain('PROBLEMS ******** 3 failed');
  expect(screen).toMatch(/^vm7 failed: bridges\.br0\.nat: desired MASQUERADE 172\.18\.0\.0\/16 ! -o br0, actual absent$/m);
  expect(screen).toMatch(/^vm23 failed: namespaces\.container2\b.*actual absent$/m);
  expect(screen, screen).toMatch(/^vm142 failed: namespaces\.container1\.host_if\.state: desired UP, actual DOWN$/m);
  expect(screen.match(/^ {2}fix: `cnet-remote up` repairs it$/gm)).toHaveLength(3);
  expect(screen).toContain(`${HOSTS} hosts: ${HOSTS - 3} ok, 0 changed, 3 failed, 0 unreachable in`);
  // healthy hosts are a count, not a list
  expect(screen).toContain(`… ${HOSTS - 3} more hosts ok or changed (-v lists them)`);
  expect(screen).not.toMatch(/^vm1 +: ok=1/m);
}

describe.sequential(`${HOSTS} hosts, three broken`, () => {
  it('in a real terminal (tmux 120×40), the last screen names each broken host with its cause and fix, then the summary', async () => {
    // a tmux server of this test's own, its socket in a folder of its own (removed after)
    const dir = mkdtempSync(join(tmpdir(), 'cnet-fls-'));
    const tmux = (...args: string[]) => spawnSync('tmux', ['-S', join(dir, 'socket'), '-f', '/dev/null', ...args], { encoding: 'utf8' });
    // CI=true would pick the plain renderer: the terminal's own run goes without it
    const command = `${quoteArgv(['env', '-u', 'CI', 'TERM=xterm-256color', process.execPath, join(ROOT, 'bin', 'cnet-remote.js'), 'verify', '--probe', ...seeds])}; echo "EXIT=$?"; sleep 3600`;
    try {
      expect(tmux('new-session', '-d', '-x', '120', '-y', '40', '-s', 'fleet', command).status).toBe(0);
      let screen = '';
      for (let i = 0; i < 1200 && !/^EXIT=\d+$/m.test(screen); i++) {
        await new Promise((r) => setTimeout(r, 250));
        screen = tmux('capture-pane', '-p', '-t', 'fleet').stdout;
      }
      expect(screen, 'the run did not end within 5 minutes').toMatch(/^EXIT=2$/m);
      expectBrokenHostsShown(screen);
      // the progress line's numbers agree with the summary, and the run went through listr's summary view
      expect(screen).toMatch(/✖ 150\/150 done · 0 changed · 3 failed · 0 unreachable · \d+:\d\d/);
      expect(screen).toContain('failed: vm7, vm23, vm142');
    } finally {
      tmux('kill-server');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);

  it('in plain mode (CI, pipes), the same; -q leaves only the problems and the summary', async () => {
    const plain = await cli('verify', '--probe', ...seeds);
    expect(plain.code).toBe(2);
    expectBrokenHostsShown(plain.stdout);
    const quiet = await cli('verify', '--probe', '-q', ...seeds);
    expect(quiet.code).toBe(2);
    // progress: only the broken hosts; the end: only the problems and the summary
    const progress = quiet.stderr.split('\n').filter((l) => l.startsWith('['));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    for (const l of progress) expect(l).toMatch(/^\[vm(7|23|142)\] /);
    expect(quiet.stdout).not.toContain('RECAP');
    expect(quiet.stdout.trimEnd().split('\n')).toEqual([
      'PROBLEMS ******** 3 failed',
      expect.stringMatching(/^vm7 failed: /),
      '  fix: `cnet-remote up` repairs it',
      expect.stringMatching(/^vm23 failed: /),
      '  fix: `cnet-remote up` repairs it',
      expect.stringMatching(/^vm142 failed: /),
      '  fix: `cnet-remote up` repairs it',
      expect.stringMatching(new RegExp(`^${HOSTS} hosts: ${HOSTS - 3} ok, 0 changed, 3 failed, 0 unreachable in `)),
    ]);
  }, 400_000);
});
