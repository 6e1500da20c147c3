/**
 * The public corpus (test/fixtures/inventory-corpus/, SOURCES.tsv says where each file comes
 * from; refused/ holds real files Ansible refuses) read as Ansible reads it: see
 * ansible-reference.ts for what is compared. Each file is read alone: group_vars/ and host_vars/
 * beside some of them in their repositories are not part of the corpus.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ansibleConnections, ansibleReading, connectionDifference, firstDifference, makePlace, ourFlat, ourReading, ourConnections, type Conn, type Place, type Reading } from './ansible-reference.js';

const CORPUS = fileURLToPath(new URL('../fixtures/inventory-corpus/', import.meta.url));
const REFUSED = join(CORPUS, 'refused');
const inCorpus = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f !== 'SOURCES.tsv' && statSync(join(dir, f)).isFile())
    .sort();
const FILES = inCorpus(CORPUS);
const REFUSED_FILES = inCorpus(REFUSED);

/**
 * The files we read as Ansible does today. A file that stops agreeing fails; a file that starts
 * agreeing fails too, asking to be added here (one line), so the rate only goes up.
 */
const AGREEING = new Set<string>([
  '01-kubespray.yml',
  '02-k3s-ansible.yml',
  '03-k0s-ansible.yml',
  '04-cp-ansible.yml',
  '05-rke2-ansible.yml',
  '06-homelab.yml',
  '07-ansible-obs.yml',
  '08-hetzner-ocp4.yml',
  '09-adfc-ansible.yml',
  '10-mortis-configs.yml',
  '11-ansible-config.yml',
  '12-Home-Infrastructure.yml',
  '13-AnixOps-ansible.yml',
  '14-homelab.yml',
  '15-homelab.yml',
  '16-homelab-ansible.yml',
  '17-infra.yml',
  '18-infra.yml',
  '19-ansible-infastructure.yml',
  '20-wiki.ops.yml',
  '21-ansible.yml',
  '22-awesome-jenkins.yml',
  '23-home-server.yml',
  '24-homeserver.yml',
  '25-infra-ansible-proxmox.yml',
  '26-RKEasy.yml',
  '27-pantheon.yml',
  '28-k3s-cluster.yml',
  '29-vault-ha.yml',
  '30-sopds-ansible.yml',
  '31-kolla-ansible-multinode',
  '32-kubespray-hosts.ini',
  '33-openshift-ansible-hosts.openstack',
  '34-ceph-ansible-hosts',
  '35-ansible-examples-hosts',
  '36-void-infrastructure-inventory',
  '37-infrastructure-hosts',
  '38-simpleinfra-hosts',
  '39-ofn-install-hosts',
  '41-mitogen-hosts.ini',
  '42-diveintoansible-hosts',
  '43-diveintoansible-hosts',
  '44-ansible-inventory.ini',
  '45-homelab-hosts.ini',
  '46-pgbramble-hosts',
  '47-ansible-for-devops-hosts.ini',
  '48-streisand-inventory',
  '49-homelab-hosts.ini',
  '50-vault-ha-hosts.ini',
  '51-debops-hosts',
  '52-ansible-nas-inventory',
  '53-k3s-ansible-hosts.ini',
  '54-ansible-documentation-hosts.yml',
  '55-diveintoansible-hosts.json',
  '56-cp-ansible-multi_connect_workers_on_single_node.yml',
  '57-virt-infra-ansible-example.yml',
  '58-pi-cluster-inventory.yml',
  '59-cor-cm-hosts',
  '60-h3xinfra-inventory.example.yml',
  '61-Ansible-inventory-file-examples-groupvar_foo.yml',
  '62-Ansible-inventory-file-examples-hosts.yml',
  '63-koha-ansible-hosts.yml',
  '64-homelab-ansible-hosts.yml',
  '65-IAC-Ansible-hosts.yml',
]);

describe('inventories read as Ansible reads them (test/fixtures/inventory-corpus)', () => {
  const differences = new Map<string, string | undefined>();
  let connections: Record<string, { hosts?: Record<string, Conn>; error?: string }>;
  let place: Place;
  beforeAll(() => {
    place = makePlace();
    connections = ansibleConnections(place, FILES.map((f) => join(CORPUS, f)));
  });
  afterAll(() => {
    rmSync(place.dir, { recursive: true, force: true });
    const agree = [...differences.values()].filter((d) => d === undefined).length;
    const lines = [`${agree}/${differences.size} inventories read as Ansible reads them (${((100 * agree) / Math.max(1, differences.size)).toFixed(1)} %)`];
    for (const [file, d] of differences) if (d !== undefined) lines.push(`  ${file}: ${d}`);
    console.log(lines.join('\n'));
  });

  it.each(FILES)('%s', (file) => {
    const path = join(CORPUS, file);
    // Ansible reads every file of the corpus (one it refuses goes to refused/)
    const theirs = ansibleReading(place, path);
    expect(theirs, 'Ansible refuses this file: move it to refused/').not.toBeTypeOf('string');
    const flat = ourFlat(path);
    let d = typeof flat === 'string' ? flat : firstDifference(theirs as Reading, ourReading(flat));
    if (d === undefined && typeof flat !== 'string') d = connectionDifference(place.dir, connections[path]!.hosts!, ourConnections(place, flat));
    differences.set(file, d);
    if (AGREEING.has(file)) expect(d, 'a file that read as Ansible reads it no longer does').toBeUndefined();
    else expect(d, 'this file now reads as Ansible reads it: add it to AGREEING').toBeDefined();
  });

  it.each(REFUSED_FILES)('refused/%s: Ansible refuses it, and so do we', (file) => {
    const path = join(REFUSED, file);
    expect(ansibleReading(place, path)).toMatch(/^refused: /);
    expect(ourFlat(path)).toMatch(/^refused: /);
  });
});
