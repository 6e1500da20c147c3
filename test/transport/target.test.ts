import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { Connection, ResolvedHost } from '../../src/inventory/types.js';
import { TransportError } from '../../src/errors.js';
import { KeyStore } from '../../src/transport/keys.js';
import { parseSshConfig } from '../../src/transport/openssh/config-read.js';
import type { SshConfigFile } from '../../src/transport/openssh/config-types.js';
import { SshConnector } from '../../src/transport/ssh.js';
import { MAX_NESTING } from '../../src/transport/openssh/jump-chain.js';
import { resolveTarget, type Target } from '../../src/transport/target.js';
import { useEnv } from '../support/env.js';

const LOCAL = userInfo().username;
/** ssh's UserKnownHostsFile and GlobalKnownHostsFile defaults (OpenSSH 9.2 readconf.c) */
const DEFAULT_KNOWN_HOSTS = [join(homedir(), '.ssh', 'known_hosts'), join(homedir(), '.ssh', 'known_hosts2')];
const GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
/** ssh's IdentityFile list when none is configured, as ssh -G prints it (the ones that exist are offered) */
const DEFAULT_KEYS = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((k) => join(homedir(), '.ssh', k));
/** what a hop holds that these tests do not set: no certificates, no HostKeyAlias, CheckHostIP no */
const HOP_DEFAULTS = { certificateFiles: [], checkHostIp: false };

let HOME: string;
/** a private key file that exists (its content does not matter to resolveTarget) */
let INV_KEY: string;
beforeAll(() => {
  HOME = mkdtempSync(join(tmpdir(), 'cnet-target-'));
  mkdirSync(join(HOME, '.ssh'));
  INV_KEY = join(HOME, 'inventory_key');
  writeFileSync(INV_KEY, 'not a real key\n', { mode: 0o600 });
});
afterAll(() => {
  rmSync(HOME, { recursive: true, force: true });
});

/** The environment variables resolve-connection falls back to: unset for each test, then restored. */
useEnv({ CNET_SSH_PASSWORD: undefined, CNET_BECOME_PASSWORD: undefined });

function hostWith(connection: Connection): ResolvedHost {
  return { name: connection.address, groups: ['all', 'ungrouped'], connection, network: { bridges: [], namespaces: [] } };
}

function sshConfig(text: string): SshConfigFile {
  return parseSshConfig(text, { file: 'test.config', homeDir: HOME });
}

function target(connection: Connection, configText?: string): Target {
  return resolveTarget(hostWith(connection), configText === undefined ? undefined : sshConfig(configText));
}

const home = (...p: string[]) => join(HOME, ...p);

describe('defaults (no ssh config)', () => {
  it("an inventory that sets nothing: port 22, the local user, ssh's defaults (ask, known_hosts and known_hosts2, its 7 key files), Ansible's ConnectTimeout 10", () => {
    const inv = resolveInventory([parseSource('inv.yaml', 'all:\n  hosts:\n    h1.example.com:\n')]);
    const t = resolveTarget(inv.hosts[0]!, undefined);
    expect(t).toEqual({
      label: `${LOCAL}@h1.example.com`,
      address: 'h1.example.com',
      port: 22,
      user: LOCAL,
      identityFiles: DEFAULT_KEYS,
      identitiesOnly: false,
      ...HOP_DEFAULTS,
      hostKeyChecking: 'ask',
      knownHostsFiles: DEFAULT_KNOWN_HOSTS,
      globalKnownHostsFiles: GLOBAL_KNOWN_HOSTS,
      jumps: [],
      connectTimeoutMs: 10_000,
      notes: [],
    });
  });

  it('an empty ssh config gives the same', () => {
    const t = target({ address: 'h1.example.com' }, '');
    expect(t).toMatchObject({
      address: 'h1.example.com',
      port: 22,
      user: LOCAL,
      hostKeyChecking: 'ask',
      knownHostsFiles: DEFAULT_KNOWN_HOSTS,
      jumps: [],
      notes: [],
    });
    expect(t.identityFiles).toEqual(DEFAULT_KEYS);
  });

  it("the inventory's settings, without a config", () => {
    const t = target({ address: '10.0.0.7', port: 2222, user: 'admin', privateKeyFile: INV_KEY, hostKeyChecking: 'strict', knownHostsFile: '/srv/kh' });
    expect(t).toMatchObject({
      label: 'admin@10.0.0.7:2222',
      address: '10.0.0.7',
      port: 2222,
      user: 'admin',
      identityFiles: [INV_KEY],
      hostKeyChecking: 'strict',
      knownHostsFiles: ['/srv/kh'],
    });
  });
});

describe('the ssh config, under the inventory', () => {
  const CONFIG = `Host web
  HostName WEB.Example.COM
  User cfguser
  Port 2200
  IdentityFile ~/.ssh/web_key
  IdentitiesOnly yes
  StrictHostKeyChecking yes
  UserKnownHostsFile ~/.ssh/kh_web /etc/ssh/kh_shared
Host *
  IdentityFile ~/.ssh/all_key
  ConnectTimeout 7
`;

  it('used when the inventory is silent: HostName (lowercased), User, Port, IdentityFiles in order, IdentitiesOnly, StrictHostKeyChecking, UserKnownHostsFile', () => {
    const t = target({ address: 'web' }, CONFIG);
    expect(t).toEqual({
      label: 'cfguser@web.example.com:2200',
      address: 'web.example.com',
      port: 2200,
      user: 'cfguser',
      identityFiles: [home('.ssh/web_key'), home('.ssh/all_key')],
      identitiesOnly: true,
      ...HOP_DEFAULTS,
      hostKeyChecking: 'strict',
      knownHostsFiles: [home('.ssh/kh_web'), '/etc/ssh/kh_shared'],
      globalKnownHostsFiles: GLOBAL_KNOWN_HOSTS,
      jumps: [],
      // Ansible's -o ConnectTimeout=10 comes before the config, and wins over its ConnectTimeout 7
      connectTimeoutMs: 10_000,
      notes: [],
    });
  });

  it('inventory variables win: port, user, key (first), host key mode, known_hosts file', () => {
    const t = target({ address: 'web', port: 2222, user: 'invuser', privateKeyFile: INV_KEY, hostKeyChecking: 'off', knownHostsFile: '/srv/inv_kh' }, CONFIG);
    expect(t).toMatchObject({
      label: 'invuser@web.example.com:2222',
      address: 'web.example.com',
      port: 2222,
      user: 'invuser',
      identityFiles: [INV_KEY, home('.ssh/web_key'), home('.ssh/all_key')],
      identitiesOnly: true,
      hostKeyChecking: 'off',
      knownHostsFiles: ['/srv/inv_kh'],
    });
  });

  it('a key named both by the inventory and the config is offered once, first', () => {
    const t = target({ address: 'web', privateKeyFile: home('.ssh/all_key') }, CONFIG);
    expect(t.identityFiles).toEqual([home('.ssh/all_key'), home('.ssh/web_key')]);
  });

  it('the inventory user is the user the config is evaluated with (Match user, %r)', () => {
    const config = `Match user deploy
  Port 2022
Host *
  IdentityFile ~/.ssh/%r_key
`;
    expect(target({ address: 'box.example.com', user: 'deploy' }, config)).toMatchObject({
      port: 2022,
      user: 'deploy',
      identityFiles: [home('.ssh/deploy_key')],
    });
    expect(target({ address: 'box.example.com', user: 'other' }, config)).toMatchObject({ port: 22, user: 'other', identityFiles: [home('.ssh/other_key')] });
  });

  it('with ansible_host set, the config is looked up under that address (as Ansible gives it to ssh)', () => {
    const t = target({ address: '10.0.0.5' }, CONFIG);
    expect(t).toMatchObject({ address: '10.0.0.5', port: 22, user: LOCAL, identityFiles: [home('.ssh/all_key')] });
  });

  it.each([
    ['yes', 'strict'],
    ['ask', 'ask'],
    ['accept-new', 'accept-new'],
    ['no', 'off'],
    ['off', 'off'],
  ] as const)('StrictHostKeyChecking %s → %s', (value, mode) => {
    expect(target({ address: 'box.example.com' }, `StrictHostKeyChecking ${value}\n`).hostKeyChecking).toBe(mode);
    // the inventory's mode still wins
    expect(target({ address: 'box.example.com', hostKeyChecking: 'accept-new' }, `StrictHostKeyChecking ${value}\n`).hostKeyChecking).toBe('accept-new');
  });

  it('IdentitiesOnly no, and absent → false', () => {
    expect(target({ address: 'box.example.com' }, 'IdentitiesOnly no\n').identitiesOnly).toBe(false);
    expect(target({ address: 'box.example.com' }, 'Port 22\n').identitiesOnly).toBe(false);
  });

  it("a config that names no key: ssh's default key files", () => {
    expect(target({ address: 'box.example.com' }, 'User someone\n').identityFiles).toEqual(DEFAULT_KEYS);
  });

  it('from an inventory through to the target (relative key path from the working directory, user, port)', () => {
    // the inventory is elsewhere: a relative key file is taken from the working directory, as Ansible hands it to ssh
    const inv = resolveInventory(
      [
        parseSource(
          join(HOME, 'inventories', 'inv.yaml'),
          `all:
  hosts:
    web:
      ansible_user: invuser
      ansible_ssh_private_key_file: inventory_key
`,
        ),
      ],
      [],
      { cwd: HOME },
    );
    const t = resolveTarget(inv.hosts[0]!, sshConfig(CONFIG));
    expect(t).toMatchObject({ address: 'web.example.com', port: 2200, user: 'invuser', identityFiles: [INV_KEY, home('.ssh/web_key'), home('.ssh/all_key')] });
  });
});

describe('ansible_ssh_common_args', () => {
  it('-p, -l, -i and -o options apply when the inventory variables are silent', () => {
    const t = target(
      {
        address: 'box.example.com',
        commonArgs: '-p 2022 -l argsuser -i /keys/args_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/srv/args_kh -o ConnectTimeout=3',
      },
      `Host box.example.com
  Port 2200
  User cfguser
  IdentityFile ~/.ssh/cfg_key
  StrictHostKeyChecking yes
  UserKnownHostsFile ~/.ssh/cfg_kh
  ConnectTimeout 30
`,
    );
    expect(t).toMatchObject({
      port: 2022,
      user: 'argsuser',
      identityFiles: ['/keys/args_key', home('.ssh/cfg_key')],
      hostKeyChecking: 'off',
      knownHostsFiles: ['/srv/args_kh'],
      connectTimeoutMs: 3000,
      notes: [],
    });
  });

  it('the inventory variables win over the common args; the inventory key comes first', () => {
    const t = target({
      address: 'box.example.com',
      port: 2222,
      user: 'invuser',
      privateKeyFile: INV_KEY,
      hostKeyChecking: 'strict',
      knownHostsFile: '/srv/inv_kh',
      commonArgs: '-p 2022 -l argsuser -i /keys/args_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/srv/args_kh',
    });
    expect(t).toMatchObject({
      port: 2222,
      user: 'invuser',
      identityFiles: [INV_KEY, '/keys/args_key'],
      hostKeyChecking: 'strict',
      knownHostsFiles: ['/srv/inv_kh'],
    });
  });

  it('the user given by -l is the user the config is evaluated with', () => {
    const t = target({ address: 'box.example.com', commonArgs: '-o User=deploy' }, 'Match user deploy\n  Port 2022\n');
    expect(t).toMatchObject({ user: 'deploy', port: 2022 });
  });

  it('unsupported arguments become notes, the rest still applies', () => {
    const t = target({ address: 'box.example.com', commonArgs: '-A -o ForwardX11=yes -o ControlPersist=60s -p 2022' });
    expect(t.port).toBe(2022);
    expect(t.notes).toEqual([
      'ansible_ssh_common_args: -A is not supported and was ignored',
      'ansible_ssh_common_args: -o ForwardX11=yes is not supported and was ignored',
    ]);
  });

  it("common-args notes come before the ssh config's", () => {
    const t = target({ address: 'box.example.com', commonArgs: '-A' }, 'Match exec "test -e /nowhere"\n  Port 1\n');
    expect(t.notes).toHaveLength(2);
    expect(t.notes[0]).toBe('ansible_ssh_common_args: -A is not supported and was ignored');
    expect(t.notes[1]).toContain('Match exec test -e /nowhere');
  });
});

describe('ProxyJump', () => {
  const CONFIG = `Host target
  HostName 10.0.0.9
  ProxyJump jump1,admin@jump2:2222
Host jump1
  HostName J1.example.com
  User juser
  Port 2201
  IdentityFile ~/.ssh/j1_key
  IdentitiesOnly yes
  ProxyJump none
Host jump2
  HostName j2.example.com
  User cfg2
  Port 2202
  ProxyJump none
Host jump3
  HostName j3.example.com
  User j3user
  ProxyJump none
Host inner
  HostName 10.0.0.10
  ProxyJump none
Host *
  ProxyJump jump3
`;

  it('from the ssh config, multi-hop, in visiting order, each resolved under its own name', () => {
    const t = target({ address: 'target', privateKeyFile: INV_KEY }, CONFIG);
    expect(t.address).toBe('10.0.0.9');
    expect(t.refusal).toBeUndefined();
    expect(t.jumps).toEqual([
      {
        label: 'juser@j1.example.com:2201',
        address: 'j1.example.com',
        port: 2201,
        user: 'juser',
        identityFiles: [home('.ssh/j1_key')],
        identitiesOnly: true,
        hostKeyChecking: 'ask',
        ...HOP_DEFAULTS,
        knownHostsFiles: DEFAULT_KNOWN_HOSTS,
        globalKnownHostsFiles: GLOBAL_KNOWN_HOSTS,
      },
      {
        // user and port written in the jump spec beat the jump's own config
        label: 'admin@j2.example.com:2222',
        address: 'j2.example.com',
        port: 2222,
        user: 'admin',
        // no keys of its own: the target's
        identityFiles: [INV_KEY],
        identitiesOnly: false,
        hostKeyChecking: 'ask',
        ...HOP_DEFAULTS,
        knownHostsFiles: DEFAULT_KNOWN_HOSTS,
        globalKnownHostsFiles: GLOBAL_KNOWN_HOSTS,
      },
    ]);
  });

  it("a jump without keys of its own is offered the target's identity files (inventory, common args, config)", () => {
    const t = target(
      { address: 'box.example.com', privateKeyFile: INV_KEY, commonArgs: '-J plainjump -i /keys/args_key' },
      'Host box.example.com\n  IdentityFile ~/.ssh/box_key\n',
    );
    expect(t.identityFiles).toEqual([INV_KEY, '/keys/args_key', home('.ssh/box_key')]);
    expect(t.jumps).toHaveLength(1);
    expect(t.jumps[0]).toMatchObject({ address: 'plainjump', port: 22, user: LOCAL, identityFiles: t.identityFiles });
  });

  it('a Host * ProxyJump applies to every host, except where ProxyJump none came first', () => {
    expect(target({ address: 'other' }, CONFIG).jumps.map((j) => j.label)).toEqual(['j3user@j3.example.com']);
    const inner = target({ address: 'inner' }, CONFIG);
    expect(inner.address).toBe('10.0.0.10');
    expect(inner.jumps).toEqual([]);
  });

  it("-J in the common args wins over the config's ProxyJump; the hop is still resolved through the config", () => {
    const t = target({ address: 'target', commonArgs: '-J jump2' }, CONFIG);
    expect(t.jumps.map((j) => [j.label, j.address, j.port, j.user])).toEqual([['cfg2@j2.example.com:2202', 'j2.example.com', 2202, 'cfg2']]);
  });

  it('-o ProxyJump= in the common args, multi-hop with a user and port', () => {
    const t = target({ address: 'target', commonArgs: '-o ProxyJump=ops@jump1:2300,jump3' }, CONFIG);
    expect(t.jumps.map((j) => [j.label, j.identityFiles])).toEqual([
      ['ops@j1.example.com:2300', [home('.ssh/j1_key')]],
      ['j3user@j3.example.com', t.identityFiles],
    ]);
  });

  it("-o ProxyJump=none in the common args disables the config's jump", () => {
    expect(target({ address: 'target', commonArgs: '-o ProxyJump=none' }, CONFIG).jumps).toEqual([]);
  });

  it('-J without any ssh config: the spec as written, defaults for the rest', () => {
    const t = target({ address: '10.0.0.9', commonArgs: '-J bastion.example.com,root@10.0.0.1:2022' });
    expect(t.jumps.map((j) => [j.label, j.address, j.port, j.user])).toEqual([
      [`${LOCAL}@bastion.example.com`, 'bastion.example.com', 22, LOCAL],
      ['root@10.0.0.1:2022', '10.0.0.1', 2022, 'root'],
    ]);
  });

  it("jumps take the target's host key mode and known_hosts files", () => {
    const t = target({ address: 'target', hostKeyChecking: 'strict', knownHostsFile: '/srv/kh' }, CONFIG);
    for (const j of t.jumps) expect(j).toMatchObject({ hostKeyChecking: 'strict', knownHostsFiles: ['/srv/kh'] });
  });

  it('jumps carry neither the password nor become', () => {
    const t = target({ address: 'target', password: 'pw-1', become: { user: 'root', password: 'pw-2' } }, CONFIG);
    for (const j of t.jumps) {
      expect(j).not.toHaveProperty('password');
      expect(j).not.toHaveProperty('become');
    }
  });
});

describe("nested jumps: the first bastion's own ProxyJump in the ssh config is followed, as ssh -J does", () => {
  // each hop written only in the ssh config, as a lab of private networks behind bastions is
  const CONFIG = `Host deep1
  HostName 10.2.0.5
  ProxyJump priv1
Host priv1
  HostName 10.1.0.5
  User privuser
  Port 2222
  IdentityFile ~/.ssh/priv_key
  IdentitiesOnly yes
  ProxyJump vm1
Host vm1
  HostName 192.0.2.1
  User edge
  IdentityFile ~/.ssh/edge_key
  UserKnownHostsFile ~/.ssh/edge_known
  ProxyJump none
Host two
  HostName 10.1.0.7
  ProxyJump vm1
Host loopa
  ProxyJump loopb
Host loopb
  ProxyJump loopa,other
Host selfish
  ProxyJump selfish
Host stopper
  HostName 10.9.0.1
  ProxyJump none
Host behindstopper
  ProxyJump stopper
Host *
  ProxyJump vm1
`;
  // functions: HOME is made in beforeAll
  const vm1 = (): Target['jumps'][number] => ({
    label: 'edge@192.0.2.1',
    address: '192.0.2.1',
    port: 22,
    user: 'edge',
    identityFiles: [home('.ssh/edge_key')],
    identitiesOnly: false,
    hostKeyChecking: 'ask',
    ...HOP_DEFAULTS,
    knownHostsFiles: [home('.ssh/edge_known')],
    globalKnownHostsFiles: GLOBAL_KNOWN_HOSTS,
  });
  const priv1 = (): Target['jumps'][number] => ({
    label: 'privuser@10.1.0.5:2222',
    address: '10.1.0.5',
    port: 2222,
    user: 'privuser',
    identityFiles: [home('.ssh/priv_key')],
    identitiesOnly: true,
    hostKeyChecking: 'ask',
    ...HOP_DEFAULTS,
    knownHostsFiles: DEFAULT_KNOWN_HOSTS,
    globalKnownHostsFiles: GLOBAL_KNOWN_HOSTS,
  });

  it('a chain of 2 (target → vm1): the hop resolved under its own name', () => {
    const t = target({ address: 'two', privateKeyFile: INV_KEY }, CONFIG);
    expect(t.refusal).toBeUndefined();
    expect(t.address).toBe('10.1.0.7');
    expect(t.jumps).toEqual([vm1()]);
  });

  it("a chain of 3 (deep1 → priv1 → vm1): priv1's own ProxyJump puts vm1 before it; each hop's User, Port, IdentityFile, IdentitiesOnly, UserKnownHostsFile", () => {
    const t = target({ address: 'deep1', privateKeyFile: INV_KEY }, CONFIG);
    expect(t.refusal).toBeUndefined();
    expect(t.label).toBe(`${LOCAL}@10.2.0.5`);
    expect(t.jumps).toEqual([vm1(), priv1()]);
  });

  it("a chain of 4 through an inventory -J: each first hop's own ProxyJump, recursively", () => {
    const t = target({ address: '10.3.0.1', commonArgs: '-J deep1' }, CONFIG);
    expect(t.refusal).toBeUndefined();
    expect(t.jumps.map((j) => j.label)).toEqual(['edge@192.0.2.1', 'privuser@10.1.0.5:2222', `${LOCAL}@10.2.0.5`]);
  });

  it("user and port written in a ProxyJump beat the hop's own config; its ProxyJump still applies", () => {
    const t = target({ address: '10.3.0.1', commonArgs: '-J admin@priv1:2200' }, CONFIG);
    expect(t.jumps.map((j) => j.label)).toEqual(['edge@192.0.2.1', 'admin@10.1.0.5:2200']);
  });

  it("a later hop's own ProxyJump is not followed (ssh gives it -J with the hops before it)", () => {
    const t = target({ address: '10.3.0.1', commonArgs: '-J vm1,priv1' }, CONFIG);
    expect(t.jumps).toEqual([vm1(), priv1()]);
  });

  it('ProxyJump none on a hop: it is connected to directly', () => {
    const t = target({ address: 'behindstopper' }, CONFIG);
    expect(t.refusal).toBeUndefined();
    expect(t.jumps.map((j) => j.address)).toEqual(['10.9.0.1']);
  });

  it('a loop is refused, naming the chain; so is a hop that jumps through itself', () => {
    const loop = target({ address: '10.3.0.1', commonArgs: '-J loopa' }, CONFIG);
    expect(loop.refusal).toBe(
      'bastion loopa: the ssh config\'s ProxyJump lines make a loop (10.3.0.1 → loopa → loopb → loopa), which ssh would follow forever: give one of these hosts "ProxyJump none" or a ProxyJump that leaves the loop',
    );
    expect(target({ address: 'selfish' }, CONFIG).refusal).toMatch(
      /^bastion selfish: the ssh config's ProxyJump lines make a loop \(selfish → selfish → selfish\)/,
    );
  });

  it('a chain nested deeper than MAX_NESTING is refused', () => {
    const lines = Array.from({ length: MAX_NESTING + 2 }, (_, i) => `Host n${i}\n  ProxyJump n${i + 1}\n`).join('');
    const deep = target({ address: '10.3.0.1', commonArgs: '-J n0' }, `${lines}Host n${MAX_NESTING + 2}\n  ProxyJump none\n`);
    expect(deep.refusal).toMatch(
      new RegExp(`^bastion n${MAX_NESTING + 1}: jump hosts nested more than ${MAX_NESTING} deep \\(10\\.3\\.0\\.1 → n0 → .* → n${MAX_NESTING + 1}\\)`),
    );
    // MAX_NESTING bastions with a ProxyJump of their own are followed
    const ok = target({ address: '10.3.0.1', commonArgs: '-J n2' }, `${lines}Host n${MAX_NESTING + 2}\n  ProxyJump none\n`);
    expect(ok.refusal).toBeUndefined();
    expect(ok.jumps).toHaveLength(MAX_NESTING + 1);
  });

  it('the connector opens each bastion of a nested chain once per run: the same chain from two hosts is one key', () => {
    const a = target({ address: 'deep1' }, CONFIG);
    const b = target({ address: '10.2.0.9', commonArgs: '-J vm1,priv1' }, CONFIG);
    expect(a.jumps.map((j) => j.label)).toEqual(b.jumps.map((j) => j.label));
  });
});

describe('notes from the ssh config', () => {
  it('a Match exec block is not run: its note is passed through and its options are not applied', () => {
    const t = target(
      { address: 'box.example.com' },
      `Match exec "nc -z 10.0.0.1 22"
  Port 2022
  User viaexec
`,
    );
    expect(t).toMatchObject({ port: 22, user: LOCAL });
    expect(t.notes).toEqual([
      'test.config line 1: "Match exec nc -z 10.0.0.1 22" was not run (cnet-remote never runs commands from the ssh config); the block is taken as not matching',
    ]);
  });
});

/** What the user is told to do about a proxy that cannot be used. */
const PROXY_HELP =
  'cannot be used, and the host is not connected to directly instead: write the jump as ProxyJump (-J [user@]bastion[:port]) or as a ProxyCommand, or say "ProxyCommand none" for a direct connection';

describe('a ProxyCommand is run as ssh runs it (it was translated or refused); a proxy that cannot be used is a refusal, never a direct connection', () => {
  it('any ProxyCommand in the ssh config: written as the config has it, the shell line `exec …` with %h %p %r %n %k %% expanded (sshconnect.c expand_proxy_command)', () => {
    const t = target({ address: 'box' }, 'Host box\n  HostName 10.9.0.5\n  Port 2200\n  User ops\n  ProxyCommand socat - TCP:%h:%p # %r %n %k 100%%\n');
    expect(t.refusal).toBeUndefined();
    expect(t.jumps).toEqual([]);
    expect(t.proxyCommand).toEqual({ written: 'socat - TCP:%h:%p # %r %n %k 100%%', line: 'exec socat - TCP:10.9.0.5:2200 # ops box box 100%' });
    expect(t.notes).toEqual([]);
  });

  it("the classic ssh -W ProxyCommand is run as written, the bastion's own -i kept (it was a ProxyJump, the key lost)", () => {
    const viaConfig = target({ address: 'box.example.com' }, 'Host box.example.com\n  ProxyCommand ssh -W %h:%p -i ~/.ssh/b.pem ops@bastion\n');
    const viaArgs = target({ address: 'box.example.com', commonArgs: '-o ProxyCommand="ssh -W %h:%p -i ~/.ssh/b.pem ops@bastion"' });
    for (const t of [viaConfig, viaArgs]) {
      expect(t.refusal).toBeUndefined();
      expect(t.jumps).toEqual([]);
      expect(t.proxyCommand).toEqual({
        written: 'ssh -W %h:%p -i ~/.ssh/b.pem ops@bastion',
        line: 'exec ssh -W box.example.com:22 -i ~/.ssh/b.pem ops@bastion',
      });
    }
  });

  it("ansible_ssh_common_args: its ProxyCommand wins over the ssh config's jump (the first value wins, as in ssh)", () => {
    const t = target({ address: 'box.example.com', commonArgs: "-o ProxyCommand='nc -X 5 -x proxy:1080 %h %p'" }, 'Host *\n  ProxyJump configured-bastion\n');
    expect(t.jumps).toEqual([]);
    expect(t.proxyCommand?.line).toBe('exec nc -X 5 -x proxy:1080 box.example.com 22');
  });

  it.each([
    ['-J fe80::1', '-J fe80::1 (invalid ProxyJump "fe80::1": IPv6 addresses need brackets: [addr] or [addr]:port in "fe80::1")'],
    ['-o ProxyJump=', '-o ProxyJump= (empty ProxyJump)'],
    ['-o ProxyCommand', '-o ProxyCommand (no command)'],
  ])('ansible_ssh_common_args %s, even where the ssh config has a jump of its own', (args, why) => {
    const t = target({ address: 'box.example.com', commonArgs: args }, 'Host *\n  ProxyJump configured-bastion\n');
    expect(t.refusal).toBe(`ansible_ssh_common_args: ${why} ${PROXY_HELP}`);
  });

  it('a ProxyCommand with an unknown token, or "-", is refused (ssh fails too), never a direct connection', () => {
    expect(target({ address: 'box' }, 'Host box\n  ProxyCommand nc %x %p\n').refusal).toBe(
      'ProxyCommand: "exec nc %x %p": unknown token %x (ssh refuses it too); the host is not connected to directly instead',
    );
    expect(target({ address: 'box' }, 'Host box\n  ProxyCommand -\n').refusal).toMatch(/^ProxyCommand "-" \(ssh's own stdin and stdout/);
  });

  it("the first bastion's own ProxyCommand in the ssh config: that bastion is reached through it, as `ssh -J` does", () => {
    const config = 'Host jumpb\n  HostName 10.0.0.2\n  User j\n  ProxyCommand nc %h %p\nHost jumpc\n  ProxyJump none\nHost deep\n  ProxyJump jumpb\n';
    const a = target({ address: 'box.example.com', commonArgs: '-J jumpb' }, config);
    expect(a.refusal).toBeUndefined();
    expect(a.proxyCommand).toBeUndefined();
    expect(a.jumps.map((j) => [j.label, j.proxyCommand])).toEqual([['j@10.0.0.2', { written: 'nc %h %p', line: 'exec nc 10.0.0.2 22' }]]);
    // one level down: deep is reached through jumpb, which is reached through its command
    const b = target({ address: 'box.example.com', commonArgs: '-J deep' }, config);
    expect(b.jumps.map((j) => [j.address, j.proxyCommand?.line])).toEqual([
      ['10.0.0.2', 'exec nc 10.0.0.2 22'],
      ['deep', undefined],
    ]);
    // a later bastion is reached through the hops before it, whatever its own config says (ssh gives it -J)
    const t = target({ address: 'box.example.com', commonArgs: '-J jumpc,jumpb' }, config);
    expect(t.refusal).toBeUndefined();
    expect(t.jumps.map((j) => [j.address, j.proxyCommand])).toEqual([
      ['jumpc', undefined],
      ['10.0.0.2', undefined],
    ]);
  });

  it('ProxyCommand none, in the ssh config or the common args, is a direct connection', () => {
    const viaConfig = target({ address: 'box.example.com' }, 'Host box.example.com\n  ProxyCommand none\nHost *\n  ProxyCommand nc %h %p\n');
    expect(viaConfig.jumps).toEqual([]);
    expect(viaConfig.proxyCommand).toBeUndefined();
    expect(viaConfig.refusal).toBeUndefined();
    const viaArgs = target({ address: 'box.example.com', commonArgs: '-o ProxyCommand=none' }, 'Host *\n  ProxyCommand nc %h %p\n');
    expect(viaArgs.jumps).toEqual([]);
    expect(viaArgs.proxyCommand).toBeUndefined();
    expect(viaArgs.refusal).toBeUndefined();
  });

  it('the connector fails a refused host before any connection, as unreachable (a TransportError)', async () => {
    const host = hostWith({ address: 'box.example.com', commonArgs: '-J fe80::1' });
    const connector = new SshConnector({ sshConfig: sshConfig(''), keys: new KeyStore(async () => undefined) });
    const err = await connector.connect(host).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).message).toMatch(/^ansible_ssh_common_args: -J fe80::1 \(invalid ProxyJump/);
  });
});

describe('password and become', () => {
  it('carried over from the inventory', () => {
    const t = target({ address: 'box.example.com', password: 'ssh-pw', become: { user: 'postgres', password: 'sudo-pw' } });
    expect(t.password).toBe('ssh-pw');
    expect(t.become).toEqual({ user: 'postgres', password: 'sudo-pw' });
  });

  it('become without a password', () => {
    const t = target({ address: 'box.example.com', become: { user: 'root' } });
    expect(t.become).toEqual({ user: 'root' });
    expect(t).not.toHaveProperty('password');
  });

  it('absent when the inventory sets neither', () => {
    const t = target({ address: 'box.example.com' });
    expect(t).not.toHaveProperty('password');
    expect(t).not.toHaveProperty('become');
  });

  it('from inventory variables and the environment, end to end', () => {
    vi.stubEnv('CNET_SSH_PASSWORD', 'env-ssh-pw');
    vi.stubEnv('CNET_BECOME_PASSWORD', 'env-sudo-pw');
    const inv = resolveInventory([parseSource('inv.yaml', 'all:\n  hosts:\n    h1.example.com: { ansible_become: yes, ansible_become_user: admin }\n')]);
    const t = resolveTarget(inv.hosts[0]!, undefined);
    expect(t.password).toBe('env-ssh-pw');
    expect(t.become).toEqual({ user: 'admin', password: 'env-sudo-pw' });
  });

  it('the password appears in no label nor note', () => {
    const t = target({ address: 'target', password: 'pw-secret-1', commonArgs: '-A -J jump' }, 'Match exec true\n  Port 1\n');
    const shown = [t.label, ...t.notes, ...t.jumps.map((j) => j.label)].join('\n');
    expect(shown).not.toContain('pw-secret-1');
  });
});
