// Ansible's side of the bench: ansible.cfg (tuned as one would for speed, with host keys still
// checked against the lab's known_hosts), an inventory per size, and the two playbooks made from
// bench/seed.sh: the whole script as one `script` task, and one `command` task per line.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const FORKS = 50;

/** The commands of seed.sh, one per line (comments, blank lines and `set` left out). */
export function seedSteps(seedPath) {
  return readFileSync(seedPath, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !/^set\s/.test(l));
}

/**
 * Writes ansible.cfg and both playbooks into dir.
 * @param {string} dir  a short path: ssh's control sockets live under it (108-byte limit)
 * @param {import('./lab.mjs').Lab} lab
 * @param {{ strategy: 'linear'|'free', seedPath: string }} o
 */
export function writeAnsibleFiles(dir, lab, o) {
  const cfg = join(dir, 'ansible.cfg');
  // ssh_args replaces Ansible's default (`-C -o ControlMaster=auto -o ControlPersist=60s`): the
  // same multiplexing, without compression (CPU for nothing on a local network), with the lab's
  // known_hosts and strict checking (host_key_checking stays on), and no ~/.ssh/config (-F none),
  // as for plain OpenSSH.
  const sshArgs = [
    '-F none',
    '-o ControlMaster=auto',
    '-o ControlPersist=60s',
    `-o UserKnownHostsFile=${lab.knownHosts}`,
    '-o StrictHostKeyChecking=yes',
    '-o IdentitiesOnly=yes',
  ].join(' ');
  const text = `# written by bench/ansible.mjs
[defaults]
forks = ${FORKS}
strategy = ${o.strategy}
gathering = explicit
host_key_checking = True
interpreter_python = /usr/bin/python3
retry_files_enabled = False
deprecation_warnings = False
nocows = True
local_tmp = ${join(dir, 'local')}

[ssh_connection]
pipelining = True
ssh_args = ${sshArgs}
# a fresh control_path_dir per run (ANSIBLE_SSH_CONTROL_PATH_DIR): no run reuses another's connections
control_path = %(directory)s/%%h-%%p-%%r
`;
  writeFileSync(cfg, text);
  const play = (name, tasks) => [{ name, hosts: 'lab', gather_facts: false, tasks }];
  const scriptPlaybook = join(dir, 'seed-script.yaml');
  writeFileSync(scriptPlaybook, stringify(play('seed.sh as one script task', [{ name: 'seed.sh', 'ansible.builtin.script': o.seedPath }])));
  const steps = seedSteps(o.seedPath);
  const stepsPlaybook = join(dir, 'seed-steps.yaml');
  writeFileSync(
    stepsPlaybook,
    stringify(
      play(
        'seed.sh, one task per command',
        steps.map((line) =>
          /[|&;<>$`*?(){}]/.test(line) ? { name: line, 'ansible.builtin.shell': line } : { name: line, 'ansible.builtin.command': { cmd: line } },
        ),
      ),
    ),
  );
  return { cfg, cfgText: text, scriptPlaybook, stepsPlaybook, steps: steps.length };
}

/** An INI inventory of these hosts, in group `lab`. */
export function writeAnsibleInventory(path, lab, hosts) {
  writeFileSync(
    path,
    [
      '[lab]',
      ...hosts.map((h) => `${h.name} ansible_host=${h.address}`),
      '',
      '[lab:vars]',
      `ansible_user=${lab.user}`,
      `ansible_ssh_private_key_file=${lab.key}`,
      'ansible_python_interpreter=/usr/bin/python3',
      '',
    ].join('\n'),
  );
  return path;
}

/** Hosts in the PLAY RECAP with ok>0 and nothing failed or unreachable. */
export function recapHostsOk(stdout) {
  const recap = stdout.slice(stdout.lastIndexOf('PLAY RECAP'));
  const rows = [...recap.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)/gm)];
  return rows.filter((m) => Number(m[2]) > 0 && m[3] === '0' && m[4] === '0').length;
}
