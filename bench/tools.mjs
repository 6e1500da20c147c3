// What is timed, per tool, and how each result is proven before it counts: every timed command
// must exit 0 and leave the hosts as expected (checked untimed, over plain ssh, with
// bench/seed-check.sh), else the bench stops. Teardowns and checks are never timed. With
// --shards N, cnet-remote's four operations also run as N processes at once (`--shard K/N`),
// whose results must merge (`report merge`) into one that passes the single run's checks.
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './lab.mjs';
import { recapHostsOk } from './ansible.mjs';
import { run, timed, timedTogether, tail } from './run.mjs';
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

/**
 * cnet-remote's four operations as N shards run at once (--shards N): each the sharded form of
 * the single-controller operation `of`, measured beside it.
 */
export const SHARD_OPS = OPS.filter((o) => o.tool === 'cnet-remote').map((o) => ({
  id: `${o.id}-shards`,
  of: o.id,
  tool: 'cnet-remote-shards',
  label: o.label.replace('cnet-remote ', ''),
}));

/** What each host's result must say after each cnet-remote operation, for the sample to count. */
const EXPECT = {
  'cnet-up-clean': (h) => h.status === 'changed' && h.verified === true,
  'cnet-up-converged': (h) => h.status === 'ok' && h.changes === 0 && h.verified === true,
  'cnet-verify': (h) => h.status === 'ok',
  'cnet-down': (h) => h.status === 'changed',
};
/** The cnet-remote command of each operation. */
const COMMAND = { 'cnet-up-clean': 'up', 'cnet-up-converged': 'up', 'cnet-verify': 'verify', 'cnet-down': 'down' };

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

/** cnet-remote's --json output, or null when it is not JSON. */
const parseJson = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/**
 * Everything one size needs: its hosts, their files, and the tools' runners.
 * @param {{ lab: import('./lab.mjs').Lab, n: number, work: string, shards?: number, shardForks?: number, settleMax?: number, ansible?: ReturnType<typeof import('./ansible.mjs').writeAnsibleFiles>, ansibleInventory?: string }} ctx
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
    const quiet = await settle({ max: ctx.settleMax });
    const r = { ...(await timed(argv, { logDir, label: `${op.id}-${n}`, env })), settle: quiet };
    if (r.code !== 0) {
      throw new BenchFailure(
        `${where(op.label)}: exit ${r.code ?? r.signal} after ${r.seconds.toFixed(1)} s\n` +
          `${explain(r) ?? tail(`${r.stdout}\n${r.stderr}`)}\n(output: ${r.outFile}, ${r.errFile})`,
      );
    }
    return r;
  }

  const cnetArgv = (command) => [process.execPath, CLI, command, lab.inventory, '--limit', `@${limitFile}`, '--json'];
  /** shard K of N: with --forks F when given (the machine's share: see bench.mjs --shard-forks) */
  const shardArgv = (command, k, count) => [...cnetArgv(command), '--shard', `${k}/${count}`, ...(ctx.shardForks ? ['--forks', String(ctx.shardForks)] : [])];
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
  /** Why a failed cnet-remote command failed, from its JSON (null: no JSON). */
  const explainJson = (r, expect) => {
    const res = parseJson(r.stdout);
    return res?.hosts ? `summary ${JSON.stringify(res.summary)}\n${hostLines(res.hosts.filter((h) => !expect(h)))}\n${tail(r.stderr, 10)}` : null;
  };
  /** A run's result (one controller's, or the shards' merged) must hold all n hosts, each as expected. */
  function checkResult(what, res, expect, output) {
    if (!res?.hosts) throw new BenchFailure(`${what}: no JSON result on stdout\n${tail(output)}`);
    const bad = res.hosts.filter((h) => !expect(h));
    if (res.hosts.length !== n || bad.length) {
      throw new BenchFailure(`${what}: ${res.hosts.length} hosts in the result (expected ${n}), ${bad.length} not as expected:\n${hostLines(bad)}`);
    }
  }

  /** cnet-remote's operation `op` over the first n hosts, with --json; each host's result must pass its check. */
  async function cnet(op) {
    const expect = EXPECT[op.id];
    const r = await time(op, cnetArgv(COMMAND[op.id]), undefined, (r) => explainJson(r, expect));
    checkResult(where(op.label), parseJson(r.stdout), expect, r.stdout + r.stderr);
    return r;
  }

  /**
   * The same operation as `ctx.shards` cnet-remote processes spawned together, each `--shard K/N`
   * with its `--json` to its own file, timed from the first spawn to the last exit, each under GNU
   * time. Counts only if every shard exited 0 with its own slice named in its result, and
   * `report merge` of the files exits 0 with a result that passes the single run's checks.
   */
  async function cnetShards(op) {
    const single = OPS.find((o) => o.id === op.of);
    const expect = EXPECT[op.of];
    const count = ctx.shards;
    const what = `${where(single.label)}, ${count} shards`;
    const quiet = await settle({ max: ctx.settleMax });
    const shards = Array.from({ length: count }, (_, i) => ({
      argv: shardArgv(COMMAND[op.of], i + 1, count),
      label: `${op.id}-${n}-${i + 1}of${count}`,
    }));
    const { seconds, results } = await timedTogether(shards, { logDir });
    const failed = results.flatMap((r, i) => (r.code === 0 ? [] : [{ r, k: i + 1 }]));
    if (failed.length) {
      throw new BenchFailure(
        `${what}: ${failed.map(({ r, k }) => `shard ${k}/${count} exit ${r.code ?? r.signal}`).join(', ')} after ${seconds.toFixed(1)} s\n` +
          failed
            .map(({ r, k }) => `shard ${k}/${count}:\n${explainJson(r, expect) ?? tail(`${r.stdout}\n${r.stderr}`)}\n(output: ${r.outFile}, ${r.errFile})`)
            .join('\n'),
      );
    }
    results.forEach((r, i) => {
      const res = parseJson(r.stdout);
      if (res?.shard?.index !== i + 1 || res.shard.count !== count) {
        throw new BenchFailure(`${what}: shard ${i + 1}/${count}'s result names shard ${JSON.stringify(res?.shard)}\n(output: ${r.outFile})`);
      }
    });
    const merge = await run([process.execPath, CLI, 'report', 'merge', ...results.map((r) => r.outFile), '--json'], { logDir, label: `merge-${op.id}-${n}` });
    if (merge.code !== 0) {
      throw new BenchFailure(
        `${what}: report merge exit ${merge.code ?? merge.signal}\n${explainJson(merge, expect) ?? tail(`${merge.stdout}\n${merge.stderr}`)}\n(output: ${merge.outFile}, ${merge.errFile})`,
      );
    }
    checkResult(`${what}, merged`, parseJson(merge.stdout), expect, merge.stdout + merge.stderr);
    const sum = (xs) => (xs.every((x) => x != null) ? Number(xs.reduce((a, b) => a + b, 0).toFixed(2)) : null);
    return {
      seconds,
      settle: quiet,
      maxRssKB: results.every((r) => r.maxRssKB != null) ? Math.max(...results.map((r) => r.maxRssKB)) : null,
      cpuSeconds: sum(results.map((r) => r.cpuSeconds)),
      userSeconds: sum(results.map((r) => r.userSeconds)),
      systemSeconds: sum(results.map((r) => r.systemSeconds)),
      shards: results.map((r, i) => ({
        shard: `${i + 1}/${count}`,
        hosts: parseJson(r.stdout).hosts.length,
        seconds: Number(r.seconds.toFixed(3)),
        maxRssKB: r.maxRssKB,
        cpuSeconds: r.cpuSeconds,
      })),
      mergeSeconds: Number(merge.seconds.toFixed(3)),
    };
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
      const a = await cnet(byId['cnet-up-clean']);
      await check('check-after-cnet-up', 'applied');
      const b = await cnet(byId['cnet-up-converged']);
      const c = await cnet(byId['cnet-verify']);
      const d = await cnet(byId['cnet-down']);
      await check('check-after-cnet-down', 'absent');
      return [
        { op: 'cnet-up-clean', result: a },
        { op: 'cnet-up-converged', result: b },
        { op: 'cnet-verify', result: c },
        { op: 'cnet-down', result: d },
      ];
    },
    /** The same four as ctx.shards processes at once, each result merged and checked — 4 timed samples. */
    async cnetShards() {
      const [clean, converged, verify, down] = SHARD_OPS;
      const a = await cnetShards(clean);
      await check('check-after-shards-up', 'applied');
      const b = await cnetShards(converged);
      const c = await cnetShards(verify);
      const d = await cnetShards(down);
      await check('check-after-shards-down', 'absent');
      return [a, b, c, d].map((result, i) => ({ op: SHARD_OPS[i].id, result }));
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
      cnet: cnetArgv,
      /** shard K of N's command, and the merge of their outputs */
      cnetShard: shardArgv,
      merge: (files) => [process.execPath, CLI, 'report', 'merge', ...files, '--json'],
      openssh: sshScriptArgv(lab, addrFile, SEED),
      ansible: (playbook) => ['ansible-playbook', '-i', ctx.ansibleInventory, playbook],
    },
  };
}
