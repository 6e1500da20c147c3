import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { captureMain } from '../cli/run-main.js';
import { CNET_DESCRIPTIONS, inventoryJsonSchema } from '../../src/inventory/json-schema.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { loadSource, parseSource } from '../../src/inventory/source.js';
import { InventoryError } from '../../src/errors.js';

const ROOT = join(import.meta.dirname, '..', '..');
const validate = new Ajv({ strict: true, allErrors: true }).compile(inventoryJsonSchema());

/** the data as the loader reads the YAML (YAML 1.1, Ansible's tags), as plain JSON */
const dataOf = (file: string) => JSON.parse(JSON.stringify(loadSource(file).data ?? null)) as unknown;
const errorsOf = (data: unknown): ErrorObject[] => (validate(data) ? [] : (validate.errors ?? []));
const yamlIn = (dir: string, ext = /\.ya?ml$/) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => ext.test(f))
    .map((f) => join(dir, f));

/** whether cnet-remote's loader takes the file alone without an issue (what "meant to be valid" means) */
function loaderAccepts(file: string): boolean {
  try {
    resolveInventory([loadSource(join(ROOT, file))]);
    return true;
  } catch (err) {
    if (err instanceof InventoryError) return false;
    throw err;
  }
}

const REPO_INVENTORIES = yamlIn('inventories');
const FIXTURES = [...yamlIn('test/fixtures/inventory'), ...yamlIn('test/fixtures/graph'), ...yamlIn('test/fixtures/inventory-corpus')];

describe('inventory JSON Schema', () => {
  it('is printed by `inventory schema`, draft-07, and compiles under Ajv strict mode', async () => {
    const r = await captureMain(['inventory', 'schema']);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(printed).toEqual(inventoryJsonSchema());
    expect(printed.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it.each(REPO_INVENTORIES)('accepts %s', (file) => {
    expect(errorsOf(dataOf(join(ROOT, file)))).toEqual([]);
  });

  it('accepts every YAML inventory fixture the loader accepts', () => {
    const valid = FIXTURES.filter(loaderAccepts);
    // the corpus's public inventories, the loader's and the graph's fixtures
    expect(valid.length).toBeGreaterThanOrEqual(40);
    const rejected = valid.map((f) => ({ f, errors: errorsOf(dataOf(join(ROOT, f))) })).filter((r) => r.errors.length);
    expect(rejected).toEqual([]);
  });

  /** [what, where the schema points, the YAML (lines), and whether the loader only warns] */
  const cases: [string, string, string[], 'warns'?][] = [
    ['an unknown key under cnet', '/all/vars/cnet', ['all:', '  vars:', '    cnet:', '      bridge: {}']],
    [
      'an unknown key of a bridge',
      '/all/vars/cnet/bridges/br0',
      ['all:', '  vars:', '    cnet:', '      bridges:', '        br0: { subnet: 10.0.0.0/24, gateway: 10.0.0.1 }'],
    ],
    [
      'an unknown key of a namespace, on a host',
      '/all/hosts/h1/cnet/namespaces/c1',
      ['all:', '  hosts:', '    h1:', '      cnet:', '        namespaces:', '          c1: { bridge: br0, veth: x }'],
    ],
    ['an unknown fabric mode', '/all/vars/cnet/fabric/mode', ['all:', '  vars:', '    cnet:', '      fabric: { mode: overlay }']],
    ['nat that is not a boolean', '/g/vars/cnet/bridges/br0/nat', ['g:', '  vars:', '    cnet:', '      bridges:', '        br0: { nat: maybe }']],
    ['an unknown cnet_ variable (a typo)', '/all/vars/cnet_probe_targt', ['all:', '  vars:', '    cnet_probe_targt: 1.1.1.1']],
    ['a group key other than hosts/vars/children', '/all', ['all:', '  host:', '    h1: {}'], 'warns'],
    ['a child group that is not a mapping', '/all/children/web', ['all:', '  children:', '    web: [h1]'], 'warns'],
  ];
  // what Ansible skips with a warning (and the loader too) is flagged in the editor
  it.each(cases)('rejects %s (the loader: refuses, or warns as Ansible does)', (_what, at, lines, loader) => {
    const yaml = `${lines.join('\n')}\n`;
    expect(errorsOf(parseSource('case.yaml', yaml).data).map((e) => e.instancePath)).toContain(at);
    const load = () => resolveInventory([parseSource('case.yaml', yaml)]);
    if (loader === 'warns') expect(load().warnings?.length).toBeGreaterThan(0);
    else expect(load).toThrow(InventoryError);
  });

  it('accepts what Ansible allows: any variable, null groups and hosts, hosts as a string, the known cnet_ variables', () => {
    const yaml = [
      'all:',
      '  vars: { ntp: pool.ntp.org, cnet_probe_target: 192.0.2.1, cnet_host_key_checking: accept-new }',
      '  hosts:',
      '    h1:',
      '    h2: { ansible_port: 2222, cnet_fabric_subnet: 10.9.1.0/24, cnet: { namespaces: { c1: } } }',
      '  children:',
      '    web:',
      '      hosts: h3',
      '    db:',
      'other: ~',
    ].join('\n');
    expect(errorsOf(parseSource('ok.yaml', yaml).data)).toEqual([]);
  });

  it('describes every field of cnet', () => {
    const text = JSON.stringify(inventoryJsonSchema());
    for (const d of Object.values(CNET_DESCRIPTIONS)) expect(text).toContain(JSON.stringify(d));
    const cnet = (inventoryJsonSchema().definitions as { vars: { properties: { cnet: unknown } } }).vars.properties.cnet;
    const undescribed: string[] = [];
    const walk = (s: Record<string, unknown>, path: string, named: boolean) => {
      if (named && typeof s.description !== 'string') undescribed.push(path);
      const branch = ((s.anyOf as Record<string, unknown>[] | undefined)?.find((b) => b.type === 'object') ?? s) as Record<string, unknown>;
      for (const [k, sub] of Object.entries((branch.properties ?? {}) as Record<string, Record<string, unknown>>)) walk(sub, `${path}.${k}`, true);
      if (typeof branch.additionalProperties === 'object') walk(branch.additionalProperties as Record<string, unknown>, `${path}.*`, true);
    };
    walk(cnet as Record<string, unknown>, 'cnet', true);
    expect(undescribed).toEqual([]);
  });
});
