import { stringify } from 'yaml';
import type { LabPlan, LabVm } from './lab-plan.js';

/**
 * The lab's inventory (`<lab folder>/inventory.yaml`): root with the lab key and the lab's
 * known_hosts, strictly checked; group `lab` (the main segment) probing the upstream's "internet"
 * address; `private` and `deep` reached through ProxyJump over their bastions; `topology`, if
 * given, as the `cnet` variable of all.
 */
export function labInventory(plan: LabPlan, key: string, knownHosts: string, topology: Record<string, unknown> | undefined): string {
  const hostsOf = (group: LabVm['group']) => Object.fromEntries(plan.vms.filter((v) => v.group === group).map((v) => [v.name, { ansible_host: v.address }]));
  const jump = (v: LabVm | undefined) => (v ? { ansible_ssh_common_args: `-o ProxyJump=${v.via.map((a) => `root@${a}`).join(',')}` } : {});
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
        lab: { hosts: hostsOf('lab'), vars: { cnet_probe_target: plan.internetAddress } },
        ...(plan.vms.some((v) => v.group === 'private')
          ? { private: { hosts: hostsOf('private'), vars: jump(plan.vms.find((v) => v.group === 'private')) } }
          : {}),
        ...(plan.vms.some((v) => v.group === 'deep') ? { deep: { hosts: hostsOf('deep'), vars: jump(plan.vms.find((v) => v.group === 'deep')) } } : {}),
      },
    },
  };
  const count = (g: LabVm['group']) => plan.vms.filter((v) => v.group === g).length;
  return [
    `# written by \`cnet-remote lab up\`: lab "${plan.name}", ${plan.hosts} simulated VMs on 10.${plan.net}.0.0/17`,
    ...(count('private') ? [`# and ${count('private')} on 10.${plan.net}.160.0/20, reachable only through vm1`] : []),
    ...(count('deep') ? [`# and ${count('deep')} on 10.${plan.net}.176.0/20, reachable only through vm1 and priv1`] : []),
    `# the upstream ("internet") answers at ${plan.internetAddress}`,
    stringify(doc),
  ].join('\n');
}
