import { showText } from '../../shown.js';
import type { TemplateContext } from './template.js';
import { Fail, type FailKind, TemplateError } from './template-error.js';
import { type Resolver, type Scope, Evaluator } from './template-eval.js';
import { checkConstants } from './template-fold.js';
import { lexTemplate } from './template-lexer.js';
import { Budget, checkString, LIMITS } from './template-limits.js';
import { literalEval } from './template-literal.js';
import type { Node } from './template-ast.js';
import { parseExpression } from './template-parse.js';
import {
  fail,
  failUndefined,
  fromJSNumber,
  Global,
  HostVars,
  isSeq,
  NativeText,
  type Py,
  type PyDict,
  pyStr,
  seqItems,
  strOf,
  strRepr,
  toJS,
  Undef,
} from './template-values.js';
import { UnsafeText, VaultValue } from './yaml-tags.js';

/**
 * Ansible 2.14's Templar.template (jinja2_native off) over one host's variables: a variable a
 * template names is itself rendered when reached (lazily, once per renderValue call), a loop
 * among them is refused, `hostvars[h][v]` is rendered in h's context. What a template renders to
 * follows ansible_eval_concat: one `{{ var }}` naming a number, bool or null gives it as is, text
 * that reads as a Python list, dict or bool becomes one, anything else is a string.
 */

export const TEMPLATE_START = /\{\{|\{%|\{#/;

/** Templar.SINGLE_VAR: `{{ name }}` alone (Python's `$` also matches before a last newline). */
const SINGLE_VAR =
  /^\{\{[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([\p{L}\p{N}_]*)[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\}\}\n?$/u;

/** Variables Ansible sets when it runs a play: a template naming one cannot be rendered as Ansible would. */
const PLAY_VARIABLES = new Set(
  'playbook_dir play_hosts ansible_play_hosts ansible_play_hosts_all ansible_play_batch ansible_play_name ansible_playbook_python ansible_config_file omit vars role_names ansible_role_names ansible_play_role_names ansible_dependent_role_names ansible_version ansible_check_mode ansible_diff_mode ansible_forks ansible_inventory_sources ansible_limit ansible_run_tags ansible_skip_tags ansible_verbosity ansible_facts'.split(
    ' ',
  ),
);
/** Set by Ansible from the inventory's path; used if the loader gives them. */
const INVENTORY_PATH_VARIABLES = new Set(['inventory_dir', 'inventory_file']);
const GLOBALS = new Set('lookup query q now undef dict range lipsum cycler joiner namespace'.split(' '));
const MAGIC = new Set(['inventory_hostname', 'inventory_hostname_short', 'group_names', 'groups']);

/** A template read once: its text and its expressions' trees. */
type Parsed = ({ kind: 'text'; text: string } | { kind: 'expr'; node: Node; start: number; end: number })[];

/** What a variable rendered to, kept for the rest of the renderValue call. */
type Outcome = { value: Py } | { problem: string; kind: FailKind };

const trailingNewlines = (s: string) => s.length - s.replace(/\n+$/, '').length;

export class Renderer implements Resolver {
  readonly budget = new Budget();
  readonly env: Readonly<Record<string, string | undefined>>;
  private evaluator: Evaluator;
  private parsed = new Map<string, Parsed>();
  private outcomes = new Map<string, Outcome>();
  private active: { key: string; label: string }[] = [];
  private hostvars = new HostVars();

  constructor(private ctx: TemplateContext) {
    this.env = ctx.env;
    this.evaluator = new Evaluator(this, 2000);
  }

  /** renderValue: strings rendered, lists and mappings recursively, the rest as is. */
  renderTop(value: unknown, scope: Scope, depth = 0): unknown {
    if (value instanceof UnsafeText) return value.text;
    if (typeof value === 'string') {
      if (!TEMPLATE_START.test(value)) return value;
      const result = this.templateString(value, scope);
      try {
        return toJS(result, 0);
      } catch (err) {
        if (err instanceof Fail) throw new TemplateError(value, err.problem, 0, err.kind);
        throw err;
      }
    }
    if (depth > LIMITS.valueDepth) throw new TemplateError('', `the value is nested more than ${LIMITS.valueDepth} deep`, 0);
    if (Array.isArray(value)) return value.map((v) => this.renderTop(v, scope, depth + 1));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        Object.defineProperty(out, k, { value: this.renderTop(v, scope, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return value;
  }

  /** Templar.template on a raw value, inside the engine: its value as Python would hold it. */
  private templateValue(raw: unknown, scope: Scope, depth: number, pos: number): Py {
    if (depth > LIMITS.valueDepth) fail(`a value nested more than ${LIMITS.valueDepth} deep`, pos);
    if (raw instanceof UnsafeText) return raw.text;
    if (typeof raw === 'string') return TEMPLATE_START.test(raw) ? this.templateString(raw, scope) : raw;
    if (typeof raw === 'number') return fromJSNumber(raw);
    if (typeof raw === 'boolean' || raw === null || raw === undefined) return raw ?? null;
    if (Array.isArray(raw)) return raw.map((v) => this.templateValue(v, scope, depth + 1, pos));
    if (isPlainObject(raw)) {
      const d: PyDict = new Map();
      for (const [k, v] of Object.entries(raw)) d.set(k, this.templateValue(v, scope, depth + 1, pos));
      return d;
    }
    if (raw instanceof VaultValue) return fail('an encrypted (!vault) value inside a list or mapping cannot be used in a template', pos);
    return fail(`a value of type ${raw?.constructor?.name ?? typeof raw} cannot be used in a template`, pos);
  }

  private parse(s: string, scope: Scope): Parsed {
    let p = this.parsed.get(s);
    if (p) return p;
    if (s.length > LIMITS.templateLength) throw new TemplateError(s, `the template is longer than ${LIMITS.templateLength} characters`, 0);
    p = lexTemplate(s).map((part) => {
      if (part.kind === 'text') return part;
      try {
        const node = parseExpression(part.tokens);
        checkConstants(node, this.evaluator, scope);
        return { kind: 'expr', node, start: part.start, end: part.end };
      } catch (err) {
        if (err instanceof Fail) throw new TemplateError(s.slice(part.start, part.end), err.problem, err.offset, err.kind);
        throw err;
      }
    });
    this.parsed.set(s, p);
    return p;
  }

  /** Templar.template on a string that may be a template. */
  templateString(s: string, scope: Scope): Py {
    const single = SINGLE_VAR.exec(s);
    if (single && !MAGIC.has(single[1]!) && single[1] !== 'hostvars') {
      // a plain value only (a getter, as for a vault value, is a string: not read twice)
      const vars = this.ctx.varsOf(scope.host);
      const desc = vars && Object.getOwnPropertyDescriptor(vars, single[1]!);
      if (desc && 'value' in desc) {
        const raw: unknown = desc.value;
        if (typeof raw === 'number') return fromJSNumber(raw);
        if (typeof raw === 'boolean' || raw === null) return raw;
      }
    }
    const parts = this.parse(s, scope);
    const nodes: Py[] = [];
    for (const part of parts) {
      if (part.kind === 'text') {
        nodes.push(part.text);
        continue;
      }
      try {
        const v = this.evaluator.evaluate(part.node, scope);
        finalizeCheck(v, part.start, 0);
        nodes.push(v === null ? '' : v);
      } catch (err) {
        if (err instanceof Fail) throw new TemplateError(s.slice(part.start, part.end), err.problem, err.offset, err.kind);
        throw err;
      }
    }
    let result: Py;
    try {
      result = this.concat(nodes);
    } catch (err) {
      if (err instanceof Fail) throw new TemplateError(s, err.problem, 0, err.kind);
      throw err;
    }
    const text = strOf(result);
    if (text !== undefined) {
      const missing = trailingNewlines(s) - trailingNewlines(text);
      if (missing > 0) result = text + '\n'.repeat(missing);
    }
    return result;
  }

  /** ansible_eval_concat. */
  private concat(nodes: Py[]): Py {
    if (nodes.length === 0) return '';
    if (nodes.length === 1 && nodes[0] instanceof NativeText) return nodes[0];
    let length = 0;
    const out = nodes
      .map((n) => {
        const s = pyStr(n, 0);
        length += s.length;
        if (length > LIMITS.stringLength) fail(`the result is longer than ${LIMITS.stringLength} characters`, 0);
        return s;
      })
      .join('');
    if (out.startsWith('{') || out.startsWith('[') || out === 'True' || out === 'False') {
      return literalEval(out, this.budget, 0) ?? out;
    }
    return checkString(out, 0);
  }

  name(name: string, scope: Scope, pos: number): Py {
    const magic = this.magic(scope.host, name);
    if (magic !== undefined) return magic;
    if (name === 'hostvars' && !scope.viaHostvars) return this.hostvars;
    if (PLAY_VARIABLES.has(name)) playVariable(name, pos);
    const vars = this.ctx.varsOf(scope.host);
    if (vars && Object.hasOwn(vars, name)) return this.variable(scope, name, vars, pos);
    if (INVENTORY_PATH_VARIABLES.has(name)) playVariable(name, pos);
    if (GLOBALS.has(name)) return new Global(name);
    return new Undef(`${strRepr(name)} is undefined`, pos);
  }

  private magic(host: string, name: string): Py | undefined {
    switch (name) {
      case 'inventory_hostname':
        return host;
      case 'inventory_hostname_short':
        return host.split('.')[0]!;
      case 'group_names':
        return [...this.ctx.groupNames(host)];
      case 'groups': {
        const d: PyDict = new Map();
        for (const [g, hosts] of this.ctx.groups) d.set(g, [...hosts]);
        return d;
      }
      default:
        return undefined;
    }
  }

  hostExists(host: string): boolean {
    return this.ctx.varsOf(host) !== undefined;
  }

  hasHostVar(host: string, name: string): boolean {
    if (MAGIC.has(name)) return true;
    const vars = this.ctx.varsOf(host);
    return vars !== undefined && Object.hasOwn(vars, name);
  }

  hostVar(host: string, name: string, pos: number): Py {
    const magic = this.magic(host, name);
    if (magic !== undefined) return magic;
    if (PLAY_VARIABLES.has(name)) playVariable(name, pos);
    const value = this.variable({ host, viaHostvars: true }, name, this.ctx.varsOf(host)!, pos);
    if (value instanceof Undef) {
      // Ansible renders hostvars[h][v] with fail_on_undefined=False: it would use the template's text
      fail(`${value.message} (Ansible would use the template's text as it is)`, pos);
    }
    return value;
  }

  renderTerm(term: string, scope: Scope, pos: number): Py {
    try {
      return this.templateString(term, scope);
    } catch (err) {
      if (err instanceof TemplateError) throw new Fail(`the lookup term ${showText(err.expression)}: ${err.problem}`, pos, err.kind);
      throw err;
    }
  }

  /** A variable of `scope.host`, rendered (once) in its context. */
  private variable(scope: Scope, name: string, vars: Readonly<Record<string, unknown>>, pos: number): Py {
    const key = `${scope.viaHostvars ? 'h' : 'm'}\u0000${scope.host}\u0000${name}`;
    const label = scope.viaHostvars || scope.host !== this.ctx.host ? `hostvars[${strRepr(scope.host)}].${name}` : name;
    let outcome = this.outcomes.get(key);
    if (!outcome) {
      const seen = this.active.findIndex((a) => a.key === key);
      if (seen >= 0) {
        const chain = [...this.active.slice(seen).map((a) => a.label), label].join(' → ');
        throw new Fail(`recursive loop detected in template: ${chain}`, pos, 'loop');
      }
      if (this.active.length > LIMITS.chain) {
        fail(`variables refer to one another more than ${LIMITS.chain} deep: ${this.active[0]!.label} → … → ${label}`, pos);
      }
      this.active.push({ key, label });
      try {
        outcome = { value: this.templateValue(vars[name], scope, 0, pos) };
      } catch (err) {
        if (err instanceof Fail && err.kind === 'loop') throw new Fail(err.problem, pos, 'loop');
        if (err instanceof TemplateError) {
          outcome =
            err.kind === 'loop'
              ? { problem: err.problem, kind: 'loop' }
              : { problem: `${label} = ${showText(err.expression)}: ${err.problem}`, kind: err.kind };
        } else if (err instanceof Fail) outcome = { problem: `${label}: ${err.problem}`, kind: err.kind };
        else throw err;
      } finally {
        this.active.pop();
      }
      this.outcomes.set(key, outcome);
    }
    if ('value' in outcome) return outcome.value;
    if (outcome.kind === 'undefined') return new Undef(outcome.problem, pos);
    throw new Fail(outcome.problem, pos, outcome.kind);
  }
}

function playVariable(name: string, pos: number): never {
  return fail(`'${name}' is set by Ansible when it runs a playbook; cnet-remote does not provide it: write the value into the inventory`, pos);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** _ansible_finalize: an undefined value anywhere in what `{{ }}` prints fails. */
function finalizeCheck(v: Py, pos: number, depth: number): void {
  if (v instanceof Undef && !v.lenient) failUndefined(v);
  if (depth > LIMITS.valueDepth) fail(`a value nested more than ${LIMITS.valueDepth} deep`, pos);
  if (isSeq(v)) for (const item of seqItems(v)) finalizeCheck(item, pos, depth + 1);
  else if (v instanceof Map) for (const item of v.values()) finalizeCheck(item, pos, depth + 1);
}
