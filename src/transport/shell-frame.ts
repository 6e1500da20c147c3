import { randomBytes } from 'node:crypto';

/**
 * Several scripts, one after the other, through one remote `sh -s` (one exec channel per
 * connection: each further channel costs the host a fork of sshd's session and a shell, and
 * stalls ~40 ms on a delayed ACK, since sshd leaves Nagle on for sessions without a terminal).
 *
 * Each script runs in a subshell of its own (its variables, `cd`, `exit` stay in it) with stdin
 * from /dev/null (a command reading stdin would otherwise eat the next script). After it, the
 * shell prints an end marker with a nonce of this run's own (so no output can fake it) and the
 * exit code on stdout, and the marker on stderr: the run is over once both have arrived (sshd
 * reads the two pipes independently, so stderr may trail).
 */
export interface Frame {
  text: string;
  reader: FrameReader;
}

export function frameScript(script: string, nonce = randomBytes(8).toString('hex')): Frame {
  const end = `@@cnet-end-${nonce}`;
  const text = `(\n${script.endsWith('\n') ? script : `${script}\n`}) </dev/null\nprintf '\\n${end} %s\\n' "$?"; printf '\\n${end}\\n' >&2\n`;
  return { text, reader: new FrameReader(end) };
}

export class FrameReader {
  private out = '';
  private err = '';
  private code: number | undefined;
  private errDone = false;

  constructor(private end: string) {}

  onStdout(chunk: string): void {
    if (this.code !== undefined) return;
    // look for the marker only where it can start: in this chunk, or in the last line before it
    // (the marker, and an exit code whose newline has not come yet)
    const from = Math.max(0, this.out.length - this.end.length - 8);
    this.out += chunk;
    const at = this.out.indexOf(`\n${this.end} `, from);
    if (at < 0) return;
    const m = /^(\d+)\n/.exec(this.out.slice(at + this.end.length + 2));
    if (!m) return;
    this.code = Number(m[1]);
    this.out = this.out.slice(0, at);
  }

  onStderr(chunk: string): void {
    if (this.errDone) return;
    const from = Math.max(0, this.err.length - this.end.length - 8);
    this.err += chunk;
    const at = this.err.indexOf(`\n${this.end}\n`, from);
    if (at < 0) return;
    this.errDone = true;
    this.err = this.err.slice(0, at);
  }

  /** the script's output and exit code, once both markers have arrived */
  result(): { stdout: string; stderr: string; code: number } | undefined {
    return this.code !== undefined && this.errDone ? { stdout: this.out, stderr: this.err, code: this.code } : undefined;
  }

  /** what arrived so far (the shell ended before the markers) */
  partial(): { stdout: string; stderr: string } {
    return { stdout: this.out, stderr: this.err };
  }
}
