import { CnetError, type InventoryIssue } from '../errors.js';
import { renderValue, type TemplateContext } from './ansible/template.js';
import { decryptVault, type VaultSecret } from './ansible/vault.js';
import { UnsafeText, VaultValue } from './ansible/yaml-tags.js';
import type { FlatHost, FlatInventory, VarLayer } from './flatten.js';

/** Jinja2's start strings, as Ansible's is_template looks for them. */
const TEMPLATE_START = /\{\{|\{%|\{#/;

/**
 * A value whose text is not known until the host it is read for is: a template (`{{ … }}`), an
 * inline `!vault` value, a `!unsafe` string. It is checked when used, not where written.
 */
export function isDeferred(v: unknown): boolean {
  return v instanceof VaultValue || v instanceof UnsafeText || (typeof v === 'string' && TEMPLATE_START.test(v));
}

/** Whether `v`, or anything inside it, is deferred. */
export function holdsDeferred(v: unknown): boolean {
  if (isDeferred(v)) return true;
  if (Array.isArray(v)) return v.some(holdsDeferred);
  if (typeof v === 'object' && v !== null) return Object.values(v).some(holdsDeferred);
  return false;
}

export interface ValueOptions {
  /** vault passwords (--vault-password-file, --vault-id, ANSIBLE_VAULT_PASSWORD_FILE) */
  secrets?: readonly VaultSecret[];
  /** what lookup('env', …) reads */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Turns a deferred value into what Ansible would use for one host: decrypts vault values and
 * renders templates over the host's variables (lazily: only the variables a template names, each
 * decrypted or rendered when reached). Problems are collected as issues at the variable's place.
 */
export class ValueReader {
  readonly issues: InventoryIssue[] = [];
  private merged = new Map<string, Record<string, unknown>>();
  private byName: Map<string, FlatHost>;

  constructor(
    hosts: readonly FlatHost[],
    private groups: ReadonlyMap<string, readonly string[]>,
    private opts: ValueOptions = {},
  ) {
    this.byName = new Map(hosts.map((h) => [h.name, h]));
  }

  /** The value `layer` gives `key` for `host`, decrypted and rendered; undefined (and an issue) when it cannot be. */
  read(host: FlatHost, layer: VarLayer, key: string): { value: unknown } | undefined {
    try {
      return { value: this.materialize(layer.vars[key], host.name) };
    } catch (err) {
      if (!(err instanceof CnetError)) throw err;
      this.issues.push({ loc: layer.src.locate([...layer.path, key]), message: `${err.message} (host ${host.name})` });
      return undefined;
    }
  }

  /** Ansible renders neither a vault value's text nor a `!unsafe` one; a template it renders for this host. */
  private materialize(raw: unknown, host: string): unknown {
    if (raw instanceof UnsafeText) return raw.text;
    if (raw instanceof VaultValue) return this.decrypt(raw);
    return typeof raw === 'string' && TEMPLATE_START.test(raw) ? renderValue(raw, this.context(host)) : raw;
  }

  private decrypt(v: VaultValue): string {
    return decryptVault(v.ciphertext, this.opts.secrets ?? []).toString('utf8');
  }

  private context(host: string): TemplateContext {
    return {
      host,
      varsOf: (name) => this.varsOf(name),
      groups: this.groups,
      groupNames: (name) => [...(this.byName.get(name)?.groups ?? [])].filter((g) => g !== 'ungrouped').sort(),
      env: this.opts.env ?? process.env,
    };
  }

  /**
   * A host's variables after precedence (a higher layer replaces a variable whole, as Ansible's
   * default hash_behaviour), vault values decrypted only when a template reaches them; both those
   * and `!unsafe` values reach the engine as UnsafeText, which it never renders.
   */
  private varsOf(name: string): Record<string, unknown> | undefined {
    const host = this.byName.get(name);
    if (!host) return undefined;
    let vars = this.merged.get(name);
    if (!vars) {
      vars = {};
      for (const layer of host.layers) {
        for (const [k, v] of Object.entries(layer.vars)) {
          if (v instanceof VaultValue) Object.defineProperty(vars, k, { get: () => new UnsafeText(this.decrypt(v)), enumerable: true, configurable: true });
          else Object.defineProperty(vars, k, { value: v, enumerable: true, configurable: true, writable: true });
        }
      }
      this.merged.set(name, vars);
    }
    return vars;
  }
}

/** Gives every host of `flat` one ValueReader (over all the hosts: templates reach hostvars[…]), and returns it. */
export function attachValues(flat: FlatInventory, opts: ValueOptions = {}): ValueReader {
  const values = new ValueReader(flat.hosts, new Map([...flat.groups].map(([g, members]) => [g, [...members]])), opts);
  for (const h of flat.hosts) h.values = values;
  return values;
}
