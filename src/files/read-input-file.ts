import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { CnetError } from '../errors.js';
import { fileType, systemErrorCode, systemRefusal } from './file-refusal.js';

/**
 * Reading a file the user named (an inventory, a vars file, an ssh config, a key, known_hosts, a
 * --limit @file): only a regular file, and only up to a size that kind of file never reaches, so
 * that /dev/zero cannot eat the memory, a FIFO cannot hang the run, and opening a device (a
 * watchdog, a tape) has no side effect: the path is checked before it is opened, and the file
 * opened without blocking is checked again.
 */
export interface InputKind {
  /** what the file is, for messages: "inventory file" */
  what: string;
  maxBytes: number;
}

const MiB = 1024 * 1024;

export const INPUT_KINDS = {
  /** 100k hosts with a few variables each take about 6 MB */
  inventory: { what: 'inventory file', maxBytes: 64 * MiB },
  vars: { what: 'group_vars/host_vars file', maxBytes: 64 * MiB },
  sshConfig: { what: 'ssh config file', maxBytes: 16 * MiB },
  /** OpenSSH's own limit for a key file (sshkey.c MAX_KEY_FILE_SIZE) */
  privateKey: { what: 'private key file', maxBytes: 1 * MiB },
  knownHosts: { what: 'known_hosts file', maxBytes: 64 * MiB },
  limit: { what: '--limit @file', maxBytes: 16 * MiB },
  vagrantSshConfig: { what: 'vagrant ssh-config file', maxBytes: 16 * MiB },
  ansibleCfg: { what: 'ansible.cfg file', maxBytes: 16 * MiB },
  /** a run's --json output: about 4 kB a host (measured: 1000 hosts' clean up printed 3.7 MB) */
  result: { what: 'result file', maxBytes: 256 * MiB },
} as const satisfies Record<string, InputKind>;

/**
 * A file that cannot be read as the kind of input it should be. `problem` says what is wrong and
 * what to do, without the path (for callers that name the file their own way).
 */
export class InputFileError extends CnetError {
  constructor(
    readonly path: string,
    kind: InputKind,
    readonly problem: string,
    /** the system's error code (ENOENT, EACCES, …), when the system refused */
    readonly code?: string,
  ) {
    super(`cannot read ${kind.what} ${path}: ${problem}`);
  }
}

function sizeText(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`;
}

function notRegular(path: string, kind: InputKind, st: Stats): InputFileError {
  return new InputFileError(path, kind, `is ${fileType(st)}, not a regular file: give the path of a regular file (save a pipe's output to a file first)`);
}

function tooBig(path: string, kind: InputKind, size: string): InputFileError {
  return new InputFileError(path, kind, `is ${size}, over the ${sizeText(kind.maxBytes)} a ${kind.what} may be: is this the right file?`);
}

function systemError(path: string, kind: InputKind, err: unknown): InputFileError {
  return new InputFileError(path, kind, systemRefusal(err, 'reason') ?? (err as Error).message, systemErrorCode(err));
}

/** /dev/null (under any name): read as an empty file, as every tool does (`UserKnownHostsFile /dev/null`). */
function isDevNull(st: Stats): boolean {
  if (!st.isCharacterDevice()) return false;
  const devNull = statSync('/dev/null', { throwIfNoEntry: false });
  return devNull?.isCharacterDevice() === true && devNull.rdev === st.rdev;
}

/** The bytes of a regular file of at most `kind.maxBytes` (or of /dev/null: none); an InputFileError otherwise. */
export function readInputFile(path: string, kind: InputKind): Buffer {
  let fd: number;
  try {
    const st = statSync(path);
    if (isDevNull(st)) return Buffer.alloc(0);
    if (!st.isFile()) throw notRegular(path, kind, st);
    if (st.size > kind.maxBytes) throw tooBig(path, kind, sizeText(st.size));
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw err instanceof InputFileError ? err : systemError(path, kind, err);
  }
  try {
    // the path may have been replaced between stat and open
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(path, kind, st);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(st.size - total + 1, 64 * 1024), kind.maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      // a file that grew while read (or a /proc file, whose size says 0)
      if (total > kind.maxBytes) throw tooBig(path, kind, `more than ${sizeText(kind.maxBytes)}`);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    throw err instanceof InputFileError ? err : systemError(path, kind, err);
  } finally {
    closeSync(fd);
  }
}

/** The file's text (UTF-8), read as readInputFile does. */
export function readInputText(path: string, kind: InputKind): string {
  return readInputFile(path, kind).toString('utf8');
}
