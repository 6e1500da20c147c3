import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { CnetError, InventoryError } from '../../errors.js';
import { loadText, parseSource, type InventorySource } from '../source.js';
import { isDynamicInventory, readDynamicInventory } from './dynamic-inventory.js';
import { parseIniInventory } from './ini-inventory.js';
import { parseAddress } from './host-pattern.js';
import { isListJson, parseJsonInventory } from './json-inventory.js';
import { decryptVault, isVaultText, type VaultSecret } from './vault.js';

/** Ansible's YAML_FILENAME_EXTENSIONS: the yaml plugin reads these, and files with no extension. */
const YAML_EXTENSIONS = ['.yml', '.yaml', '.json'];

/** Which reader took a file, for `-v`. */
export type SourceFormat = 'yaml' | 'ini' | 'json' | 'dynamic' | 'host list';

/**
 * `-i 'web1,web2:2222,'`: Ansible's host_list plugin, for a source that is no file and holds a
 * comma. Each name (with its port) is an ungrouped host; ranges are not expanded (as host_list).
 */
function hostListSource(list: string): InventorySource {
  const hosts: Record<string, { ansible_port: number } | null> = {};
  for (const h of list.split(',')) {
    if (h.trim() === '') continue;
    const address = parseAddress(h.trim());
    const port = address?.port !== undefined ? Number(address.port) : 0;
    hosts[address?.host ?? h.trim()] ??= port > 0 ? { ansible_port: port } : null;
  }
  return { file: list, data: { ungrouped: { hosts } }, hostsAreNames: true, locate: (path) => ({ file: '-i', line: 0, col: 0, path: path.join('.') }) };
}

const isPlainMapping = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A file encrypted whole with ansible-vault is read decrypted, as Ansible's loader does. */
function decrypted(file: string, text: string, secrets: readonly VaultSecret[]): string {
  if (!isVaultText(text)) return text;
  try {
    return decryptVault(text, secrets).toString('utf8');
  } catch (err) {
    if (!(err instanceof CnetError)) throw err;
    throw new InventoryError([{ loc: { file, line: 1, col: 1, path: '' }, message: `the file is encrypted with ansible-vault: ${err.message}` }]);
  }
}

/** A section header, `[web]` or `[web:vars]`, on a line of its own: the text is an INI inventory. */
const INI_SECTION = /^\s*\[[^\]\n]+\]\s*(?:[#;].*)?$/m;

/**
 * One inventory file as Ansible's plugins would read it, in their order: a dynamic inventory
 * (a plugin configuration, an executable script) through ansible-inventory; YAML for .yml, .yaml,
 * .json and files with no extension; the JSON ansible-inventory --list prints (JSON text with
 * `_meta` or lists of hosts, which Ansible's yaml plugin refuses); INI for the rest,
 * and for a file with no extension that is not a YAML mapping. So a YAML error is shown only for
 * a file meant as YAML, never for an INI one. `definedBefore`: the groups of the sources read
 * before it (an INI file may name them in [g:vars] and [p:children], as in Ansible).
 */
export function readSource(
  file: string,
  secrets: readonly VaultSecret[] = [],
  definedBefore: ReadonlySet<string> = new Set(),
): { source: InventorySource; format: SourceFormat } {
  if (!existsSync(file) && file.includes(',')) return { source: hostListSource(file), format: 'host list' };
  const dynamic = isDynamicInventory(file);
  if (dynamic) return { source: { ...readDynamicInventory(file), hostsAreNames: true }, format: 'dynamic' };
  const text = decrypted(file, loadText(file), secrets);
  const ext = extname(file).toLowerCase();
  if (ext !== '' && !YAML_EXTENSIONS.includes(ext)) return { source: { ...parseIniInventory(file, text, definedBefore), hostsAreNames: true }, format: 'ini' };
  let yaml: InventorySource | undefined;
  let yamlError: InventoryError | undefined;
  try {
    yaml = parseSource(file, text);
  } catch (err) {
    if (!(err instanceof InventoryError)) throw err;
    yamlError = err;
  }
  if (yaml && /^\s*\{/.test(text) && isListJson(yaml.data)) return { source: { ...parseJsonInventory(file, text), hostsAreNames: true }, format: 'json' };
  if (yaml && (isPlainMapping(yaml.data) || ext !== '')) return { source: yaml, format: 'yaml' };
  // no extension, and not a YAML mapping: INI, unless it reads as neither and looks like YAML
  if (ext === '' || INI_SECTION.test(text)) {
    try {
      return { source: { ...parseIniInventory(file, text, definedBefore), hostsAreNames: true }, format: 'ini' };
    } catch (err) {
      if (!(err instanceof InventoryError) || INI_SECTION.test(text) || !yamlError) throw err;
    }
  }
  if (yamlError) throw yamlError;
  return { source: yaml!, format: 'yaml' };
}
