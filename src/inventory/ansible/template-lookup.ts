import { fail, failUndefined, type Py, pyStrip, strOf, truthy, typeName, Undef } from './template-values.js';

/**
 * `lookup('env', …)`, `query('env', …)` and `q('env', …)` as Ansible 2.14's Templar._lookup runs
 * its env plugin (ansible/plugins/lookup/env.py): each term's first word names a variable of the
 * environment cnet-remote was given, `default=` (else '') when it is unset; lookup joins the
 * values with commas (one value that is not a string stays itself), query returns the list.
 * Terms holding a template are rendered first, as Ansible's listify_lookup_plugin_terms does.
 */
export interface LookupCall {
  fn: 'lookup' | 'query' | 'q';
  args: Py[];
  kwargs: [string, Py][];
  pos: number;
  env: Readonly<Record<string, string | undefined>>;
  /** a term that holds a template, rendered in the calling template's context */
  renderTerm(term: string): Py;
}

const ENV_PLUGINS = new Set(['env', 'ansible.builtin.env']);
const TEMPLATE_START = /\{\{|\{%|\{#/;

export function callLookup(c: LookupCall): Py {
  if (c.args.length === 0) fail(`${c.fn}() is missing the name of a lookup plugin, as in ${c.fn}('env', 'HOME')`, c.pos);
  const plugin = c.args[0]!;
  if (plugin instanceof Undef) failUndefined(plugin);
  const name = strOf(plugin);
  if (name === undefined || !ENV_PLUGINS.has(name)) {
    fail(
      `the lookup plugin ${name === undefined ? `given as ${typeName(plugin)}` : `'${name}'`} is not supported by cnet-remote (only 'env' is): write the value into the inventory instead`,
      c.pos,
    );
  }
  let wantlist = c.fn !== 'lookup';
  let dflt: Py = '';
  for (const [k, v] of c.kwargs) {
    if (k === 'wantlist') wantlist = truthy(v);
    else if (k === 'default') dflt = v;
    else fail(`the option '${k}' of ${c.fn}('env', …) is not supported by cnet-remote (it takes default= and wantlist=)`, c.pos);
  }
  const ran: Py[] = c.args.slice(1).map((raw) => {
    const term = typeof raw === 'string' && TEMPLATE_START.test(raw) ? c.renderTerm(raw) : raw;
    if (term instanceof Undef) failUndefined(term);
    const s = strOf(term);
    if (s === undefined) return fail(`the env lookup's term must be a string, not '${typeName(term)}'`, c.pos);
    const word = pyStrip(s).split(/[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/)[0];
    if (!word) return fail("the env lookup's term is empty: name an environment variable", c.pos);
    const value = c.env[word];
    if (value !== undefined) return value;
    if (dflt instanceof Undef) failUndefined(dflt);
    return dflt;
  });
  if (wantlist || ran.length === 0) return ran;
  if (ran.every((v) => strOf(v) !== undefined)) return ran.map((v) => strOf(v)!).join(',');
  return ran.length === 1 ? ran[0]! : ran;
}
