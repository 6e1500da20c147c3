"""Each host's connection as Ansible 2.14 itself decides it, for the differential test
(ansible-differential.test.ts): for every inventory named, every host's address, port, user,
private key file and connection type, each the last of its plugin's variable names that is set
(the ssh connection plugin's `vars:` lists), templated by Ansible's Templar as a task would.
Prints one JSON object: {path: {"hosts": {name: {...}}} or {"error": "..."}}."""
import json
import sys

from ansible import context
from ansible.inventory.manager import InventoryManager
from ansible.module_utils.common.collections import ImmutableDict
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

context.CLIARGS = ImmutableDict({})

# the ssh connection plugin's variables for each option, lowest first (the last one set wins)
OPTIONS = {
    'address': ('inventory_hostname', 'ansible_host', 'ansible_ssh_host'),
    'port': ('ansible_port', 'ansible_ssh_port'),
    'user': ('ansible_user', 'ansible_ssh_user'),
    'key': ('ansible_private_key_file', 'ansible_ssh_private_key_file'),
    'connection': ('ansible_connection',),
}


def pick(variables, templar, names):
    for name in reversed(names):
        if name in variables:
            try:
                value = templar.template(variables[name])
            except Exception as e:  # an undefined variable, a filter it lacks: the run would fail here
                return {'error': type(e).__name__}
            return value if value is None or isinstance(value, (str, int, bool)) else str(value)
    return None


out = {}
for path in sys.argv[1:]:
    loader = DataLoader()
    try:
        inventory = InventoryManager(loader=loader, sources=[path])
    except Exception as e:
        out[path] = {'error': str(e)}
        continue
    manager = VariableManager(loader=loader, inventory=inventory)
    # as the task queue manager sets it for a run: hostvars['other'] in templates
    manager._hostvars = HostVars(inventory=inventory, variable_manager=manager, loader=loader)
    hosts = {}
    for host in inventory.get_hosts():
        variables = manager.get_vars(host=host, include_hostvars=True)
        templar = Templar(loader=loader, variables=variables)
        hosts[host.name] = {k: pick(variables, templar, names) for k, names in OPTIONS.items()}
    out[path] = {'hosts': hosts}
print(json.dumps(out))
