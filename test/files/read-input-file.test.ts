import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_KINDS, InputFileError, readInputFile, readInputText } from '../../src/files/read-input-file.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-read-input-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const small = { what: 'test file', maxBytes: 10 };

/** The InputFileError `fn` throws. */
function refusal(fn: () => unknown): InputFileError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputFileError);
    return err as InputFileError;
  }
  throw new Error('expected an InputFileError');
}

describe('readInputFile', () => {
  it('reads a regular file, also one at the size limit, and through a symbolic link', () => {
    const f = join(dir, 'ten');
    writeFileSync(f, '0123456789');
    expect(readInputText(f, small)).toBe('0123456789');
    symlinkSync(f, join(dir, 'link'));
    expect(readInputFile(join(dir, 'link'), small).length).toBe(10);
  });

  it('reads a file whose size says 0 (procfs) to its end', () => {
    expect(readInputText('/proc/self/status', INPUT_KINDS.inventory)).toMatch(/^Name:/);
  });

  it('refuses a FIFO at once, without waiting for a writer', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const e = refusal(() => readInputFile(fifo, INPUT_KINDS.inventory));
    expect(e.message).toBe(
      `cannot read inventory file ${fifo}: is a FIFO (named pipe), not a regular file: give the path of a regular file (save a pipe's output to a file first)`,
    );
  });

  it('refuses a FIFO behind a symbolic link', () => {
    const fifo = join(dir, 'fifo2');
    execFileSync('mkfifo', [fifo]);
    symlinkSync(fifo, join(dir, 'fifo-link'));
    expect(refusal(() => readInputFile(join(dir, 'fifo-link'), INPUT_KINDS.knownHosts)).problem).toMatch(/^is a FIFO/);
  });

  it('refuses devices, directories and sockets, naming what they are', () => {
    expect(refusal(() => readInputFile('/dev/zero', INPUT_KINDS.privateKey)).problem).toMatch(/^is a character device, not a regular file: /);
    expect(refusal(() => readInputFile(dir, INPUT_KINDS.sshConfig)).problem).toMatch(/^is a directory, not a regular file/);
  });

  it('/dev/null is an empty file, also behind a symbolic link (UserKnownHostsFile /dev/null)', () => {
    expect(readInputFile('/dev/null', INPUT_KINDS.knownHosts).length).toBe(0);
    symlinkSync('/dev/null', join(dir, 'null-link'));
    expect(readInputText(join(dir, 'null-link'), INPUT_KINDS.knownHosts)).toBe('');
  });

  it('refuses a file over the limit, saying both sizes', () => {
    const f = join(dir, 'eleven');
    writeFileSync(f, '0123456789a');
    expect(refusal(() => readInputFile(f, small)).message).toBe(
      `cannot read test file ${f}: is 11 bytes, over the 10 bytes a test file may be: is this the right file?`,
    );
  });

  it('a missing file: the code, for callers to whom missing means empty', () => {
    const e = refusal(() => readInputFile(join(dir, 'nope'), INPUT_KINDS.limit));
    expect(e.code).toBe('ENOENT');
    expect(e.message).toBe(`cannot read --limit @file ${join(dir, 'nope')}: no such file`);
  });
});
