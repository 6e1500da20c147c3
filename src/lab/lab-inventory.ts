import { stringify } from 'yaml';
import { labSubnet6, reachOf, type LabPlan, type LabVm } from './lab-plan.js';

/** A ProxyJump hop to a bastion at `address`, as ssh reads it: an IPv6 address in brackets. */
const hop = (address: string) => `root@${address.includes(':') ? `[${address}]` : address}`;

/**
 * The lab's inventory (`<lab folder>/inventory.yaml`): root with the lab key and the lab's
 * known_hosts, strictly checked; group `lab` (the main segment) probing the upstream's "internet"
 * addresses (`cnet_probe_target`, and `cnet_probe_target6` in a lab with IPv6); `private` and
 * `deep` reached through ProxyJump over their bastions; `topology`, if given, as the `cnet`
 * variable of all. `ansible_host` and the bastions are the VMs' IPv4 addresses, or their IPv6
 * ones with `lab up --reach ipv6` (an address as ssh and Ansible take it: no brackets).
 */
export function labInventory(plan: LabPlan, key: string, knownHosts: string, topology: Record<string, unknown> | undefined): string {
  const hostsOf = (group: LabVm['group']) =>
    Object.fromEntries(plan.vms.filter((v) => v.group === group).map((v) => [v.name, { ansible_host: reachOf(plan, v).address }]));
  const jump = (v: LabVm | undefined) => (v ? { ansible_ssh_common_args: `-o ProxyJump=${reachOf(plan, v).via.map(hop).join(',')}` } : {});
  const doc = {
    all: {
      vars: {
        ansible_user: 'root',
        ansible_ssh_private_key_file: key,
        cnet_known_hosts_file: knownHosts,
        cnet_host_key_checking: 'strict',
        ...(topology ? { cnet: topology } : {}),
      },
      children: {
        lab: {
          hosts: hostsOf('lab'),
          vars: { cnet_probe_target: plan.internetAddress, ...(plan.ipv6 ? { cnet_probe_target6: plan.internetAddress6 } : {}) },
        },
        ...(plan.vms.some((v) => v.group === 'private')
          ? { private: { hosts: hostsOf('private'), vars: jump(plan.vms.find((v) => v.group === 'private')) } }
          : {}),
        ...(plan.vms.some((v) => v.group === 'deep') ? { deep: { hosts: hostsOf('deep'), vars: jump(plan.vms.find((v) => v.group === 'deep')) } } : {}),
      },
    },
  };
  const count = (g: LabVm['group']) => plan.vms.filter((v) => v.group === g).length;
  const net6 = (group: LabVm['group']) => (plan.ipv6 ? ` and ${labSubnet6(plan.net, group)}` : '');
  return [
    `# written by \`cnet-remote lab up\`: lab "${plan.name}", ${plan.hosts} simulated VMs on 10.${plan.net}.0.0/17${net6('lab')}`,
    ...(count('private') ? [`# and ${count('private')} on 10.${plan.net}.160.0/20${net6('private')}, reachable only through vm1`] : []),
    ...(count('deep') ? [`# and ${count('deep')} on 10.${plan.net}.176.0/20${net6('deep')}, reachable only through vm1 and priv1`] : []),
    `# the upstream ("internet") answers at ${plan.internetAddress}${plan.ipv6 ? ` and ${plan.internetAddress6}` : ''}`,
    ...(plan.reach === 'ipv6' ? ['# the VMs are reached over IPv6 (lab up --reach ipv6)'] : []),
    stringify(doc),
  ].join('\n');
}
