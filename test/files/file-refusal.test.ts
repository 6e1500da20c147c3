import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileType, systemErrorCode, systemRefusal } from '../../src/files/file-refusal.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-file-refusal-'));
  writeFileSync(join(dir, 'file'), 'x');
  mkdirSync(join(dir, 'folder'));
  symlinkSync(join(dir, 'loop'), join(dir, 'loop'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error the system gives for reading `path`. */
function refusalOf(path: string): unknown {
  try {
    readFileSync(path);
  } catch (err) {
    return err;
  }
  throw new Error(`${path} was read`);
}

describe('systemRefusal', () => {
  it('words the real refusals both ways, keeping the code', () => {
    const missing = refusalOf(join(dir, 'missing'));
    expect(systemErrorCode(missing)).toBe('ENOENT');
    expect(systemRefusal(missing, 'reason')).toBe('no such file');
    expect(systemRefusal(missing, 'ofTheFile')).toBe('was not found: check the path');
    const throughFile = refusalOf(join(dir, 'file', 'below'));
    expect(systemRefusal(throughFile, 'reason')).toBe('a part of the path is not a folder: check the path');
    expect(systemRefusal(throughFile, 'ofTheFile')).toBe('was not found: a part of the path is not a folder');
    const loop = refusalOf(join(dir, 'loop'));
    expect(systemRefusal(loop, 'reason')).toBe('too many symbolic links: check the path');
    expect(systemRefusal(loop, 'ofTheFile')).toBe('was not found: too many symbolic links');
  });

  it('leaves an error it does not word (a folder read: EISDIR) and one without a code to the caller', () => {
    const folder = refusalOf(join(dir, 'folder'));
    expect(systemErrorCode(folder)).toBe('EISDIR');
    expect(systemRefusal(folder, 'reason')).toBeUndefined();
    expect(systemRefusal(new Error('odd'), 'ofTheFile')).toBeUndefined();
    expect(systemErrorCode(new Error('odd'))).toBeUndefined();
  });
});

describe('fileType', () => {
  it('names what stands at a path', () => {
    expect(fileType(statSync(join(dir, 'folder')))).toBe('a directory');
    expect(fileType(statSync('/dev/null'))).toBe('a character device');
    expect(fileType(statSync(join(dir, 'file')))).toBe('not a regular file');
  });
});
