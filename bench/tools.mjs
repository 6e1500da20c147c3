// What is timed, per tool, and how each result is proven before it counts: every timed command
// must exit 0 and leave the hosts as expected (checked untimed, over plain ssh, with
// bench/seed-check.sh), else the bench stops. Teardowns and checks are never timed.
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './lab.mjs';
import { recapHostsOk } from './ansible.mjs';
import { run, timed, tail } from './run.mjs';
import { settle } from './system.mjs';

const here = new URL('.', import.meta.url).pathname;
export const SEED = join(here, 'seed.sh');
const SEED_DOWN = join(here, 'seed-down.sh');
const SEED_CHECK = join(here, 'seed-check.sh');
export const SSH_PARALLEL = 50;

/** The operations, in the order they run within one run of one size. */
export const OPS = [
  { id: 'cnet-up-clean', tool: 'cnet-remote', label: 'cnet-remote up, clean (gather + apply + verify)' },
  { id: 'cnet-up-converged', tool: 'cnet-remote', label: 'cnet-remote up, converged (0 changes)' },
  { id: 'cnet-verify', tool: 'cnet-remote', label: 'cnet-remote verify' },
  { id: 'cnet-down', tool: 'cnet-remote', label: 'cnet-remote down' },
  { id: 'openssh', tool: 'openssh', label: `plain OpenSSH: seed.sh, xargs -P ${SSH_PARALLEL} (apply only)` },
  { id: 'ansible-script', tool: 'ansible', label: 'Ansible: seed.sh as one script task' },
  { id: 'ansible-steps', tool: 'ansible', label: 'Ansible: one command task per step' },
];

export class BenchFailure extends Error {}

/** ssh options shared by the plain OpenSSH baseline and the untimed checks. */
export function sshOptions(lab) {
  return [
    '-F',
    'none',
    '-T',
    '-i',
    lab.key,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${lab.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ControlMaster=no',
    '-l',
    lab.user,
  ];
}

/** `xargs -P 50` running `ssh … ADDR sh -s ARGS < SCRIPT` for each address in addrFile. */
export function sshScriptArgv(lab, addrFile, script, args = []) {
  const ssh = ['ssh', ...sshOptions(lab)].join(' ');
  return ['xargs', '-a', addrFile, '-P', String(SSH_PARALLEL), '-I{}', 'sh', '-c', `exec ${ssh} "$1" sh -s ${args.join(' ')} < "$0"`, script, '{}'];
}

/**
 * Everything one size needs: its hosts, their files, and the tools' runners.
 * @param {{ lab: import('./lab.mjs').Lab, n: number, work: string, ansible?: ReturnType<typeof import('./ansible.mjs').writeAnsibleFiles>, ansibleInventory?: string }} ctx
 */
export function sizeRunner(ctx) {
  const { lab, n, work } = ctx;
  const hosts = lab.hosts.slice(0, n);
  const addrFile = join(work, `addresses-${n}.txt`);
  const limitFile = join(work, `limit-${n}.txt`);
  writeFileSync(addrFile, `${hosts.map((h) => h.address).join('\n')}\n`);
  writeFileSync(limitFile, `${hosts.map((h) => h.name).join('\n')}\n`);
  const logDir = join(work, 'logs');
  const where = (what) => `${what} at ${n} host${n > 1 ? 's' : ''}`;

  /** Untimed: a script over ssh on every host of this size; throws with what failed. */
  async function onHosts(label, scriptText, args) {
    const file = join(work, `${label}.sh`);
    writeFileSync(file, scriptText);
    const r = await run(sshScriptArgv(lab, addrFile, file, args), { logDir, label });
    if (r.code !== 0) throw new BenchFailure(`${where(label)}: exit ${r.code}\n${tail(r.stderr + r.stdout)}`);
  }
  const text = (f) => readFileSync(f, 'utf8');
  const check = (label, mode) => onHosts(label, text(SEED_CHECK), [mode]);
  /** One ssh round after a baseline: its result is all there, then seed-down.sh, then none of it is left. */
  const checkAndTeardown = (label) =>
    onHosts(
      label,
      ['(set -- applied', text(SEED_CHECK), ')', 'a=$?', text(SEED_DOWN), '(set -- absent', text(SEED_CHECK), ')', 'b=$?', '[ $a = 0 ] && [ $b = 0 ]', ''].join(
        '\n',
      ),
      [],
    );

  /**
   * A timed command that must exit 0.
   * @param {{ id: string, label: string }} op
   * @param {string[]} argv
   * @param {NodeJS.ProcessEnv} [env]
   * @param {(r: Awaited<ReturnType<typeof timed>>) => string|null} [explain] a better message from its output
   */
  async function time(op, argv, env, explain = () => null) {
    const quiet = await settle();
    const r = { ...(await timed(argv, { logDir, label: `${op.id}-${n}`, env })), settle: quiet };
    if (r.code !== 0) {
      throw new BenchFailure(
        `${where(op.label)}: exit ${r.code ?? r.signal} after ${r.seconds.toFixed(1)} s\n` +
          `${explain(r) ?? tail(`${r.stdout}\n${r.stderr}`)}\n(output: ${r.outFile}, ${r.errFile})`,
      );
    }
    return r;
  }

  /** cnet-remote COMMAND over the first n hosts, with --json; each host's result must pass `expect`. */
  async function cnet(op, command, expect) {
    const argv = [process.execPath, CLI, command, lab.inventory, '--limit', `@${limitFile}`, '--json'];
    const json = (r) => {
      try {
        return JSON.parse(r.stdout);
      } catch {
        return null;
      }
    };
    const hostLines = (hosts) =>
      hosts
        .slice(0, 10)
        .map(
          (h) =>
            `  ${h.name}: ${h.status}, ${h.changes} changes, verified ${h.verified}` +
            (h.error ? `: ${h.error.slice(0, 400)}` : '') +
            (h.mismatches?.length
              ? `; mismatches: ${h.mismatches
                  .slice(0, 3)
                  .map((m) => `${m.path} (desired ${m.desired}, actual ${m.actual})`)
                  .join('; ')}`
              : ''),
        )
        .join('\n') + (hosts.length > 10 ? `\n  … and ${hosts.length - 10} more` : '');
    const explain = (r) => {
      const res = json(r);
      return res ? `summary ${JSON.stringify(res.summary)}\n${hostLines(res.hosts.filter((h) => !expect(h)))}\n${tail(r.stderr, 10)}` : null;
    };
    const r = await time(op, argv, undefined, explain);
    const res = json(r);
    if (!res) throw new BenchFailure(`${where(op.label)}: no JSON on stdout\n${tail(r.stdout + r.stderr)}`);
    const bad = res.hosts.filter((h) => !expect(h));
    if (res.hosts.length !== n || bad.length) {
      throw new BenchFailure(`${where(op.label)}: ${res.hosts.length} hosts in the result (expected ${n}), ${bad.length} not as expected:\n${hostLines(bad)}`);
    }
    return r;
  }

  async function ansible(op, playbook) {
    const cp = mkdtempSync(join(ctx.work, 'cp')); // fresh per run: no run starts on another's connections
    const env = { ...process.env, ANSIBLE_CONFIG: ctx.ansible.cfg, ANSIBLE_SSH_CONTROL_PATH_DIR: cp, ANSIBLE_FORCE_COLOR: '0' };
    let r;
    try {
      r = await time(op, ['ansible-playbook', '-i', ctx.ansibleInventory, playbook], env);
    } finally {
      await closeMasters(cp);
    }
    const ok = recapHostsOk(r.stdout);
    if (ok !== n) throw new BenchFailure(`${where(op.label)}: PLAY RECAP shows ${ok} of ${n} hosts ok\n${tail(r.stdout)}`);
    return r;
  }

  /** Ends the ssh ControlPersist masters a playbook left (untimed; each its own socket). */
  async function closeMasters(cp) {
    for (const sock of readdirSync(cp)) {
      await run(['ssh', '-F', 'none', '-S', join(cp, sock), '-O', 'exit', 'x'], { logDir, label: 'close-master' });
    }
  }

  const byId = Object.fromEntries(OPS.map((o) => [o.id, o]));
  return {
    hosts,
    /** Makes sure every host of this size is clean before a run (untimed). */
    checkClean: () => check('check-clean', 'absent'),
    /** cnet-remote: up from clean, up again, verify, down — 4 timed samples. */
    async cnetRemote() {
      const a = await cnet(byId['cnet-up-clean'], 'up', (h) => h.status === 'changed' && h.verified === true);
      await check('check-after-cnet-up', 'applied');
      const b = await cnet(byId['cnet-up-converged'], 'up', (h) => h.status === 'ok' && h.changes === 0 && h.verified === true);
      const c = await cnet(byId['cnet-verify'], 'verify', (h) => h.status === 'ok');
      const d = await cnet(byId['cnet-down'], 'down', (h) => h.status === 'changed');
      await check('check-after-cnet-down', 'absent');
      return [
        { op: 'cnet-up-clean', result: a },
        { op: 'cnet-up-converged', result: b },
        { op: 'cnet-verify', result: c },
        { op: 'cnet-down', result: d },
      ];
    },
    async openssh() {
      const r = await time(byId.openssh, sshScriptArgv(lab, addrFile, SEED));
      await checkAndTeardown('check-teardown-after-openssh');
      return [{ op: 'openssh', result: r }];
    },
    async ansibleScript() {
      const r = await ansible(byId['ansible-script'], ctx.ansible.scriptPlaybook);
      await checkAndTeardown('check-teardown-after-ansible-script');
      return [{ op: 'ansible-script', result: r }];
    },
    async ansibleSteps() {
      const r = await ansible(byId['ansible-steps'], ctx.ansible.stepsPlaybook);
      await checkAndTeardown('check-teardown-after-ansible-steps');
      return [{ op: 'ansible-steps', result: r }];
    },
    /** The exact commands, for the report (file paths as they were). */
    commands: {
      cnet: (command) => [process.execPath, CLI, command, lab.inventory, '--limit', `@${limitFile}`, '--json'],
      openssh: sshScriptArgv(lab, addrFile, SEED),
      ansible: (playbook) => ['ansible-playbook', '-i', ctx.ansibleInventory, playbook],
    },
  };
}
