import { Command } from 'commander';
import type { HostFacts } from '../facts/types.js';
import { inHostOrder } from '../result/host-order.js';
import type { RunResult } from '../result/result.js';
import { EXIT, exitCodeOf } from './exit-code.js';
import type { Command as CoreCommand } from '../run/host-ops.js';
import { faultPauseOption } from '../run/fault-pause.js';
import { runHosts } from '../run/run-hosts.js';
import { fabricProbeNote } from '../verify/probe-plan.js';
import { chooseRenderer } from './render/choose.js';
import { hostKeyQuestions } from './host-key-questions.js';
import { probeLine, problemLines, verboseHostLines, warningLines } from './render/fleet-report.js';
import { formatSteps, formatWarnings, joinTexts, RECAP_ALL_LIMIT, recapHosts, summaryLine } from './render/recap.js';
import type { Output } from './output.js';
import { prepareRun } from './prepare-run.js';
import { addHostOptions, hostSettings, nonNegativeInt, positiveInt, trapInterrupt, type HostFlags } from './run-flags.js';
import { writeReports } from './write-reports.js';

interface RunFlags extends HostFlags {
  verbose?: boolean;
  quiet?: boolean;
  probe?: boolean;
  rebuild?: boolean;
  junit?: string;
  html?: string;
  confirmTimeout?: string;
  manualConfirm?: boolean;
  lockWait?: string;
  /** false with --no-prune */
  prune?: boolean;
}

const DESCRIPTIONS: Record<CoreCommand, string> = {
  up: 'converge every host to the inventory, then read the state back and verify it',
  plan: 'read-only: print, per host, the commands `up` would run',
  verify: 'read-only: compare each host with the inventory; every mismatch as path, desired, actual',
  down: "remove what `up` created on each host (from the host's own record), and nothing else",
  confirm: 'confirm the last `up --confirm-timeout` on each host, over a fresh connection, before the host reverts it',
};

export { nonNegativeInt, positiveInt } from './run-flags.js';

/** A network command's result for people (or as JSON): a run's, or a merge of its shards'. */
export function renderResult(out: Output, result: RunResult, flags: Pick<RunFlags, 'json' | 'verbose' | 'quiet'>): void {
  if (flags.json) {
    out.line(JSON.stringify(result, null, 2));
    return;
  }
  const all = Boolean(flags.verbose) || result.hosts.length <= RECAP_ALL_LIMIT;
  if (result.command === 'plan') {
    for (const h of inHostOrder(result.hosts)) {
      const what =
        h.status === 'unreachable' || (h.status === 'failed' && !h.steps.length)
          ? `${h.status}: ${h.error ?? ''}`.split('\n')[0]
          : h.steps.length
            ? `${h.steps.length} commands`
            : 'nothing to do';
      out.line(`# ${h.name}: ${what}`);
      for (const d of [...formatSteps(h), ...formatWarnings(h)]) out.line(d.replace(/^\s*\+ /, ''));
    }
    // `plan` prints a script on stdout: its recap goes with the progress
    const color = Boolean(out.progress.isTTY) && process.env.NO_COLOR === undefined;
    out.note(joinTexts([recapHosts(result, color, all), summaryLine(result, color)], color));
    return;
  }
  const color = Boolean(out.stdout.isTTY) && process.env.NO_COLOR === undefined;
  if (!flags.quiet) {
    for (const l of flags.verbose ? verboseHostLines(result) : [...warningLines(result.hosts), ...probeLine(result.hosts)]) out.line(l);
    out.line(recapHosts(result, color, all));
  }
  // what went wrong last, just above the summary: what a terminal shows when the run ends
  for (const l of problemLines(result)) out.line(l);
  out.line(summaryLine(result, color));
}

/** As ssh's "Permanently added": the host keys a run wrote to known_hosts, one line per file. */
export function hostKeysAdded(added: { file: string; count: number }[]): string[] {
  return added.map(({ file, count }) => `Permanently added ${count} host key${count === 1 ? '' : 's'} to ${file}`);
}

export function runCommand(name: CoreCommand, out: Output, setExit: (code: number) => void): Command {
  const cmd = addHostOptions(
    new Command(name)
      .description(DESCRIPTIONS[name])
      .argument('[inventory...]', "Ansible inventories: YAML, INI, JSON, dynamic (several merge in order, as repeated -i; none: ansible.cfg's)"),
    'print one JSON object: {hosts:[…], summary:{…}}',
  )
    .option('-v, --verbose', "also list every host: the commands applied, every probe, its warnings (and, past 20 hosts, the healthy ones' recap lines)")
    .option('-q, --quiet', 'only what went wrong and the summary (plain progress: only the hosts that failed)');
  if (name === 'up' || name === 'verify') {
    cmd.option('--probe', 'after verifying, ping: namespaces to each other, their gateway and the upstream; the host to them');
  }
  if (name === 'up') {
    cmd
      .option('--rebuild', 'down, then up from a clean slate (nightly rebuilds)')
      .option('--confirm-timeout <seconds>', 'each host reverts this run by itself unless a second, fresh connection confirms it in time')
      .option('--manual-confirm', 'with --confirm-timeout: do not confirm; leave it to `cnet-remote confirm`');
  }
  if (name === 'up' || name === 'plan' || name === 'verify') {
    cmd.option(
      '--no-prune',
      "keep what cnet-remote made and the inventory no longer names (Ansible's add-only way); verify: report it as a warning, not a mismatch",
    );
  }
  if (name === 'up' || name === 'down') cmd.option('--lock-wait <seconds>', "wait this long for another run's lock on a host (0: fail at once)", '0');
  if (name !== 'plan' && name !== 'confirm') {
    cmd
      .option('--junit <file>', 'write a JUnit XML report (a testsuite per host)')
      .option('--html <file>', 'write a self-contained HTML report with the probe matrix and the topology');
  }
  return cmd.action(async (files: string[], flags: RunFlags) => {
    hostSettings(flags); // bad numbers are refused before anything is read
    const needsNetwork = name === 'up' || name === 'plan' || name === 'verify';
    const { hosts, scope, connector, settings } = await prepareRun(files, { ...flags, needsNetwork }, (t) => out.note(t));
    const { forks, timeout, retries, deadline } = hostSettings(flags, settings);
    const questions = hostKeyQuestions(
      () => connector.hostKeysToConfirm(hosts),
      (t) => out.note(t),
    );
    const renderer = await chooseRenderer({
      json: Boolean(flags.json),
      quiet: Boolean(flags.quiet),
      stream: out.progress,
      write: out.note,
      ...(questions ? { questions } : {}),
    });
    // Ctrl-C: start no more hosts, let running ones finish or roll back; twice: end their connections too
    const trap = trapInterrupt(out, 'interrupted: starting no more hosts; the running ones finish or roll back (Ctrl-C again to stop waiting for them)');
    const facts = new Map<string, HostFacts>();
    const started = new Date();
    const run = await runHosts(name, hosts, {
      onFacts: (host, f) => facts.set(host, f),
      forks,
      connector,
      sink: renderer.sink,
      connectTimeoutMs: timeout * 1000,
      deadlineMs: deadline * 1000,
      retries,
      interrupt: trap.interrupt,
      abort: trap.abort,
      ...(questions ? { ask: questions.ask } : {}),
      options: {
        probe: Boolean(flags.probe),
        rebuild: Boolean(flags.rebuild),
        lockWait: nonNegativeInt('--lock-wait', flags.lockWait ?? '0'),
        ...(flags.confirmTimeout !== undefined ? { confirmTimeout: positiveInt('--confirm-timeout', flags.confirmTimeout) } : {}),
        manualConfirm: Boolean(flags.manualConfirm),
        prune: flags.prune !== false,
        // test-only: the one place the fault hook is read from the environment
        ...faultPauseOption(process.env.CNET_FAULT_PAUSE),
      },
    });
    trap.release();
    await renderer.done();
    const result: RunResult = { ...run, ...scope };
    renderResult(out, result, flags);
    const note =
      flags.probe && !flags.json
        ? fabricProbeNote(
            hosts.map((h) => h.network),
            name,
          )
        : undefined;
    if (note) out.note(note);
    for (const written of await writeReports(result, flags, started, { hosts, facts })) out.note(written);
    for (const added of hostKeysAdded(connector.addedHostKeys())) out.note(added);
    setExit(trap.interrupt.aborted ? EXIT.interrupted : exitCodeOf(result));
  });
}
