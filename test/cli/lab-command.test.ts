import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextHint, onPath } from '../../src/cli/lab-command.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('lab up: the closing hint', () => {
  it('names the plain command when cnet-remote is on PATH', () => {
    expect(nextHint('/var/lib/cnet-lab/cnetlab/inventory.yaml', true)).toEqual(['next: cnet-remote up /var/lib/cnet-lab/cnetlab/inventory.yaml']);
  });

  it('otherwise says npx in the checkout, and npm link to put it on PATH', () => {
    expect(nextHint('/l/inventory.yaml', false, '/src/cnet')).toEqual([
      'next: npx cnet-remote up /l/inventory.yaml',
      '  (in /src/cnet: cnet-remote is not on PATH; `npm link` there puts it on PATH)',
    ]);
  });

  it('names this checkout by default, whose package.json gives the bin npx runs', () => {
    const [, where] = nextHint('inv.yaml', false);
    expect(where).toContain(`(in ${ROOT}:`);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
    expect(pkg.bin).toEqual({ 'cnet-remote': 'bin/cnet-remote.js' });
  });

  it("npx cnet-remote, as the hint says, runs this checkout's CLI (the build in dist/)", () => {
    const version = execFileSync('npx', ['--no-install', 'cnet-remote', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(version.trim()).toBe('0.1.0');
  });
});

describe('onPath', () => {
  it('finds an executable in one of the folders, not a plain file, not a missing one', () => {
    const a = mkdtempSync(join(tmpdir(), 'cnet-path-'));
    const b = mkdtempSync(join(tmpdir(), 'cnet-path-'));
    writeFileSync(join(a, 'plain'), '');
    writeFileSync(join(b, 'tool'), '#!/bin/sh\n');
    chmodSync(join(b, 'tool'), 0o755);
    const path = [a, b].join(delimiter);
    expect(onPath('tool', path)).toBe(true);
    expect(onPath('plain', path)).toBe(false);
    expect(onPath('missing', path)).toBe(false);
    expect(onPath('tool', '')).toBe(false);
  });
});
