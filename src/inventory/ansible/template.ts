import { TemplateError } from './template-error.js';
import { Renderer, TEMPLATE_START } from './template-render.js';
import { UnsafeText } from './yaml-tags.js';

/**
 * Ansible's templates in inventory variables, rendered as ansible-core 2.14's Templar renders them
 * (jinja2_native off) for the subset cnet-remote supports: `{{ var }}`, attributes and items,
 * literals, `~ + - * / // % **`, comparisons, `and/or/not`, `x if c else y`, `is defined /
 * undefined / none`, the filters default (d), int, string, lower, upper, trim, bool, replace,
 * join, first, last, length, regex_replace, `lookup('env', …)`, the magic variables
 * inventory_hostname(_short), group_names, groups and hostvars, `{# comments #}` and
 * `{% raw %}`. Anything else is a TemplateError naming the expression, never the template's text
 * used as a value. Files: template-lexer (text and tokens), template-parse (expression trees),
 * template-fold (Jinja2's compile-time constants), template-eval (evaluation), template-render
 * (Templar: variables, results), template-values (Python's values), template-arith,
 * template-filters, template-lookup, template-regex(-compile) (regex_replace on a Pike VM),
 * template-literal (Python's literal_eval), template-limits (bounds against hostile input).
 */

export { TemplateError } from './template-error.js';

export interface TemplateContext {
  /** inventory_hostname */
  host: string;
  /** a host's variables after precedence, raw (values may be templates themselves); undefined: no such host */
  varsOf(host: string): Readonly<Record<string, unknown>> | undefined;
  /** groups['web'] (and groups.all): hosts in order */
  groups: ReadonlyMap<string, readonly string[]>;
  /** group_names: sorted, without all and ungrouped, as Ansible gives them */
  groupNames(host: string): readonly string[];
  /** what lookup('env', …) reads */
  env: Readonly<Record<string, string | undefined>>;
}

/** Whether `value` is, or holds (in a list or a mapping's values), a string with `{{`, `{%` or `{#`. */
export function isTemplated(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (TEMPLATE_START.test(v)) return true;
    } else if (Array.isArray(v)) stack.push(...v);
    else if (typeof v === 'object' && v !== null && !(v instanceof UnsafeText)) {
      const proto = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) stack.push(...Object.values(v));
    }
  }
  return false;
}

/**
 * `value` rendered for ctx.host: strings rendered, lists and mappings recursively, anything else
 * as is. Throws TemplateError for a template that cannot be rendered as Ansible would.
 */
export function renderValue(value: unknown, ctx: TemplateContext): unknown {
  try {
    return new Renderer(ctx).renderTop(value, { host: ctx.host, viaHostvars: false });
  } catch (err) {
    // the bounds keep recursion well inside the stack; this is the backstop
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new TemplateError(typeof value === 'string' ? value : '', 'the template nests too deeply to render: simplify it', 0);
    }
    throw err;
  }
}
