// From samples to summaries, target checks and the markdown report.
import { OPS, SHARD_OPS } from './tools.mjs';
import { median, summarize } from './stats.mjs';

/** The size at which the issue's targets are binding; at other sizes they are shown for information. */
export const TARGET_SIZE = 100;

const CNET_OPS = OPS.filter((o) => o.tool === 'cnet-remote').map((o) => o.id);

/** The issue's done-when targets, each from one size's summaries (null: not measured). */
export const TARGETS = [
  {
    id: 'up-clean-vs-openssh',
    label: 'cnet-remote up (clean) ≤ 0.5 × plain OpenSSH',
    value: (s) => ratio(s['cnet-up-clean'], s.openssh),
    holds: (v) => v <= 0.5,
    unit: '×',
  },
  {
    id: 'up-converged-vs-openssh',
    label: 'cnet-remote up (converged) ≤ 0.3 × plain OpenSSH',
    value: (s) => ratio(s['cnet-up-converged'], s.openssh),
    holds: (v) => v <= 0.3,
    unit: '×',
  },
  {
    id: 'ansible-steps-vs-up-clean',
    label: 'up (clean) ≥ 20× faster than Ansible per-step',
    value: (s) => ratio(s['ansible-steps'], s['cnet-up-clean']),
    holds: (v) => v >= 20,
    unit: '× faster',
  },
  {
    id: 'ansible-script-vs-up-clean',
    label: 'up (clean) ≥ 3× faster than Ansible script task',
    value: (s) => ratio(s['ansible-script'], s['cnet-up-clean']),
    holds: (v) => v >= 3,
    unit: '× faster',
  },
  { id: 'peak-rss', label: 'cnet-remote peak RSS ≤ 300 MB', value: (s) => peakRssMB(s), holds: (v) => v <= 300, unit: ' MB' },
];

function ratio(a, b) {
  return a && b ? a.median / b.median : null;
}
function peakRssMB(s) {
  const kb = CNET_OPS.map((id) => s[id]?.maxRssKB).filter((x) => x != null);
  return kb.length ? Math.max(...kb) / 1024 : null;
}

/**
 * @param {{ size: number, run: number, op: string, seconds: number, maxRssKB: number|null, cpuSeconds?: number|null }[]} samples
 * @returns {{ size: number, ops: Record<string, ReturnType<typeof summarize> & { maxRssKB: number|null, cpuSeconds: number|null, vsOpenssh: number|null }>, targets: { id: string, label: string, value: number|null, holds: boolean|null, binding: boolean }[] }[]}
 */
export function summarizeAll(samples) {
  const sizes = [...new Set(samples.map((s) => s.size))].sort((a, b) => a - b);
  return sizes.map((size) => {
    /** @type {Record<string, any>} */
    const ops = {};
    for (const op of [...OPS, ...SHARD_OPS]) {
      const mine = samples.filter((s) => s.size === size && s.op === op.id);
      if (!mine.length) continue;
      const rss = mine.map((s) => s.maxRssKB).filter((x) => x != null);
      const cpu = mine.map((s) => s.cpuSeconds).filter((x) => x != null);
      ops[op.id] = {
        ...summarize(mine.map((s) => s.seconds)),
        maxRssKB: rss.length ? Math.max(...rss) : null,
        // the controller's user + system seconds (the shards' summed), median over runs
        cpuSeconds: cpu.length ? median(cpu) : null,
      };
    }
    for (const id of Object.keys(ops)) ops[id].vsOpenssh = ratio(ops[id], ops.openssh);
    const targets = TARGETS.map((t) => {
      const value = t.value(ops);
      return { id: t.id, label: t.label, value, holds: value == null ? null : t.holds(value), binding: size === TARGET_SIZE };
    });
    return { size, ops, targets };
  });
}

const f = (x, d = 2) => (x == null ? '—' : x.toFixed(d));
const secs = (x) => (x == null ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(1));

/**
 * One controller against N shards run at once, per operation: wall seconds (medians), the
 * controller's CPU seconds (the shards' summed) and per host, peak RSS (the largest shard's).
 */
function shardTable(size, ops, { shards, shardForks, forksDefault }) {
  const perHost = (cpu) => (cpu == null ? '—' : f((1000 * cpu) / size, 1));
  const mb = (kb) => (kb == null ? '—' : f(kb / 1024, 0));
  const out = [
    `One controller and ${shards} shards run at once (\`--shard K/${shards}\`` +
      (shardForks
        ? ` \`--forks ${shardForks}\`, each its share of one controller's ${forksDefault ?? 'default'} hosts in flight`
        : ', each with the default --forks') +
      `; results merged by \`report merge\`), ${size} host${size > 1 ? 's' : ''}: ` +
      'wall seconds from the first spawn to the last exit (medians); controller CPU = user + system seconds of the node process(es), summed over the shards; peak RSS of the largest.',
    '',
    `| operation | one controller s | ${shards} shards s | shards ÷ one | one: CPU s | ${shards} shards: CPU s | one: CPU ms/host | ${shards} shards: CPU ms/host | one: peak RSS MB | ${shards} shards: peak RSS MB (max) |`,
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const op of SHARD_OPS) {
    const one = ops[op.of];
    const many = ops[op.id];
    if (!many) continue;
    out.push(
      `| ${op.label} | ${secs(one?.median)} | ${secs(many.median)} | ${one ? f(many.median / one.median) : '—'} | ${f(one?.cpuSeconds)} | ${f(many.cpuSeconds)} | ` +
        `${perHost(one?.cpuSeconds)} | ${perHost(many.cpuSeconds)} | ${mb(one?.maxRssKB)} | ${mb(many.maxRssKB)} |`,
    );
  }
  return out;
}

/** The report as markdown: machine, one table of timings and one of targets per size. */
export function markdown({ machine, summaries, meta }) {
  const out = [];
  out.push(`# cnet-remote bench — ${meta.startedAt}`, '');
  out.push(
    `Machine: ${machine.nproc} cores (${machine.cpu}), ${machine.memoryGB} GB, ${machine.kernel}; ` +
      `node ${machine.node}; ${machine.openssh}; ${machine.ansible ?? 'Ansible not run'}; cnet-remote ${machine.cnetRemote}. ` +
      `Load average at start ${machine.loadavgAtStart.join(' ')}, at end ${meta.loadavgAtEnd.join(' ')}.`,
    '',
  );
  const ansible =
    meta.ansibleStrategy == null
      ? 'Ansible skipped'
      : `Ansible: strategy ${meta.ansibleStrategy}, ${meta.ansibleForks} forks` +
        (meta.ansibleStepsRuns === 0
          ? ', per-step skipped'
          : meta.ansibleStepsRuns !== meta.runs
            ? `, per-step ${meta.ansibleStepsRuns} run${meta.ansibleStepsRuns > 1 ? 's' : ''} per size`
            : '');
  out.push(
    `Lab "${meta.lab.name}" of ${meta.lab.hosts} simulated VM${meta.lab.hosts > 1 ? 's' : ''}; ${meta.runs} run${meta.runs > 1 ? 's' : ''} per size; ` +
      `${ansible}. Times are medians of whole commands (spawn to exit); × plain OpenSSH = median ÷ plain OpenSSH's median.`,
    '',
  );
  for (const { size, ops, targets } of summaries) {
    out.push(`## ${size} host${size > 1 ? 's' : ''}`, '');
    out.push('| tool / operation | median s | min s | max s | runs | × plain OpenSSH | peak RSS MB | controller CPU s |');
    out.push('|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const op of OPS) {
      const s = ops[op.id];
      if (!s) continue;
      const mine = op.tool === 'cnet-remote';
      out.push(
        `| ${op.label} | ${secs(s.median)} | ${secs(s.min)} | ${secs(s.max)} | ${s.n} | ${f(s.vsOpenssh)} | ` +
          `${mine && s.maxRssKB != null ? f(s.maxRssKB / 1024, 0) : ''} | ${mine && s.cpuSeconds != null ? f(s.cpuSeconds) : ''} |`,
      );
    }
    out.push('');
    if (meta.shards && SHARD_OPS.some((o) => ops[o.id])) out.push(...shardTable(size, ops, meta), '');
    const binding = size === TARGET_SIZE;
    out.push(`| target${binding ? '' : ` (binding at ${TARGET_SIZE} hosts; informational here)`} | measured | holds |`);
    out.push('|---|--:|:-:|');
    for (const t of targets) {
      const unit = TARGETS.find((x) => x.id === t.id).unit;
      const verdict = t.holds == null ? 'not measured' : t.holds ? 'yes' : 'NO';
      out.push(`| ${t.label} | ${t.value == null ? '—' : f(t.value, t.id === 'peak-rss' ? 0 : 2) + unit} | ${binding ? verdict : `(${verdict})`} |`);
    }
    out.push('');
  }
  if (meta.shards)
    out.push(
      `Shards: on this ${machine.nproc}-core machine the ${meta.shards} shards share the same cores with each other and with every simulated VM ` +
        "(the hosts' sshd and commands), so no speed-up is expected here, and each shard pays its own Node start-up and inventory load; " +
        'what sharding buys is on separate machines (a Kubernetes Indexed Job, a CI matrix), where each shard has cores of its own.',
      '',
    );
  const busy = meta.busySamples ?? 0;
  if (busy)
    out.push(
      `Warning: ${busy} sample${busy > 1 ? 's' : ''} started while the machine was still busy (CPU < 90% idle after ${meta.settleMax ?? 30} s): something else was running; see \`settledBefore\` in the JSON.`,
      '',
    );
  const at = summaries.find((s) => s.size === TARGET_SIZE);
  if (at) {
    const m = at.targets.filter((t) => t.holds != null);
    out.push(
      `Targets at ${TARGET_SIZE} hosts: ${m.filter((t) => t.holds).length} of ${m.length} measured hold` +
        (m.length < TARGETS.length ? ` (${TARGETS.length - m.length} not measured)` : '') +
        '.',
      '',
    );
  } else {
    out.push(`No ${TARGET_SIZE}-host size in this run: the targets above are informational.`, '');
  }
  return out.join('\n');
}
