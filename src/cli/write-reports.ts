import { rmSync, writeFileSync } from 'node:fs';
import type { ResolvedHost } from '../inventory/types.js';
import type { RunResult } from '../report/result.js';

export interface ReportFlags {
  retryFile?: string;
  junit?: string;
  html?: string;
}

/** Writes the files a run was asked for; returns one line per file written, for the user. */
export function writeReports(result: RunResult, hosts: ResolvedHost[], flags: ReportFlags): string[] {
  void hosts;
  const lines: string[] = [];
  if (flags.retryFile) {
    const bad = result.hosts.filter((h) => h.status === 'failed' || h.status === 'unreachable').map((h) => h.name);
    if (bad.length) {
      writeFileSync(flags.retryFile, bad.join('\n') + '\n');
      lines.push(`retry file: ${flags.retryFile} (${bad.length} hosts; rerun them with --limit @${flags.retryFile})`);
    } else rmSync(flags.retryFile, { force: true });
  }
  return lines;
}
