import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain as run } from '../cli/run-main.js';
import { SEED_PART2 } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cnet-graph-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `count` hosts web1, web2, … and one host `db` with a bridge of its own. */
function fleetFile(count: number): string {
  const file = join(dir, `fleet-${count}.yaml`);
  const hosts = Array.from({ length: count }, (_, i) => `        web${i + 1}: { ansible_host: 10.0.0.${i + 1} }`);
  writeFileSync(
    file,
    [
      'all:',
      '  children:',
      '    web:',
      '      hosts:',
      ...hosts,
      '    other:',
      '      hosts:',
      '        db: { ansible_host: 10.0.1.1 }',
      '      vars:',
      '        cnet: { bridges: { brdb: { subnet: 10.77.0.0/24 } }, namespaces: {} }',
      '',
    ].join('\n'),
  );
  return file;
}

describe('cnet-remote graph', () => {
  it('draws the hosts of one topology once, listing them; a host unlike them on its own (in host order)', async () => {
    const r = await run('graph', fleetFile(12), SEED_PART2, '--format', 'mermaid');
    expect(r.code, r.stderr).toBe(0);
    const subgraphs = r.stdout.split('\n').filter((l) => l.startsWith('  subgraph '));
    expect(subgraphs).toEqual(['  subgraph h0["db (10.0.1.1)"]', '  subgraph h1["web1–web12 (12 hosts)"]']);
  });

  it('one host: as before, its name and address', async () => {
    const r = await run('graph', fleetFile(1), SEED_PART2, '--format', 'dot', '--limit', 'web1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('  subgraph cluster_h0 {\n    label="web1 (10.0.0.1)";');
  });
});
