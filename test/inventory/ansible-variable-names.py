# The ansible_* variables the installed ansible-core's own plugins and settings read (each `vars:` entry of
# every builtin plugin's documentation and of config/base.yml, and C.MAGIC_VARIABLE_MAPPING), one line,
# space-separated, sorted: src/inventory/ansible/variable-names.ts is held to it.
import os, glob, yaml, re
import ansible, ansible.constants as C
from ansible.utils.plugin_docs import get_docstring
root = os.path.dirname(ansible.__file__)
names = set()
for k, v in C.MAGIC_VARIABLE_MAPPING.items():
    names.update(x for x in v if x.startswith('ansible_'))
def collect(opts):
    for o in (opts or {}).values():
        for var in o.get('vars', []) or []:
            n = var.get('name', '')
            if n.startswith('ansible_'): names.add(n)
for f in glob.glob(os.path.join(root, 'plugins', '*', '*.py')):
    if f.endswith('__init__.py'): continue
    try:
        doc, _, _, _ = get_docstring(f, fragment_loader=__import__('ansible.plugins.loader', fromlist=['fragment_loader']).fragment_loader)
    except Exception as e:
        continue
    if doc: collect(doc.get('options'))
base = yaml.safe_load(open(os.path.join(root, 'config', 'base.yml')))
for k, v in base.items():
    for var in v.get('vars', []) or []:
        n = var.get('name','')
        if n.startswith('ansible_'): names.add(n)
print(' '.join(sorted(names)))
