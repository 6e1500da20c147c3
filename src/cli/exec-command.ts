import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { execLabel, execReport } from '../report/exec-report.js';
import { EXIT, exitCodeOf } from './exit-code.js';
import { ALL_NAMESPACES, checkNsFlag, DEFAULT_EXEC_MAX_OUTPUT, execOperation, execTargets, type ExecSpec } from '../run/exec-op.js';
import { runOperation } from '../run/run-hosts.js';
import { execRenderer, formatExecSummary, labelWidth } from './render/exec.js';
import type { Output } from './output.js';
import { prepareRun } from './prepare-run.js';
import { hostKeysAdded } from './run-command.js';
import { addHostOptions, hostSettings, trapInterrupt, type HostFlags } from './run-flags.js';
import { writeReports } from './write-reports.js';
import { hostKeyQuestions } from './host-key-questions.js';

interface ExecFlags extends HostFlags {
  ns?: string;
  maxOutput: string;
}

const USAGE = 'cnet-remote exec INVENTORY… [--limit PATTERN] [--ns NAME] -- COMMAND [ARG…]';

/**
 * Commander gives the operands before and after `--` as one list; the raw argv says where `--`
 * was: the first `--` whose words after it are the list's tail (an option's value may be `--`).
 * undefined when there is no `--`.
 */
export function splitCommand(operands: string[], rawArgv: string[]): { inventories: string[]; command: string[] } | undefined {
  for (let i = 0; i < rawArgv.length; i++) {
    if (rawArgv[i] !== '--') continue;
    const tail = rawArgv.slice(i + 1);
    const at = operands.length - tail.length;
    if (at >= 0 && tail.every((w, k) => operands[at + k] === w)) return { inventories: operands.slice(0, at), command: tail };
  }
  return undefined;
}

/** `--max-output MiB` (a fraction of one too) → bytes. */
export function maxOutputBytes(mib: string): number {
  const bytes = Math.floor(Number(mib) * 1024 * 1024);
  if (!/^\d*\.?\d+$/.test(mib) || bytes < 1) throw new UsageError(`--max-output must be a size in MiB (0.5, 4, 100), got "${mib}"`);
  return bytes;
}

/** `exec`: a command on every host (or in a namespace on each), in parallel; output prefixed by host. */
export function execCommand(out: Output, setExit: (code: number) => void, rawArgv: string[]): Command {
  const cmd = addHostOptions(
    new Command('exec')
      .description('run a command on every host (in a network namespace with --ns), in parallel: its output prefixed by host, then a summary of exit codes')
      .usage('[options] <inventory...> -- <command...>')
      .argument(
        '<inventory...>',
        'Ansible inventories: YAML, INI, JSON, dynamic (several merge in order, as repeated -i), then `--` and the command with its arguments (each passed as one word, never re-parsed by a shell)',
      ),
    'print one JSON object: {results:[{host, ns, status, code, stdout, stderr, dropped?}], summary:{…}}',
  )
    .option(
      '--ns <name>',
      "run the command inside this network namespace on each host (ip netns exec); '*': in each namespace the inventory declares for the host",
    )
    .option(
      '--max-output <MiB>',
      "keep at most this much of each host's output (stdout and stderr together); the rest is read, dropped and counted",
      String(DEFAULT_EXEC_MAX_OUTPUT / 1024 / 1024),
    );
  return cmd.action(async (operands: string[], flags: ExecFlags) => {
    const split = splitCommand(operands, rawArgv);
    if (!split || split.command.length === 0) throw new UsageError(`exec: give the command after \`--\`: ${USAGE}`);
    const spec: ExecSpec = {
      argv: split.command,
      maxOutput: maxOutputBytes(flags.maxOutput),
      ...(flags.ns !== undefined ? { ns: checkNsFlag(flags.ns) } : {}),
    };
    hostSettings(flags); // bad numbers are refused before anything is read
    const { hosts, scope, connector, settings } = await prepareRun(split.inventories, flags, (t) => out.note(t));
    const { forks, timeout, retries, deadline } = hostSettings(flags, settings);
    // the one namespace --ns names (none for '*'): what a host where nothing ran is labelled with
    const single = spec.ns === ALL_NAMESPACES ? undefined : spec.ns;
    const width = labelWidth(hosts.flatMap((h) => [h.name, ...execTargets(spec, h).map((ns) => execLabel({ host: h.name, ns: ns ?? null }))]));
    const questions = hostKeyQuestions(
      () => connector.hostKeysToConfirm(hosts),
      (t) => out.note(t),
    );
    const hold = (write: (t: string) => void) => questions?.hold(write) ?? write;
    const trap = trapInterrupt(out, 'interrupted: starting no more hosts; waiting for the running commands (Ctrl-C again to end their connections)');
    const started = new Date();
    const run = await runOperation('exec', execOperation(spec), hosts, {
      forks,
      connector,
      sink: flags.json ? () => {} : execRenderer(hold(out.line), hold(out.note), single, width),
      connectTimeoutMs: timeout * 1000,
      deadlineMs: deadline * 1000,
      // the command may run as long as the host's deadline allows
      execTimeoutMs: deadline * 1000,
      retries,
      interrupt: trap.interrupt,
      abort: trap.abort,
      ...(questions ? { ask: questions.ask } : {}),
    });
    trap.release();
    const result = { ...run, ...scope };
    const report = execReport(result, spec.argv, single);
    if (flags.json) out.line(JSON.stringify(report, null, 2));
    else out.note(formatExecSummary(report));
    for (const written of await writeReports(result, { retryFile: flags.retryFile }, started)) out.note(written);
    for (const added of hostKeysAdded(connector.addedHostKeys())) out.note(added);
    setExit(trap.interrupt.aborted ? EXIT.interrupted : exitCodeOf(result));
  });
}
