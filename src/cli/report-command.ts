import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { mergeResults, missingNote } from '../report/merge-results.js';
import { readResultFile } from '../report/result-file.js';
import { exitCodeOf } from './exit-code.js';
import type { Output } from './output.js';
import { formatExecSummary } from './render/exec.js';
import { renderResult } from './run-command.js';
import { writeReports, writeRetryFile } from './write-reports.js';

interface MergeFlags {
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  junit?: string;
  html?: string;
  retryFile?: string;
}

/** `report merge`: the results of a run's shards (`--shard K/N … --json`) as the one result of the whole run. */
function mergeCommand(out: Output, setExit: (code: number) => void): Command {
  return new Command('merge')
    .description(
      "merge the --json results of a run's shards (--shard K/N) into one result: the recap, JSON and reports of one run on all the hosts, and its exit code",
    )
    .argument('<file...>', "the shards' --json outputs (of one command, inventory and --shard split)")
    .option('--json', 'print the merged result as one JSON object, as one run prints it')
    .option('-v, --verbose', 'also list every host')
    .option('-q, --quiet', 'only what went wrong and the summary')
    .option('--junit <file>', 'write a JUnit XML report (a testsuite per host)')
    .option('--html <file>', 'write a self-contained HTML report (without the topology picture, which needs the inventory)')
    .option('--retry-file <file>', 'write the hosts that failed or were unreachable, for a later --limit @file')
    .action(async (files: string[], flags: MergeFlags) => {
      // every file is read and checked before anything is written
      const merged = mergeResults(files.map(readResultFile));
      const started = new Date();
      if (merged.kind === 'exec') {
        if (flags.junit || flags.html) throw new UsageError('exec results make no JUnit or HTML report (as exec itself): leave out --junit and --html');
        const report = merged.result;
        if (flags.json) out.line(JSON.stringify(report, null, 2));
        else out.note(formatExecSummary(report));
        if (flags.retryFile) {
          const bad = [...new Set(report.results.filter((r) => r.status !== 'ok').map((r) => r.host))];
          const written = writeRetryFile(flags.retryFile, bad);
          if (written) out.note(written);
        }
      } else {
        renderResult(out, merged.result, flags);
        for (const written of await writeReports(merged.result, flags, started)) out.note(written);
      }
      if (merged.result.missing) out.note(missingNote(merged.result.missing));
      setExit(exitCodeOf(merged.result));
    });
}

/** `report`: what is done with results after the runs. */
export function reportCommand(out: Output, setExit: (code: number) => void): Command {
  return new Command('report').description("work with runs' --json results").addCommand(mergeCommand(out, setExit));
}
