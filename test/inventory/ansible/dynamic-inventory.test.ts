/**
 * Dynamic inventories read through the real `ansible-inventory` (Debian's ansible-core 2.14,
 * every inventory plugin it enables by default, a private HOME and an empty ansible.cfg): a real
 * executable script, and a plugin configuration that runs offline (ansible.builtin.generator).
 * What we list from them must be what `ansible-inventory --list` lists.
 */
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ansibleList } from '../../../src/inventory/ansible-list.js';
import { dumpAnsibleJson } from '../../../src/inventory/ansible/dump-json.js';
import { isDynamicInventory, readDynamicInventory } from '../../../src/inventory/ansible/dynamic-inventory.js';
import { readAnsibleInventory } from '../../../src/inventory/read-inventory.js';
import { issuesOf } from '../helpers.js';
import { ansibleInventory, useAnsibleHome } from '../ansible-reference.js';

/** HOME and cwd of every Ansible run; the inventories written here go inside it */
const home = useAnsibleHome();

function write(name: string, text: string, mode = 0o644): string {
  const file = join(home.dir, name);
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

const SCRIPT = `#!/bin/sh
# a dynamic inventory: --list prints every group and _meta.hostvars; --host is not asked then
case "$1" in
  --list) cat <<'JSON'
{
  "web": {"hosts": ["w1", "w2"], "vars": {"http_port": 8080, "tier": "front"}},
  "db": {"hosts": ["d1"], "vars": {"tier": "back"}},
  "prod": {"children": ["web", "db"], "vars": {"env": "prod", "tier": "none"}},
  "_meta": {"hostvars": {"w1": {"ansible_host": "10.0.0.11", "tier": "edge"}, "d1": {"ansible_port": 2222}}}
}
JSON
  ;;
  *) echo '{}' ;;
esac
`;

const GENERATOR = `plugin: ansible.builtin.generator
hosts:
  name: "{{ app }}_{{ env }}"
  parents:
    - name: "{{ app }}"
      vars:
        app: "{{ app }}"
    - name: "{{ env }}"
      parents:
        - name: everything
layers:
  app: [web, db]
  env: [dev, prod]
`;

/** `inventory list` of `files`, read with ansible-inventory in the private environment. */
function ourList(files: string[]): string {
  const read = readAnsibleInventory(files, { env: home.env });
  return dumpAnsibleJson(ansibleList(read.flat, read.tree));
}

describe('which files are dynamic', () => {
  it.each([
    ['a script with #!', 'inv.sh', '#!/bin/sh\necho {}\n', 0o755, 'script'],
    ['#! but not executable (Ansible tries to run it, and says why it cannot)', 'noexec', '#!/bin/sh\necho {}\n', 0o644, 'script'],
    ['a plugin configuration', 'aws_ec2.yml', 'plugin: amazon.aws.aws_ec2\nregions: [eu-west-1]\n', 0o644, 'plugin'],
    ['a quoted plugin key, .yaml', 'gen.yaml', '"plugin": generator\n', 0o644, 'plugin'],
    ['a flow mapping', 'flow.yml', '{"plugin": "generator", "layers": {}}\n', 0o644, 'plugin'],
    ['a static YAML inventory', 'hosts.yml', 'web:\n  hosts:\n    w1:\n', 0o644, undefined],
    ['an executable static YAML inventory (no #!)', 'exec.yml', 'web:\n  hosts:\n    w1:\n', 0o755, undefined],
    ['a group named plugin is not a plugin key below the top', 'nested.yml', 'all:\n  vars:\n    plugin: x\n', 0o644, undefined],
    ['plugin: in a .json file (the auto plugin reads only .yml/.yaml)', 'p.json', '{"plugin": "generator"}', 0o644, undefined],
  ])('%s', (_what, name, text, mode, kind) => {
    expect(isDynamicInventory(write(name, text, mode))).toBe(kind);
  });

  it('a file that does not exist is not (the loader says it is missing)', () => {
    expect(isDynamicInventory(join(home.dir, 'nosuchfile'))).toBeUndefined();
  });
});

describe('read through ansible-inventory', () => {
  it('a script inventory lists as ansible-inventory --list lists it; `via` says what ran', () => {
    const file = write('inv.sh', SCRIPT, 0o755);
    const theirs = ansibleInventory([file], ['--list'], home.dir);
    expect(ourList([file])).toBe(theirs.trimEnd());
    expect(readDynamicInventory(file, { env: home.env }).via).toBe(`ansible-inventory -i ${file} --list --export`);
    expect(readAnsibleInventory([file], { env: home.env }).via).toEqual([{ file, command: `ansible-inventory -i ${file} --list --export` }]);
  });

  it('a plugin configuration (generator, offline) lists as ansible-inventory --list lists it', () => {
    const file = write('generated.yml', GENERATOR);
    const theirs = ansibleInventory([file], ['--list'], home.dir);
    expect(JSON.parse(theirs)._meta.hostvars.web_dev).toEqual({ app: 'web' });
    expect(ourList([file])).toBe(theirs.trimEnd());
  });

  it("a dynamic inventory's group variables stay group variables: a later file's group vars win, as in Ansible", () => {
    const script = write('inv2.sh', SCRIPT, 0o755);
    const later = write('later.yml', 'web:\n  vars:\n    tier: later\n  hosts:\n    w3:\n');
    const theirs = ansibleInventory([script, later], ['--list'], home.dir);
    expect(JSON.parse(theirs)._meta.hostvars.w2.tier).toBe('later');
    expect(ourList([script, later])).toBe(theirs.trimEnd());
  });

  it('group_vars/ beside a dynamic inventory apply once, where Ansible applies them', () => {
    const sub = join(home.dir, 'with-vars');
    mkdirSync(join(sub, 'group_vars'), { recursive: true });
    writeFileSync(join(sub, 'group_vars', 'web.yml'), 'from_folder: 1\ntier: folder\n');
    const file = join(sub, 'inv.sh');
    writeFileSync(file, SCRIPT);
    chmodSync(file, 0o755);
    const theirs = ansibleInventory([file], ['--list'], home.dir);
    expect(JSON.parse(theirs)._meta.hostvars.w2).toMatchObject({ from_folder: 1, tier: 'folder' });
    expect(ourList([file])).toBe(theirs.trimEnd());
  });
});

describe('when it cannot be read', () => {
  it('ansible-inventory not installed: what to install, or what to run elsewhere', () => {
    const file = write('cloud.yml', 'plugin: amazon.aws.aws_ec2\n');
    const issues = issuesOf(() => readDynamicInventory(file, { env: { PATH: join(home.dir, 'empty-path') } }));
    expect(issues.map((i) => `${i.loc.file}: ${i.message}`)).toEqual([
      `${file}: is a dynamic inventory (plugin: amazon.aws.aws_ec2): cnet-remote reads it through ansible-inventory, which is not installed: apt-get install ansible-core (or pip install ansible-core), or save \`ansible-inventory -i ${file} --list > inv.json\` and pass that`,
    ]);
  });

  it('a script that fails: what ansible-inventory says of it, its last lines, control characters escaped', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `echo "line ${i + 1}: the cloud API said no to this request, again and again and again" >&2`).join('\n');
    const file = write('failing.sh', `#!/bin/sh\n${lines}\nprintf 'token expired \\033[2J\\n' >&2\nexit 3\n`, 0o755);
    const [issue, ...more] = issuesOf(() => readDynamicInventory(file, { env: home.env }));
    expect(more).toEqual([]);
    const shown = issue!.message.split('\n');
    expect(shown[0]).toBe(`ansible-inventory -i ${file} --list --export failed (exit 1):`);
    // at most the last 10 lines, after a mark that some were left out
    expect(shown[1]).toBe('  …');
    expect(shown).toHaveLength(12);
    // Ansible quotes the script's stderr in its error; its last line is among the lines shown
    expect(issue!.message).toContain('token expired \\u001b[2J');
    expect(issue!.message).toContain('ERROR! No inventory was parsed');
    expect(issue!.message).not.toContain('\x1b');
  });

  it('an unknown plugin: what ansible-inventory says', () => {
    const file = write('unknown.yml', 'plugin: no.such.plugin\n');
    const [issue] = issuesOf(() => readDynamicInventory(file, { env: home.env }));
    expect(issue!.message).toContain('no.such.plugin');
  });

  it('more output than allowed is refused, not read', () => {
    const file = write('big.sh', SCRIPT, 0o755);
    const [issue] = issuesOf(() => readDynamicInventory(file, { env: home.env, maxBytes: 100 }));
    expect(issue!.message).toBe(`ansible-inventory -i ${file} --list --export printed more than 100 bytes: is this the right inventory?`);
  });

  it('constructed works on the sources before it, which cnet-remote reads itself: refused, with what to run instead', () => {
    const file = write('constructed.yml', 'plugin: constructed\ngroups:\n  big: true\n');
    const [issue] = issuesOf(() => readDynamicInventory(file, { env: home.env }));
    expect(issue!.message).toContain('plugin: constructed');
    expect(issue!.message).toContain(`ansible-inventory -i SOURCES… -i ${file} --list > inv.json`);
  });

  it('a path with a comma (ansible-inventory would read it as a list of hosts) is refused', () => {
    const sub = join(home.dir, 'a,b');
    mkdirSync(sub, { recursive: true });
    const file = join(sub, 'inv.sh');
    writeFileSync(file, SCRIPT);
    chmodSync(file, 0o755);
    const [issue] = issuesOf(() => readDynamicInventory(file, { env: home.env }));
    expect(issue!.message).toContain('holds a comma');
  });

  it('through a symbolic link, as the file it points to', () => {
    const target = write('target.sh', SCRIPT, 0o755);
    const link = join(home.dir, 'link.sh');
    symlinkSync(target, link);
    expect(isDynamicInventory(link)).toBe('script');
    expect(ourList([link])).toBe(ourList([target]));
  });
});
