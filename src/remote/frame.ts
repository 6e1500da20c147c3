import { randomBytes } from 'node:crypto';
import { programParts } from './program.js';

/**
 * Several scripts, one after the other, through one remote `sh -s` (one exec channel per
 * connection: each further channel costs the host a fork of sshd's session and a shell, and
 * stalls ~40 ms on a delayed ACK, since sshd leaves Nagle on for sessions without a terminal).
 *
 * Each script runs in a subshell of its own (its variables, `cd`, `exit` stay in it) with stdin
 * from /dev/null (a command reading stdin would otherwise eat the next script). After it, the
 * shell prints an end marker with a nonce of this run's own (so no output can fake it) and the
 * exit code on stdout, and the marker on stderr (programs/frame-end.sh, the marker its value END):
 * the run is over once both have arrived (sshd reads the two pipes independently, so stderr may
 * trail).
 *
 * Reading is linear in the output: chunks are kept as they come (joined once, at the end) and the
 * marker is looked for only in each new chunk and the few bytes before it. What is kept is
 * bounded: past `limit` bytes (stdout and stderr together) the rest is counted, not kept.
 */
export interface Frame {
  text: string;
  reader: FrameReader;
}

export interface FrameLimit {
  /** bytes of output (stdout and stderr together) kept; the rest is dropped and counted */
  bytes: number;
  /** called once, when the output goes past `bytes` */
  onOverflow?: () => void;
}

export function frameScript(script: string, nonce = randomBytes(8).toString('hex'), limit?: FrameLimit): Frame {
  const end = `@@cnet-end-${nonce}`;
  const frame = programParts('frame-end', { values: { END: end } });
  const text = `${frame.data}\n(\n${script.endsWith('\n') ? script : `${script}\n`}) </dev/null\n${frame.body}\n`;
  return { text, reader: new FrameReader(end, limit) };
}

/** What a run printed: its text, and how many bytes of each stream were dropped past the limit. */
export interface FrameOutput {
  stdout: string;
  stderr: string;
  dropped: { stdout: number; stderr: number };
}

/** How much of its budget a run has left, shared by its stdout and stderr. */
interface Budget {
  left: number;
  over: boolean;
  limit?: FrameLimit;
}

/** the exit code after stdout's marker: ` 0`..` 255` and a newline (or the start of that, still coming) */
const CODE = /^ (\d{1,3})\n/;
const CODE_SO_FAR = /^( \d{0,3})?$/;

/** One stream of a run: its chunks up to the budget, and where its end marker is. */
class Part {
  private chunks: Buffer[] = [];
  /** the last bytes seen, not yet kept: a marker may have started in them */
  private tail = Buffer.alloc(0);
  dropped = 0;
  /** bytes the marker search has looked at (at most each chunk plus a marker's length before it) */
  scanned = 0;
  /** the marker has arrived: what follows is not this run's */
  done = false;
  /** stdout's exit code */
  code: number | undefined;

  constructor(
    private marker: Buffer,
    private withCode: boolean,
    private budget: Budget,
  ) {}

  push(chunk: Buffer): void {
    if (this.done) return;
    const hay = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    this.scanned += hay.length;
    for (let at = hay.indexOf(this.marker); at >= 0; at = hay.indexOf(this.marker, at + 1)) {
      const after = hay.subarray(at + this.marker.length, at + this.marker.length + 6).toString('latin1');
      const m = this.withCode ? CODE.exec(after) : /^\n/.exec(after);
      if (m) {
        this.keep(hay.subarray(0, at));
        this.code = m[1] === undefined ? undefined : Number(m[1]);
        this.done = true;
        return;
      }
      if (at + this.marker.length + after.length === hay.length && (this.withCode ? CODE_SO_FAR.test(after) : after === '')) {
        // the marker, its code still coming: wait for the rest
        this.keep(hay.subarray(0, at));
        this.tail = Buffer.from(hay.subarray(at));
        return;
      }
    }
    const hold = Math.min(hay.length, this.marker.length - 1);
    this.keep(hay.subarray(0, hay.length - hold));
    this.tail = Buffer.from(hay.subarray(hay.length - hold));
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const b = this.budget;
    if (bytes.length <= b.left) {
      this.chunks.push(bytes);
      b.left -= bytes.length;
      return;
    }
    // cut at the budget, on a UTF-8 character's first byte
    let n = b.left;
    while (n > 0 && (bytes[n]! & 0xc0) === 0x80) n--;
    if (n > 0) this.chunks.push(bytes.subarray(0, n));
    this.dropped += bytes.length - n;
    b.left = 0;
    if (b.over) return;
    b.over = true;
    b.limit?.onOverflow?.();
  }

  text(): string {
    return Buffer.concat([...this.chunks, ...(this.done ? [] : [this.tail])]).toString('utf8');
  }
}

export class FrameReader {
  private budget: Budget;
  private out: Part;
  private err: Part;

  constructor(end: string, limit?: FrameLimit) {
    this.budget = { left: limit?.bytes ?? Infinity, over: false, ...(limit ? { limit } : {}) };
    this.out = new Part(Buffer.from(`\n${end}`), true, this.budget);
    this.err = new Part(Buffer.from(`\n${end}`), false, this.budget);
  }

  onStdout(chunk: Buffer | string): void {
    this.out.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }

  onStderr(chunk: Buffer | string): void {
    this.err.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }

  /** the script's output and exit code, once both markers have arrived */
  result(): (FrameOutput & { code: number }) | undefined {
    return this.out.done && this.err.done ? { ...this.partial(), code: this.out.code! } : undefined;
  }

  /** what arrived so far (the shell ended before the markers) */
  partial(): FrameOutput {
    return { stdout: this.out.text(), stderr: this.err.text(), dropped: { stdout: this.out.dropped, stderr: this.err.dropped } };
  }

  /** bytes the marker search looked at, and the chunks' total: linear reading keeps the first within a marker's length per chunk of the second */
  work(): { scanned: number } {
    return { scanned: this.out.scanned + this.err.scanned };
  }
}
