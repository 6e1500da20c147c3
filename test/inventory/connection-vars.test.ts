import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadInventory, resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { Connection } from '../../src/inventory/types.js';
import { parseSshConfig } from '../../src/transport/openssh/config-read.js';
import { resolveSshConfig } from '../../src/transport/openssh/config-resolve.js';
import { formatIssue, UsageError } from '../../src/errors.js';
import { expectIssue, host, issues, issuesOf, oneIssue, resolve } from './helpers.js';
import { type EnvVars, useEnv } from '../support/env.js';

/** The environment variables resolve-connection falls back to: unset for each test, then restored. */
useEnv({ CNET_SSH_PASSWORD: undefined, CNET_BECOME_PASSWORD: undefined });

/** h1.example.com's connection, with `vars` (YAML flow-mapping body) as its host vars. */
function conn(vars: string, groupVars = ''): Connection {
  return host(
    resolve(`all:
  hosts:
    h1.example.com: { ${vars} }
  vars: { ${groupVars} }
`),
    'h1.example.com',
  ).connection;
}

/** The connection has no such field. */
const ABSENT = Symbol('absent');

/** One read: h1's host vars, its group vars, and the field's value (ABSENT: the connection has no such field). */
type Read = readonly [vars: string, groupVars: string, want: unknown];

/** One test per entry, named by its key: every read's `field` of `conn(vars, groupVars)` (toEqual), with `env` set for the test. */
function itReads(field: 'password' | 'commonArgs' | 'become', tests: Record<string, { env?: EnvVars; reads: readonly Read[] }>): void {
  for (const [name, { env = {}, reads }] of Object.entries(tests)) {
    it(name, () => {
      for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
      for (const [vars, groupVars, want] of reads) {
        const c = conn(vars, groupVars);
        if (want === ABSENT) expect(c).not.toHaveProperty(field);
        else expect(c[field]).toEqual(want);
      }
    });
  }
}

describe('ssh password', () => {
  itReads('password', {
    ansible_password: { reads: [['ansible_password: s3cret', '', 's3cret']] },
    'legacy ansible_ssh_pass': { reads: [['ansible_ssh_pass: old-s3cret', '', 'old-s3cret']] },
    "the legacy names win, as Ansible 2.14's ssh plugin (the last of its vars that is set): ansible_ssh_password > ansible_ssh_pass > ansible_password": {
      reads: [
        ['ansible_password: new, ansible_ssh_pass: old', '', 'old'],
        ['ansible_ssh_pass: old, ansible_password: new', '', 'old'],
        ['ansible_password: new, ansible_ssh_pass: old, ansible_ssh_password: oldest', '', 'oldest'],
        ['ansible_password: new, ansible_ssh_password: oldest', '', 'oldest'],
        // each name alone still counts
        ['ansible_ssh_password: alone', '', 'alone'],
      ],
    },
    'the legacy name on the group still beats the new name on the host (names are ranked before layers)': {
      reads: [['ansible_password: host-new', 'ansible_ssh_pass: group-old', 'group-old']],
    },
    'a quoted number-looking password is kept as written': { reads: [['ansible_password: "0123"', '', '0123']] },
    'CNET_SSH_PASSWORD when the inventory sets none': { env: { CNET_SSH_PASSWORD: 'from-env' }, reads: [['', '', 'from-env']] },
    'the inventory wins over CNET_SSH_PASSWORD': {
      env: { CNET_SSH_PASSWORD: 'from-env' },
      reads: [
        ['ansible_password: from-inv', '', 'from-inv'],
        ['ansible_ssh_pass: from-inv-legacy', '', 'from-inv-legacy'],
      ],
    },
    'absent when neither the inventory nor the environment sets one': { reads: [['', '', ABSENT]] },
    'CNET_BECOME_PASSWORD is not the ssh password': { env: { CNET_BECOME_PASSWORD: 'sudo-only' }, reads: [['', '', ABSENT]] },
  });
});

describe('ansible_ssh_common_args / ansible_ssh_extra_args', () => {
  itReads('commonArgs', {
    'common args alone': { reads: [['ansible_ssh_common_args: "-J bastion"', '', '-J bastion']] },
    'extra args alone': { reads: [['ansible_ssh_extra_args: "-o ConnectTimeout=5"', '', '-o ConnectTimeout=5']] },
    'both: common first, then extra, joined by a space': {
      reads: [
        [
          'ansible_ssh_common_args: "-J bastion -o StrictHostKeyChecking=no", ansible_ssh_extra_args: "-p 2222"',
          '',
          '-J bastion -o StrictHostKeyChecking=no -p 2222',
        ],
      ],
    },
    'from group vars, overridden per host like any variable': {
      reads: [
        ['', 'ansible_ssh_common_args: "-J group-bastion"', '-J group-bastion'],
        ['ansible_ssh_common_args: "-J host-bastion"', 'ansible_ssh_common_args: "-J group-bastion"', '-J host-bastion'],
      ],
    },
    'absent when unset or empty': {
      reads: [
        ['', '', ABSENT],
        ['ansible_ssh_common_args: "", ansible_ssh_extra_args: ""', '', ABSENT],
      ],
    },
  });

  it('an unterminated quote is an issue at the variable, when the inventory is loaded (it crashed with a stack trace when connecting), for the hosts that use it', () => {
    const all = issues(`all:
  hosts:
    h1.example.com:
      ansible_ssh_common_args: "-o ProxyCommand='ssh -W %h:%p bastion"
    h2.example.com:
  vars:
    ansible_ssh_extra_args: '-o "User=a'
`);
    expect(all.map(formatIssue)).toEqual([
      "inv.yaml:4:7 all.hosts.h1.example.com.ansible_ssh_common_args: the quote opened here is never closed: close it (character 17; Ansible splits the value into words with Python's shlex.split) (host h1.example.com)",
      "inv.yaml:7:5 all.vars.ansible_ssh_extra_args: the quote opened here is never closed: close it (character 4; Ansible splits the value into words with Python's shlex.split) (hosts h1.example.com, h2.example.com)",
    ]);
  });

  it('a bad value no host uses is not read (as Ansible reads a connection variable only for a host it connects to)', () => {
    expect(
      resolve(`all:
  vars:
    ansible_ssh_extra_args: '-o "User=a'
`).hosts,
    ).toEqual([]);
  });
});

describe('ansible_become', () => {
  it.each([
    ['true', true],
    ['"yes"', true],
    ['"True"', true],
    ['false', false],
    ['"no"', false],
  ])('ansible_become: %s → become %s', (value, on) => {
    const c = conn(`ansible_become: ${value}`);
    if (on) expect(c.become).toEqual({ user: 'root' });
    else expect(c).not.toHaveProperty('become');
  });

  itReads('become', {
    'absent without ansible_become': { reads: [['', '', ABSENT]] },
    'ansible_become_user (default root)': {
      reads: [
        ['ansible_become: true', '', { user: 'root' }],
        ['ansible_become: true, ansible_become_user: postgres', '', { user: 'postgres' }],
      ],
    },
    'ansible_become_user or a password alone do not turn become on': { reads: [['ansible_become_user: postgres, ansible_become_password: x', '', ABSENT]] },
    'ansible_become: false on the host beats true on the group': {
      reads: [
        ['ansible_become: false', 'ansible_become: true', ABSENT],
        ['', 'ansible_become: true', { user: 'root' }],
      ],
    },
    'ansible_become_password, and the legacy ansible_become_pass': {
      reads: [
        ['ansible_become: true, ansible_become_password: sudo-pw', '', { user: 'root', password: 'sudo-pw' }],
        ['ansible_become: true, ansible_become_pass: sudo-old', '', { user: 'root', password: 'sudo-old' }],
      ],
    },
  });

  it("the legacy names win, as Ansible 2.14's sudo plugin: ansible_sudo_pass > ansible_become_pass > ansible_become_password", () => {
    expect(conn('ansible_become: true, ansible_become_password: new, ansible_become_pass: old').become?.password).toBe('old');
    expect(conn('ansible_become: true, ansible_become_pass: old, ansible_become_password: new').become?.password).toBe('old');
    expect(conn('ansible_become: true, ansible_become_password: new, ansible_become_pass: old, ansible_sudo_pass: oldest').become?.password).toBe('oldest');
    expect(conn('ansible_become: true, ansible_sudo_pass: alone').become?.password).toBe('alone');
  });

  itReads('become', {
    'becoming variables are read only when ansible_become is true (as Ansible): a bad one on a host that does not become is no error': {
      reads: [
        ['ansible_become: false, ansible_become_password: "pw\\nid", ansible_become_method: su', '', ABSENT],
        ['ansible_become_password: "pw\\nid", ansible_become_method: su', '', ABSENT],
      ],
    },
  });

  it('CNET_BECOME_PASSWORD when the inventory sets none; the inventory wins', () => {
    vi.stubEnv('CNET_BECOME_PASSWORD', 'sudo-env');
    expect(conn('ansible_become: true, ansible_become_user: admin').become).toEqual({ user: 'admin', password: 'sudo-env' });
    expect(conn('ansible_become: true, ansible_become_pass: sudo-inv').become?.password).toBe('sudo-inv');
    expect(conn('')).not.toHaveProperty('become');
  });

  it.each([
    ['a newline', '"pw\\nid"', 'a newline'],
    ['a carriage return', '"pw\\rid"', 'a carriage return'],
    ['the newline a block scalar ends with', '|\n        pw', 'a newline'],
    ['a NUL', '"pw\\0"', 'a NUL'],
    ['an escape', '"pw\\e[0m"', 'the control character U+001B'],
  ])('a become password holding %s is refused at its position, never shown (sudo took the line, the rest ran as root)', (_what, yaml, named) => {
    for (const key of ['ansible_become_password', 'ansible_become_pass']) {
      const issue = oneIssue(`all:
  hosts:
    h1.example.com:
      ansible_become: true
      ${key}: ${yaml}
`);
      expectIssue(
        issue,
        5,
        7,
        `all.hosts.h1.example.com.${key}`,
        `the password holds ${named}: sudo would take the password up to a line end and run what follows as a command; remove it`,
      );
      expect(formatIssue(issue)).not.toMatch(/pw|id/);
    }
  });

  it('CNET_BECOME_PASSWORD holding a control character is refused, naming the variable, not the password', () => {
    vi.stubEnv('CNET_BECOME_PASSWORD', 'pw\nid -u');
    const err = (() => {
      try {
        conn('ansible_become: true');
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected an error');
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/^the environment variable CNET_BECOME_PASSWORD holds a newline: sudo would take the password up to a line end/);
    expect(err.message).not.toContain('id -u');
    // where the inventory gives the password, the environment's is not used, nor checked
    expect(conn('ansible_become: true, ansible_become_password: fine').become?.password).toBe('fine');
  });

  it('the ssh password may hold any character: ssh sends it as one length-prefixed string, no line is read', () => {
    expect(conn('ansible_password: "pw\\nid"').password).toBe('pw\nid');
  });

  it('the ssh password is not the become password', () => {
    vi.stubEnv('CNET_SSH_PASSWORD', 'ssh-only');
    const c = conn('ansible_become: true, ansible_password: ssh-inv');
    expect(c.become).toEqual({ user: 'root' });
    expect(c.password).toBe('ssh-inv');
  });

  it('ansible_become_method: sudo is accepted', () => {
    expect(conn('ansible_become: true, ansible_become_method: sudo').become).toEqual({ user: 'root' });
  });

  it.each(['su', 'doas', 'pbrun'])('ansible_become_method: %s is an error at its position, found when the host becomes', (method) => {
    const issue = oneIssue(`all:
  hosts:
    h1.example.com:
      ansible_become: true
      ansible_become_method: ${method}
`);
    expectIssue(issue, 5, 7, 'all.hosts.h1.example.com.ansible_become_method', 'only sudo is supported as ansible_become_method');
    expect(issue.message).toMatch(/ \(host h1\.example\.com\)$/);
  });

  it('ansible_become that is not a boolean is an error at its position, for the hosts that use it', () => {
    const issue = oneIssue(`all:
  hosts:
    a.example.com:
    b.example.com:
  vars:
    ansible_become: maybe
`);
    expectIssue(issue, 6, 5, 'all.vars.ansible_become', /^.+ \(hosts a\.example\.com, b\.example\.com\)$/);
  });
});

describe('hosts named by an ssh config alias (sshHostKnown)', () => {
  // `web+1` is a name ssh takes and its config can match, but not one a resolver could take:
  // only such names need the ssh config (a short name like `web1` is ssh's to resolve)
  const SSH = parseSshConfig(
    `Host web+1
  HostName 10.1.1.1
Host no+name
  User deploy
`,
    { file: 'test.config', homeDir: '/home/alice' },
  );
  const sshHostKnown = (alias: string) => resolveSshConfig(SSH, alias, { localUser: 'alice' }).hostName !== undefined;
  const TEXT = `all:
  hosts:
    web+1:
`;

  it('an alias the ssh config knows (it has a HostName) is accepted, its name is the address', () => {
    const inv = resolveInventory([parseSource('inv.yaml', TEXT)], [], { sshHostKnown });
    // the HostName itself is applied at connect time (resolveTarget), not here
    expect(host(inv, 'web+1').connection).toEqual({ address: 'web+1' });
  });

  it('sshHostKnown is asked with the inventory name, only for a name a resolver could not take', () => {
    const asked: string[] = [];
    const text = 'all:\n  hosts:\n    web+1:\n    web1:\n    10.0.0.1:\n    a.example.com:\n';
    resolveInventory([parseSource('inv.yaml', text)], [], {
      sshHostKnown: (a) => {
        asked.push(a);
        return true;
      },
    });
    expect(asked).toEqual(['web+1']);
  });

  it('an IP, DNS name, short name or ansible_host needs no ssh config entry (sshHostKnown is not needed)', () => {
    const inv = resolveInventory(
      [
        parseSource(
          'inv.yaml',
          'all:\n  hosts:\n    10.0.0.1:\n    a.example.com:\n    vm9: { ansible_host: 10.0.0.9 }\n    web1:\n    web_1:\n    "fe80::1":\n',
        ),
      ],
      [],
      { sshHostKnown: () => false },
    );
    expect(inv.hosts.map((h) => [h.name, h.connection.address])).toEqual([
      ['10.0.0.1', '10.0.0.1'],
      ['a.example.com', 'a.example.com'],
      ['fe80::1', 'fe80::1'],
      ['vm9', '10.0.0.9'],
      ['web1', 'web1'],
      ['web_1', 'web_1'],
    ]);
  });

  it('without sshHostKnown, or when the alias is not known, the host has no address', () => {
    for (const opts of [{}, { sshHostKnown }]) {
      const text = 'all:\n  hosts:\n    web+2:\n    no+name:\n';
      const all = issuesOf(() => resolveInventory([parseSource('inv.yaml', text)], [], opts));
      expect(all).toHaveLength(2);
      expectIssue(all[0], 3, 5, 'all.hosts.web+2', 'host "web+2" has no address: set ansible_host');
      // a Host block without a HostName does not make a name reachable
      expectIssue(all[1], 4, 5, 'all.hosts.no+name', 'host "no+name" has no address');
      expect(all[0]!.message).toBe('host "web+2" has no address: set ansible_host (its name is not one a resolver could take, nor a Host in the ssh config)');
    }
  });

  it('loadInventory passes it on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnet-conn-vars-'));
    roots.push(dir);
    const file = join(dir, 'inv.yaml');
    writeFileSync(file, TEXT);
    expect(host(loadInventory([file], { sshHostKnown }), 'web+1').connection.address).toBe('web+1');
    const all = issuesOf(() => loadInventory([file]));
    expectIssue(all[0], 3, 5, 'all.hosts.web+1', 'host "web+1" has no address', file);
  });
});

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
