#!/usr/bin/env node
// What one controller can plan: a 1,000- and a 10,000-host inventory loaded and planned in one
// process, no host touched (no lab, no SSH). Run after `npm run build`:
//
//   node bench/plan-scale.mjs [--hosts 1000,10000] [--variants seeds,fabric]
//
// The inventory (generated in a temp dir): hosts vm1…vmN with ansible_host addresses on one
// segment, 10.249.0.10 onwards in 10.249.0.0/17 (the segment of the host whose gather is used
// below), read with the lab's default network, both seeds as they are
// (inventories/seed-part2.yaml, inventories/seed-pb-jelly.yaml, given after the hosts' file as
// `cnet-remote up HOSTS.yaml SEED…` is); the `fabric` variant adds a routed `cnet.fabric` across
// every host (supernet 10.128.0.0/10, a /24 per host: room for 16,384; namespaces db and web on
// its bridge, as inventories/fabric-routed.yaml), so every host routes each other host's /24.
//
// Measured, each (size, variant) in a process of its own under GNU time (so that its peak RSS
// is its own): the real loader (dist/inventory/load-inventory.js: read, parse, flatten,
// resolve), then for every host what `plan` does once it has the host's facts: parse the facts
// of a clean host (test/fixtures/facts/empty.txt, a real gather from a lab VM: see the README
// there) with dist/facts/parse-facts.js, plan with the pure planner (dist/plan/plan.js planUp,
// as dist/run/host-ops.js) and render the steps as the commands `plan` prints
// (dist/plan/render-shell.js). Each host's plan is counted, then dropped (`plan --json` would
// keep every host's steps for its output; with the fabric at 10,000 hosts that is 10^8 routes).
// The child runs with --expose-gc: "heap kept" is the heap still in use (after a full GC) once
// every host is planned, less what it was after loading, with the inventory still alive as it is
// through a run: what planning leaves behind. A case that fails (out of memory, say) is a row
// saying so, with how far it got; the others still run.
import { spawnSync } from 'node:child_process';
import v8 from 'node:v8';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const SEEDS = [join(root, 'inventories/seed-part2.yaml'), join(root, 'inventories/seed-pb-jelly.yaml')];
const FACTS = join(root, 'test/fixtures/facts/empty.txt');
const FABRIC = {
  supernet: '10.128.0.0/10',
  hostPrefix: 24,
  text: [
    '# the fabric variant: routed (Flannel host-gw) across every host, a /24 each',
    'all:',
    '  vars:',
    '    cnet:',
    '      fabric: { mode: routed, supernet: 10.128.0.0/10, host_prefix: 24 }',
    '      namespaces:',
    '        db: { bridge: cnet0 }',
    '        web: { bridge: cnet0 }',
    '',
  ].join('\n'),
};
const VARIANTS = { seeds: 'both seeds', fabric: 'both seeds + routed fabric' };

const { values: a } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000,10000' },
    variants: { type: 'string', default: 'seeds,fabric' },
    // internal: one measurement, in this (child) process
    one: { type: 'string' },
  },
});

/** hosts vm1…vmN, one segment: 10.249.0.10 + i - 1 (10.249.0.0/17 holds 32,758 of them). */
function hostsText(n) {
  const lines = ['all:', '  vars:', '    ansible_user: root', '  hosts:'];
  for (let i = 1; i <= n; i++) {
    const x = (249 << 16) + 9 + i;
    lines.push(`    vm${i}: { ansible_host: 10.${x >> 16}.${(x >> 8) & 255}.${x & 255} }`);
  }
  return `${lines.join('\n')}\n`;
}

/** The child: load and plan, print one JSON line. */
async function measureOne(spec) {
  const { files, hosts } = JSON.parse(spec);
  const { loadInventory } = await import('../dist/inventory/load-inventory.js');
  const { parseFacts } = await import('../dist/facts/parse-facts.js');
  const { planUp } = await import('../dist/plan/plan.js');
  const { renderSteps } = await import('../dist/plan/render-shell.js');
  const factsText = readFileSync(FACTS, 'utf8');
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1e6;
  };
  const t0 = now();
  const c0 = cpu();
  const inv = loadInventory(files);
  const t1 = now();
  const c1 = cpu();
  process.stderr.write(`loaded: ${inv.hosts.length} hosts in ${(t1 - t0).toFixed(2)} s\n`);
  globalThis.gc();
  const heapAfterLoad = process.memoryUsage().heapUsed;
  if (inv.hosts.length !== hosts) throw new Error(`loaded ${inv.hosts.length} hosts, expected ${hosts}`);
  let factsSeconds = 0;
  let steps = 0;
  let routes = 0;
  let conflicts = 0;
  let planned = 0;
  const perHost = new Set();
  for (const host of inv.hosts) {
    const f0 = now();
    const facts = parseFacts(factsText, host.name);
    factsSeconds += now() - f0;
    const plan = planUp(host.network, facts);
    const lines = renderSteps(plan.steps);
    steps += lines.length;
    routes += lines.filter((l) => l.startsWith('ip route replace ')).length;
    conflicts += plan.conflicts.length;
    perHost.add(lines.length);
    // how far it got, should it fail (the parent shows the last line)
    if (++planned % 500 === 0) process.stderr.write(`progress: ${planned} hosts planned in ${(now() - t1).toFixed(0)} s\n`);
  }
  const t2 = now();
  const c2 = cpu();
  const mem = process.memoryUsage();
  globalThis.gc();
  const heapKept = process.memoryUsage().heapUsed - heapAfterLoad;
  process.stdout.write(
    `${JSON.stringify({
      hosts,
      loadSeconds: t1 - t0,
      loadCpuSeconds: c1 - c0,
      planSeconds: t2 - t1,
      planCpuSeconds: c2 - c1,
      factsSeconds,
      steps,
      routes,
      conflicts,
      stepsPerHost: [...perHost].sort((x, y) => x - y),
      rssAtEndMB: mem.rss / 2 ** 20,
      heapUsedAtEndMB: mem.heapUsed / 2 ** 20,
      heapKeptMB: heapKept / 2 ** 20,
    })}\n`,
  );
}

if (a.one) {
  await measureOne(a.one);
  process.exit(0);
}

const sizes = a.hosts.split(',').map(Number);
const variants = a.variants.split(',');
for (const v of variants) if (!(v in VARIANTS)) throw new Error(`--variants: seeds and/or fabric, not "${v}"`);
if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 16384)) throw new Error('--hosts: 1-16384 each (the fabric has a /24 for 16,384 hosts)');

const dir = mkdtempSync(join(os.tmpdir(), 'cnet-plan-scale-'));
const fabricFile = join(dir, 'fabric-routed.yaml');
writeFileSync(fabricFile, FABRIC.text);
let failed = 0;
const loadavg = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const commit = spawnSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
console.log(
  `# plan at scale: ${os.availableParallelism()} cores (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, node ${process.version} ` +
    `(heap limit ${(v8.getHeapStatistics().heap_size_limit / 2 ** 30).toFixed(1)} GB), cnet-remote ${commit || '?'}, ${new Date().toISOString()}, load average ${loadavg()}`,
);
console.log('');
console.log(
  '| hosts | network | load s | facts parse s | plan s | total s | ms per host | CPU s | peak RSS MB | heap kept MB | steps planned | of them routes | steps per host |',
);
console.log('|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
try {
  for (const n of sizes) {
    const hostsFile = join(dir, `hosts-${n}.yaml`);
    writeFileSync(hostsFile, hostsText(n));
    for (const v of variants) {
      const files = [hostsFile, ...SEEDS, ...(v === 'fabric' ? [fabricFile] : [])];
      const timeFile = join(dir, 'time');
      const r = spawnSync(
        '/usr/bin/time',
        ['-f', '%M %U %S %e', '-o', timeFile, process.execPath, '--expose-gc', new URL(import.meta.url).pathname, '--one', JSON.stringify({ files, hosts: n })],
        { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const [rssKB, user, sys, wall] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      const usage = `${(user + sys).toFixed(1)} | ${(rssKB / 1024).toFixed(0)}`;
      if (r.status !== 0) {
        const why = /JavaScript heap out of memory/.test(r.stderr) ? 'JavaScript heap out of memory' : `exit ${r.status ?? r.signal}`;
        const got = [...r.stderr.matchAll(/^progress: (\d+) hosts planned in (\d+) s$/gm)].pop();
        const load = /^loaded: \d+ hosts in ([\d.]+) s$/m.exec(r.stderr)?.[1] ?? '';
        process.stderr.write(r.stderr.split('\n').slice(-30).join('\n'));
        console.log(
          `| ${n.toLocaleString('en')} | ${VARIANTS[v]} | ${load} | failed: ${why} after ${wall.toFixed(0)} s (${got ? `${got[1]} hosts planned in ${got[2]} s` : 'before 500 hosts were planned'}) | | | | ${usage} | | | | |`,
        );
        failed++;
        continue;
      }
      const m = JSON.parse(r.stdout);
      if (m.conflicts) throw new Error(`${n} hosts, ${v}: ${m.conflicts} conflicts in the plans (a clean host should have none)`);
      const total = m.loadSeconds + m.planSeconds;
      console.log(
        `| ${n.toLocaleString('en')} | ${VARIANTS[v]} | ${m.loadSeconds.toFixed(2)} | ${m.factsSeconds.toFixed(2)} | ${(m.planSeconds - m.factsSeconds).toFixed(2)} | ${total.toFixed(2)} | ` +
          `${((1000 * total) / n).toFixed(2)} | ${usage} | ${m.heapKeptMB < 1 ? '< 1' : m.heapKeptMB.toFixed(0)} | ${m.steps.toLocaleString('en')} | ${m.routes.toLocaleString('en')} | ${m.stepsPerHost.join(', ')} |`,
      );
    }
  }
  console.log('');
  console.log(
    `load s: the inventory files read, parsed, flattened and resolved; facts parse s: the clean host's gather parsed once per host; plan s: planUp + the rendered commands, every host; ` +
      `total s = load + facts + plan (wall clock; the Node start-up and imports not in it); CPU s and peak RSS: the whole process (GNU time); ` +
      `heap kept: the heap in use after planning every host less after loading (full GCs, the inventory alive). Load average at the end ${loadavg()}.`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
