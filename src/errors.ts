import { escapeUnshown } from './shown.js';

/** One root for every error cnet-remote raises on purpose; one subclass per pipeline stage. */
export class CnetError extends Error {
  constructor(
    message: string,
    readonly host?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A position in an inventory file, and the YAML path it belongs to. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
  path: string;
}

export interface InventoryIssue {
  loc: SourceLocation;
  message: string;
}

export function formatIssue(issue: InventoryIssue): string {
  const { file, line, col } = issue.loc;
  // a key may hold a newline or a bidi control: one issue stays one readable line
  const path = escapeUnshown(issue.loc.path);
  return `${file}:${line}:${col} ${path}${path ? ': ' : ''}${issue.message}`;
}

/** Bad input: every issue found, each with file:line:col and path. Nothing was touched. */
export class InventoryError extends CnetError {
  constructor(readonly issues: InventoryIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** The host could not be reached or authenticated (status `unreachable`). */
export class TransportError extends CnetError {}

/** A host key did not match known_hosts, or is unknown under `strict`. */
export class HostKeyError extends TransportError {}

/** sudo (ansible_become) refused us: the host is reachable, the run on it failed. */
export class BecomeError extends CnetError {}

/** The host printed more than a run may keep (no sane ip/iptables output is that big): the host failed. */
export class OutputLimitError extends CnetError {}

/** Reading the host's state failed or gave output we cannot parse. */
export class FactsError extends CnetError {}

/** Lab set-up or tear-down failed. */
export class LabError extends CnetError {}

/** Wrong command-line use (exit 1). */
export class UsageError extends CnetError {}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
