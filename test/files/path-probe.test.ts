import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canExecute, canRead, isDirectory, pathExists } from '../../src/files/path-probe.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-path-probe-'));
  mkdirSync(join(dir, 'folder'));
  writeFileSync(join(dir, 'file'), 'x');
  writeFileSync(join(dir, 'script'), '#!/bin/sh\n');
  chmodSync(join(dir, 'script'), 0o755);
  symlinkSync(join(dir, 'folder'), join(dir, 'to-folder'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
  symlinkSync(join(dir, 'loop'), join(dir, 'loop'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('path probes', () => {
  it('pathExists: files, folders, links followed; false for missing, dangling, looping and through a file', () => {
    for (const p of ['file', 'folder', 'to-folder']) expect(pathExists(join(dir, p)), p).toBe(true);
    for (const p of ['missing', 'dangling', 'loop', 'file/below']) expect(pathExists(join(dir, p)), p).toBe(false);
  });

  it('isDirectory: a folder or a link to one', () => {
    expect(isDirectory(join(dir, 'folder'))).toBe(true);
    expect(isDirectory(join(dir, 'to-folder'))).toBe(true);
    expect(isDirectory(join(dir, 'file'))).toBe(false);
    expect(isDirectory(join(dir, 'missing'))).toBe(false);
  });

  it('canRead and canExecute: os.access', () => {
    expect(canRead(join(dir, 'file'))).toBe(true);
    expect(canRead(join(dir, 'missing'))).toBe(false);
    expect(canExecute(join(dir, 'script'))).toBe(true);
    expect(canExecute(join(dir, 'file'))).toBe(false);
  });
});
