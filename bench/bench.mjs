#!/usr/bin/env node
// The bench: `npm run bench -- --hosts 1,10,100 --runs 3` (see bench/README.md).
// One lab at the largest size; for each size (ascending) and run, interleaved: cnet-remote
// up/up/verify/down (with --shards N: then the same four as N shards at once), plain OpenSSH,
// Ansible script task, Ansible per-step. Prints a markdown
// report; writes it, with every sample, to bench/results/<timestamp>.{md,json}.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { labUp, labDown, lockLabName, CLI } from './lab.mjs';
import { writeAnsibleFiles, writeAnsibleInventory, FORKS as ANSIBLE_FORKS } from './ansible.mjs';
import { sizeRunner, BenchFailure, SEED, SSH_PARALLEL } from './tools.mjs';
import { ensurePackages, machineInfo, loadavg } from './system.mjs';
import { summarizeAll, markdown, TARGET_SIZE } from './report.mjs';
import { run, setLogDir } from './run.mjs';

const USAGE = `usage: npm run bench -- [options]
  --hosts LIST              sizes, comma-separated (default 1,10,100); the lab is made at the largest
  --runs N                  runs per size and tool (default 3)
  --ansible-steps-runs N    runs of Ansible per-step (default: --runs; it takes ~4 min at 100 hosts)
  --skip-ansible            no Ansible at all (and do not install it)
  --skip-ansible-steps      no Ansible per-step
  --ansible-strategy S      linear or free (default free: the faster here, see bench/README.md)
  --shards N                also run cnet-remote's four operations as N processes at once
                            (--shard K/N each, N >= 2), their results merged with report merge
  --shard-forks F           --forks of each shard (default: cnet-remote's default ÷ N, rounded up:
                            as many hosts in flight on this machine as one controller has;
                            0: cnet-remote's default in every shard)
  --name NAME, --net N      the lab's name and 10.N.0.0/16 (default bench, and the first free network
                            from one derived from the name, as lab up chooses)
  --settle-max S            before each timed command, wait at most S seconds for a quiet machine
                            (default 30; the smoke uses 3: it checks that the bench works, not timings)
  --results-dir DIR         where the .json and .md go (default bench/results)
  --keep-lab                leave the lab up at the end (default: lab down, also on failure)
  --check-targets           exit 3 when a target at ${TARGET_SIZE} hosts does not hold
Timed: the whole command, spawn to exit. Exit 1 when a command fails or its result is wrong.`;

const { values: a } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1,10,100' },
    runs: { type: 'string', default: '3' },
    'ansible-steps-runs': { type: 'string' },
    'skip-ansible': { type: 'boolean', default: false },
    'skip-ansible-steps': { type: 'boolean', default: false },
    'ansible-strategy': { type: 'string', default: 'free' },
    shards: { type: 'string' },
    'shard-forks': { type: 'string' },
    'settle-max': { type: 'string', default: '30' },
    name: { type: 'string', default: 'bench' },
    net: { type: 'string' },
    'results-dir': { type: 'string', default: new URL('results', import.meta.url).pathname },
    'keep-lab': { type: 'boolean', default: false },
    'check-targets': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (a.help) {
  console.log(USAGE);
  process.exit(0);
}
const int = (s, what) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${what}: a positive integer, not "${s}"\n${USAGE}`);
    process.exit(1);
  }
  return n;
};
const sizes = [...new Set(a.hosts.split(',').map((s) => int(s.trim(), '--hosts')))].sort((x, y) => x - y);
const runs = int(a.runs, '--runs');
const withAnsible = !a['skip-ansible'];
const stepsRuns = !withAnsible || a['skip-ansible-steps'] ? 0 : Math.min(runs, int(a['ansible-steps-runs'] ?? String(runs), '--ansible-steps-runs'));
const settleMax = Number(a['settle-max']);
if (!(settleMax >= 0)) {
  console.error(`--settle-max: seconds, not "${a['settle-max']}"\n${USAGE}`);
  process.exit(1);
}
const shards = a.shards === undefined ? undefined : int(a.shards, '--shards');
if (shards === 1) {
  console.error(`--shards: at least 2 (one shard is the single controller, measured anyway)\n${USAGE}`);
  process.exit(1);
}
const shardForksArg = a['shard-forks'] === undefined ? undefined : Number(a['shard-forks']);
if (shardForksArg !== undefined && !(Number.isInteger(shardForksArg) && shardForksArg >= 0)) {
  console.error(`--shard-forks: a number of hosts (0: cnet-remote's default), not "${a['shard-forks']}"\n${USAGE}`);
  process.exit(1);
}
if (!['linear', 'free'].includes(a['ansible-strategy'])) {
  console.error(`--ansible-strategy: linear or free\n${USAGE}`);
  process.exit(1);
}
if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  console.error('dist/ is missing: npm run build first');
  process.exit(1);
}

const say = (line) => process.stderr.write(`${line}\n`);
if (!(await lockLabName(a.name))) {
  say(`another bench is using lab "${a.name}" right now: wait for it, or give this one its own --name`);
  process.exit(1);
}
const maxSize = sizes[sizes.length - 1];
const startedAt = new Date().toISOString();
// a short path: ssh control sockets live under it
const work = mkdtempSync('/tmp/cnb-');
mkdirSync(join(work, 'logs'));
setLogDir(join(work, 'logs'));

let aborted = false;
process.on('SIGINT', () => {
  aborted = true;
  say('interrupted: stopping, then lab down');
});

let status = 0;
let labMade = false;
try {
  await ensurePackages({ ansible: withAnsible });
  const machine = await machineInfo({ ansible: withAnsible });
  if (machine.loadavgAtStart[0] > 1.5) say(`warning: load average ${machine.loadavgAtStart[0]}: something else is running; timings may be skewed`);
  say(`lab "${a.name}": ${maxSize} VMs${a.net ? ` on 10.${a.net}.0.0/16` : ''} …`);
  labMade = true;
  // the lab belongs to this process unless it is kept: if the bench is killed, the next lab start removes it
  const lab = await labUp(a.name, maxSize, a.net, join(work, 'logs'), a['keep-lab'] ? undefined : process.pid);
  if (lab.hosts.length < maxSize) throw new BenchFailure(`the lab has ${lab.hosts.length} VMs, not ${maxSize}`);
  // `(default: "100")` before, `(default: forks in ansible.cfg, else 100)` now (none is found here)
  const forksDefault = Number(/--forks[^(]*\(default:[^)]*?(\d+)"?\)/.exec((await run([process.execPath, CLI, 'up', '--help'])).stdout)?.[1]) || undefined;
  // N shards on one machine: each gets its share of the single controller's hosts in flight (4 × 100
  // connecting at once to 1000 VMs on 2 cores timed out for a quarter of them: see bench/README.md)
  const shardForks = !shards || shardForksArg === 0 ? undefined : (shardForksArg ?? Math.ceil((forksDefault ?? 100) / shards));
  const ansible = withAnsible ? writeAnsibleFiles(work, lab, { strategy: /** @type {'linear'|'free'} */ (a['ansible-strategy']), seedPath: SEED }) : undefined;

  const samples = [];
  const commands = {};
  for (const n of sizes) {
    const ansibleInventory = withAnsible ? writeAnsibleInventory(join(work, `ansible-hosts-${n}.ini`), lab, lab.hosts.slice(0, n)) : undefined;
    const size = sizeRunner({ lab, n, work, ansible, ansibleInventory, shards, shardForks, settleMax });
    await size.checkClean();
    commands[n] = {
      cnetUp: size.commands.cnet('up'),
      ...(shards
        ? {
            cnetUpShards: Array.from({ length: shards }, (_, k) => size.commands.cnetShard('up', k + 1, shards)),
            merge: size.commands.merge(Array.from({ length: shards }, (_, k) => `FILE_${k + 1}`)),
          }
        : {}),
      openssh: size.commands.openssh,
      ...(withAnsible ? { ansibleScript: size.commands.ansible(ansible.scriptPlaybook), ansibleSteps: size.commands.ansible(ansible.stepsPlaybook) } : {}),
    };
    for (let r = 1; r <= runs; r++) {
      const phases = [size.cnetRemote, ...(shards ? [size.cnetShards] : []), size.openssh];
      if (withAnsible) phases.push(size.ansibleScript);
      if (r <= stepsRuns) phases.push(size.ansibleSteps);
      for (const phase of phases) {
        if (aborted) throw new BenchFailure('interrupted');
        for (const { op, result: res } of await phase()) {
          samples.push({
            size: n,
            run: r,
            op,
            seconds: res.seconds,
            maxRssKB: res.maxRssKB,
            cpuSeconds: res.cpuSeconds,
            userSeconds: res.userSeconds,
            systemSeconds: res.systemSeconds,
            ...(res.shards ? { shards: res.shards, mergeSeconds: res.mergeSeconds, mergedAndChecked: true } : {}),
            at: new Date().toISOString(),
            loadavg1: loadavg()[0],
            settledBefore: res.settle.settled,
            cpuIdleBefore: Number(res.settle.idle.toFixed(2)),
          });
          say(
            `[${n} host${n > 1 ? 's' : ''}, run ${r}/${runs}] ${op}: ${res.seconds.toFixed(2)} s, peak RSS ${res.maxRssKB != null ? `${(res.maxRssKB / 1024).toFixed(0)} MB` : '?'}` +
              `, CPU ${res.cpuSeconds ?? '?'} s${res.shards ? ` (${res.shards.length} shards: ${res.shards.map((s) => `${s.hosts} hosts ${s.seconds.toFixed(1)} s`).join(', ')})` : ''}` +
              (res.settle.settled
                ? ''
                : ` (machine still busy before it: ${(100 * res.settle.idle).toFixed(0)}% idle after ${res.settle.seconds.toFixed(0)} s)`),
          );
        }
      }
    }
  }

  const summaries = summarizeAll(samples);
  const meta = {
    startedAt,
    finishedAt: new Date().toISOString(),
    loadavgAtEnd: loadavg(),
    lab: { name: a.name, net: lab.net, hosts: maxSize },
    busySamples: samples.filter((s) => !s.settledBefore).length,
    runs,
    shards: shards ?? null,
    shardForks: shardForks ?? null,
    forksDefault: forksDefault ?? null,
    settleMax,
    ansibleStepsRuns: stepsRuns,
    ansibleStrategy: withAnsible ? a['ansible-strategy'] : null,
    ansibleForks: ANSIBLE_FORKS,
  };
  const report = markdown({ machine, summaries, meta });
  console.log(report);
  const json = {
    version: 1,
    ...meta,
    args: process.argv.slice(2),
    sizes,
    machine,
    tools: {
      cnetRemote: {
        flags: ['--json', '--limit @FILE (the first N hosts, one a line)'],
        forks: `default (${forksDefault ?? '?'})`,
        timedWith: "/usr/bin/time -f '%M %U %S' (peak RSS, user and system CPU seconds of the node process)",
      },
      cnetRemoteShards: shards
        ? {
            shards,
            flags: ['--json', '--limit @FILE', '--shard K/N', ...(shardForks ? [`--forks ${shardForks}`] : [])],
            forks: shardForks ?? `default (${forksDefault ?? '?'})`,
            timedWith: 'all N spawned together, from the first spawn to the last exit; each under GNU time: CPU summed, peak RSS the largest',
            checks: 'every shard exits 0 and names its slice; report merge FILE_1 … FILE_N --json exits 0 and its result passes the single run’s checks',
          }
        : null,
      openssh: { parallel: SSH_PARALLEL, seedScript: 'bench/seed.sh' },
      ansible: withAnsible ? { strategy: a['ansible-strategy'], forks: ANSIBLE_FORKS, steps: ansible.steps, cfg: ansible.cfgText } : null,
    },
    commands,
    summaries,
    samples,
  };
  mkdirSync(a['results-dir'], { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  const file = join(a['results-dir'], `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(a['results-dir'], `${stamp}.md`), `${report}\n`);
  say(`results: ${file} (and .md)`);
  const at = summaries.find((s) => s.size === TARGET_SIZE);
  if (a['check-targets'] && at?.targets.some((t) => t.holds === false)) status = 3;
} catch (e) {
  status = 1;
  say(aborted ? '\nBENCH INTERRUPTED' : `\nBENCH FAILED: ${e instanceof BenchFailure ? e.message : e.stack}`);
  say(`logs kept in ${join(work, 'logs')}`);
} finally {
  if (labMade && !a['keep-lab']) {
    try {
      await labDown(a.name, join(work, 'logs'));
    } catch (e) {
      say(`lab down --name ${a.name} failed: ${e.message}`);
      status ||= 1;
    }
  }
  if (status !== 1) rmSync(work, { recursive: true, force: true });
}
process.exit(status);
