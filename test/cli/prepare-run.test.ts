import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-code.js';
import { runMain as run } from './run-main.js';

const dir = mkdtempSync(join(tmpdir(), 'cnet-prepare-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('a run on no host is an error, not a success (it exited 0 with "0 hosts")', () => {
  it('an inventory without hosts', async () => {
    const empty = file('empty.yaml', 'all:\n  vars:\n    ansible_user: root\n');
    for (const command of ['plan', 'up', 'verify', 'down']) {
      const r = await run(command, empty);
      expect(r.code, command).toBe(EXIT.usage);
      expect(r.stderr, command).toBe(`error: no hosts: ${empty} has no host; list hosts under a group's "hosts:" (nothing was done)`);
      expect(r.stdout, command).toBe('');
    }
  });

  it('several files, none with a host; and an empty file', async () => {
    const a = file('a.yaml', 'web: {}\n');
    const b = file('b.yaml', '');
    expect((await run('plan', a, b)).stderr).toBe(`error: no hosts: ${a}, ${b} have no host; list hosts under a group's "hosts:" (nothing was done)`);
  });

  it('a --limit that leaves no host', async () => {
    const inv = file('two.yaml', 'web:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\ndb:\n  hosts:\n    vm2: { ansible_host: 192.0.2.2 }\n');
    const r = await run('plan', inv, '--limit', 'web:&db');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe(`error: no hosts: --limit "web:&db" selects none of the 2 hosts of ${inv}; check the pattern (nothing was done)`);
  });
});

describe('an inventory with no cnet network is an error for up, plan and verify (they planned nothing, silently)', () => {
  const hosts = 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n    vm2: { ansible_host: 192.0.2.2 }\n';
  const message = (files: string, verb: string, names: string, them: string) =>
    `error: no network: ${files} ${verb} no cnet network (no bridge, namespace or fabric) for ${names}: add it as all.vars.cnet, or pass a topology file after the inventory (e.g. inventories/seed-part2.yaml); to remove what cnet-remote made on ${them}, run down (nothing was done)`;

  it('names the files and the hosts, says what to add, and exits as a usage error, before any connection', async () => {
    const inv = file('no-net.yaml', hosts);
    for (const command of ['up', 'plan', 'verify']) {
      const r = await run(command, inv);
      expect(r.code, command).toBe(EXIT.usage);
      expect(r.stderr, command).toBe(message(inv, 'defines', 'vm1, vm2', 'them'));
      expect(r.stdout, command).toBe('');
    }
    const extra = file('vars-only.yaml', 'all:\n  vars:\n    ansible_user: root\n');
    expect((await run('plan', inv, extra, '--limit', 'vm2')).stderr).toBe(message(`${inv}, ${extra}`, 'define', 'vm2', 'it'));
  });

  it('names four hosts of many, and the count of the others', async () => {
    const many = file('many.yaml', 'all:\n  hosts:\n    web[1:9]: { ansible_host: 192.0.2.1 }\n');
    expect((await run('plan', many)).stderr).toBe(message(many, 'defines', 'web1, web2, web3, web4 and 5 more hosts', 'them'));
  });

  it('is no error for down, nor when one host of those selected has a network', async () => {
    const inv = file('no-net-down.yaml', hosts);
    // they go on to connect (to a documentation address, where they fail: unreachable)
    const down = await run('down', inv, '--timeout', '1', '--json');
    expect(down.code).toBe(EXIT.unreachable);
    expect(down.stderr).not.toMatch(/no network/);
    const one = file('one-net.yaml', 'all:\n  hosts:\n    vm2:\n      cnet: { bridges: { br9: { subnet: 172.30.0.0/24 } } }\n');
    const plan = await run('plan', inv, one, '--timeout', '1', '--json');
    expect(plan.code).toBe(EXIT.unreachable);
    expect(plan.stderr).not.toMatch(/no network/);
  });
});
