import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { INPUT_KINDS, InputFileError, readInputText } from '../files/read-input-file.js';
import type { FindingKind } from '../result/finding.js';
import type { ProbeKind, RunResult } from '../result/result.js';
import { showLine } from '../shown.js';
import type { ExecReport } from './exec-report.js';

/** Every kind a mismatch's object may have; the check below keeps it equal to `FindingKind`. */
const FINDING_KINDS = [
  'bridge',
  'nat',
  'nat6',
  'namespace',
  'ip_forward',
  'ip6_forward',
  'accept_ra',
  'vxlan',
  'route',
  'fdb',
  'leftover-netns',
  'leftover-link',
  'leftover-nat',
  'leftover-route',
  'leftover-ip_forward',
  'leftover-ip6_forward',
  'leftover-accept_ra',
  'leftover-nft-table',
  'owned',
] as const satisfies readonly FindingKind[];
const PROBE_KINDS = ['peer', 'gateway', 'host', 'upstream', 'fabric'] as const satisfies readonly ProbeKind[];
/** a kind added to the types and not here fails to compile */
type Exhaustive<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : never;
const everyKind: Exhaustive<FindingKind, (typeof FINDING_KINDS)[number]> & Exhaustive<ProbeKind, (typeof PROBE_KINDS)[number]> = true;
void everyKind;

const count = z.number().int().min(0);
const shard = z
  .object({ index: z.number().int().min(1), count: z.number().int().min(1) })
  .refine((s) => s.index <= s.count, { message: 'index must be at most count' });
const scope = {
  inventory: z.object({ fingerprint: z.string().regex(/^sha256:[0-9a-f]{64}$/), hosts: count }).optional(),
  shard: shard.optional(),
  missing: z.object({ shards: z.array(z.number().int().min(1)), of: z.number().int().min(1), hosts: count }).optional(),
};
const mismatch = z.object({
  path: z.string(),
  desired: z.string(),
  actual: z.string(),
  object: z.object({ kind: z.enum(FINDING_KINDS), name: z.string(), host: z.string().optional() }),
  part: z.string(),
});
const probe = z.object({
  kind: z.enum(PROBE_KINDS),
  from: z.string(),
  to: z.string(),
  target: z.string(),
  ok: z.boolean(),
  latencyMs: z.number().optional(),
  cause: z.string().optional(),
});
const dropped = z.object({ stdout: count, stderr: count });
const hostResult = z.object({
  name: z.string().min(1),
  status: z.enum(['ok', 'changed', 'failed', 'unreachable']),
  changes: count,
  steps: z.array(z.string()),
  verified: z.boolean(),
  mismatches: z.array(mismatch),
  error: z.string().optional(),
  checked: z.array(z.string()).optional(),
  probes: z.array(probe).optional(),
  warnings: z.array(z.object({ message: z.string(), fix: z.string().optional() })).optional(),
  exec: z
    .array(
      z.object({
        ns: z.string().optional(),
        code: z.number().int().nullable(),
        stdout: z.string(),
        stderr: z.string(),
        dropped: dropped.optional(),
      }),
    )
    .optional(),
  firewall: z.object({ backend: z.enum(['iptables', 'nftables']), why: z.string() }).optional(),
  durationMs: z.number().min(0),
});
const runResult = z.object({
  command: z.enum(['up', 'plan', 'verify', 'down', 'confirm']),
  hosts: z.array(hostResult),
  summary: z.object({ ok: count, changed: count, failed: count, unreachable: count }),
  durationMs: z.number().min(0),
  ...scope,
});
const execReport = z.object({
  command: z.literal('exec'),
  argv: z.array(z.string()),
  results: z.array(
    z.object({
      host: z.string().min(1),
      ns: z.string().nullable(),
      status: z.enum(['ok', 'failed', 'unreachable']),
      code: z.number().int().nullable(),
      stdout: z.string(),
      stderr: z.string(),
      dropped: dropped.optional(),
      error: z.string().optional(),
    }),
  ),
  summary: z.object({ hosts: count, ok: count, failed: count, unreachable: count }),
  durationMs: z.number().min(0),
  ...scope,
});

/** A run's `--json` output as read back: a network command's result, or `exec`'s report. */
export type ResultFile = { file: string } & ({ kind: 'run'; result: RunResult } | { kind: 'exec'; result: ExecReport });

/** Where a JSON path is in the file (JSON is YAML: the yaml parser keeps positions); 0:0 when not found. */
function locate(text: string, path: readonly PropertyKey[]): { line: number; col: number } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  let node: Node | null | undefined = doc.contents as Node | null;
  for (const key of path) {
    const next: unknown = isMap(node) || isSeq(node) ? node.get(key as never, true) : undefined;
    if (!next || typeof next !== 'object') break;
    node = next as Node;
  }
  const at = node?.range ? lines.linePos(node.range[0]) : { line: 0, col: 0 };
  return { line: at.line, col: at.col };
}

function jsonPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('');
}

/**
 * A shard's result, read and checked: what `--json` printed for up, plan, verify, down, confirm or
 * exec. A file that is not one is refused with its line, the JSON path and what is wrong there.
 */
export function readResultFile(file: string): ResultFile {
  let text: string;
  try {
    text = readInputText(file, INPUT_KINDS.result);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    throw new UsageError(`cannot read result file ${showLine(file)}: ${err.problem}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${showLine(file)} is not JSON (${(err as Error).message}): give the output of a run with --json`);
  }
  const isExec = typeof data === 'object' && data !== null && (data as { command?: unknown }).command === 'exec';
  const parsed = isExec ? execReport.safeParse(data) : runResult.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const { line, col } = locate(text, issue.path);
    const where = issue.path.length ? ` ${jsonPath(issue.path)}` : '';
    throw new UsageError(
      `${showLine(file)}:${line}:${col}${where}: ${issue.message}${parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : ''}: ` +
        'not the --json output of a cnet-remote up, plan, verify, down, confirm or exec run',
    );
  }
  // the data as written (its keys in their order), now known to have the shape
  return isExec ? { file, kind: 'exec', result: data as ExecReport } : { file, kind: 'run', result: data as RunResult };
}
