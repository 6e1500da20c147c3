/**
 * Differential test of our template engine against the real one: every case of the table is
 * rendered by renderValue and by Ansible's own Templar (ansible-core 2.14, Debian's, with its
 * Jinja2 3.1), in one python3 process for the whole table. The Python side builds a real
 * inventory (InventoryData: hosts, groups, group and host variables), a VariableManager and
 * HostVars over it, takes `VariableManager.get_vars(host)` as the variables (magic variables and
 * hostvars included, as a task sees them) and calls `Templar(loader, variables).template(value)`.
 * Our side gets, from the same Python process, each host's variables after Ansible's precedence
 * (raw: combine_vars of its groups' and its own), `groups` and `group_names`, so both render over
 * the same inventory. Besides the hand-written table, three generators (fixed seeds) make up
 * expressions, templates of text and tags, and texts that read as Python literals; TPL_GEN=3000
 * runs more of each. A case agrees when both give the same value and type (a string is not a
 * number; lists, mappings and numbers compared as JSON) or both refuse (ours must be a
 * TemplateError). Where we differ on purpose the case says so:
 * - `ansible-keeps-text`: Ansible renders hostvars[h][v] with fail_on_undefined=False and keeps
 *   the template's text when it cannot render it; the issue wants an error instead. The same
 *   goes, without saying, for a case Ansible gives back unrendered (its Jinja2 failed compiling
 *   it: an undefined constant tested for truth, see template-fold.ts);
 * - `we-refuse`: Ansible renders it, cnet-remote's subset does not (a Python method, a
 *   statement, a filter or test outside the subset, a bound); the same goes, without saying, for
 *   a value JS has none for (Python's set, bytes, complex, `...`, a mapping key not a string).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTemplated, renderValue, type TemplateContext, TemplateError } from '../../../src/inventory/ansible/template.js';
import { UnsafeText } from '../../../src/inventory/ansible/yaml-tags.js';
import { randomBelow } from '../../support/mulberry32.js';
import { ANSIBLE_PYTHON } from './run-python.js';

type Vars = Record<string, unknown>;
interface Inventory {
  hosts: Record<string, Vars>;
  groups: Record<string, { hosts?: string[]; children?: string[]; vars?: Vars }>;
}
interface Case {
  /** what is rendered (a template, or a list or mapping holding some) */
  t: unknown;
  /** host it is rendered for (default web1) */
  host?: string;
  /** more variables for web1 */
  vars?: Vars;
  /** replaces the standard inventory */
  inventory?: Inventory;
  env?: Record<string, string | null>;
  expect?: 'ansible-keeps-text' | 'we-refuse';
  /** why we differ (with expect) */
  why?: string;
  /** a label for a long template */
  name?: string;
}

const STANDARD: Inventory = {
  hosts: {
    web1: {
      port: 22,
      name: 'Web01',
      flag: true,
      nothing: null,
      ratio: 1.5,
      lst: [1, 2],
      d: { k: 'v', n: 3 },
      tpl_port: '{{ port }}',
      u: '{{ nope }}',
      x: '{{ x }}',
      a: '{{ b }}',
      b: '{{ c }}',
      c: '{{ a }}',
      dt: { a: '{{ port }}', b: 'text' },
      lt: ['{{ port }}', 'x', '{{ name | lower }}'],
      bad_d: { ok: 'x', broken: '{{ nope }}' },
      lx: ['{{ lx }}'],
      user: '{{ admin }}',
      ml: 'one\ntwo',
      ml2: 'x\n',
      two_nl: 'v\n\n',
      spaced: '\u00a0a\u3000',
      l_nl: ['a\nb', "it's", '\u200b'],
      unicode_ünï: 'ü',
      envname: 'CNET_TPL_A',
      items: 'an item',
    },
    web2: { port: 2222 },
    db1: {
      dbv: 'dbvalue',
      ansible_host: '10.0.0.5',
      t: '{{ dbv }}-{{ inventory_hostname }}',
      bad: '{{ nope }}',
      hv: "{{ hostvars['web1'].port }}",
      loop: '{{ loop }}',
    },
    'app.example.com': {},
  },
  groups: {
    all: { vars: { site: 'hq', admin: '{{ site }}-admin' } },
    web: { hosts: ['web1', 'web2'], vars: { gv: '{{ inventory_hostname }}-g', role: 'webserver', port: 80 } },
    db: { hosts: ['db1'] },
    apps: { hosts: ['app.example.com'], children: ['db'] },
  },
};

const chain = (n: number): Vars => {
  const v: Vars = {};
  for (let i = 0; i < n; i++) v[`v${i}`] = `{{ v${i + 1} }}`;
  v[`v${n}`] = 'end';
  return v;
};
const doubling = (n: number): Vars => {
  const v: Vars = { l0: 'ab' };
  for (let i = 1; i <= n; i++) v[`l${i}`] = `{{ l${i - 1} }}{{ l${i - 1} }}`;
  return v;
};

const TABLE: Case[] = [
  // what a template renders to: ansible_eval_concat's types
  { t: '{{ 22 }}' },
  { t: '{{ true }}' },
  { t: '{{ port }}' },
  { t: '{{ port }}\n' },
  { t: '{{ port }}\n\n' },
  { t: '{{ port | int }}' },
  { t: '{{ flag }}' },
  { t: '{{ ratio }}' },
  { t: '{{ nothing }}' },
  { t: '{{ nothing }}x' },
  { t: '{{ none }}' },
  { t: '{{ lst }}' },
  { t: ' {{ lst }}' },
  { t: '{{ d }}' },
  { t: '{{ tpl_port }}' },
  { t: '{{ "[1, 2]" }}' },
  { t: "{{ 'True' }}" },
  { t: "{{ 'true' }}" },
  { t: '{{ "1.5" }}' },
  { t: '{{ 1.5 }}' },
  { t: '{{ 1.0 }}' },
  { t: '{{ 1e20 }}' },
  { t: '{{ 1e-5 }}' },
  { t: '{{ 0.1 + 0.2 }}' },
  { t: '{{ 123456789012345678901 }}' },
  { t: '{{ 2 ** 100 }}' },
  { t: 'plain text' },
  { t: '}} not a template {' },
  { t: 'a\r\nb {{ 1 }}' },
  { t: 'x\n\n\n{{ "a" }}\n\n' },
  { t: '\\{{ two_nl }}\n\n', name: 'backslash mode: one more trailing newline dropped' },
  { t: '{{ two_nl }}\n\n' },
  { t: '{{ "[1," }}{{ "2]" }}' },
  { t: "{{ '{' }}" },
  { t: "{{ '{{' }}" },
  { t: '{{ "" }}' },
  { t: '{{ d | string }}' },
  { t: "{{ 'True' | string }}" },
  { t: "{{ [1, 'a', none, true, 1.5, {'k': [2]}] }}" },
  { t: "{{ {'a': 1, 'b': [1, 2]} }}" },
  { t: '{{ [] }}' },
  { t: '{{ {} }}' },
  { t: '{{ () }}' },
  { t: '{{ 1, 2 }}' },
  { t: '{{ (1,) }}' },
  { t: '{{ ["it\'s"] }}' },
  { t: "{{ ['a\\nb'] }}" },
  { t: '{{ l_nl }}' },
  { t: '{{ [1 if false] }}' },
  { t: '{{ 1 if false }}' },
  { t: '{{ (1 if false) | default("z") }}' },
  { t: '{{ (1 if false) ~ "x" }}' },
  { t: '{{ (1 if false) + 1 }}' },
  { t: "{{ 'x' if 'abc'['k'] else 'y' }}", name: 'an undefined constant tested: Ansible keeps the text' },
  { t: "{{ ('a' if [][0] else 'b') if false else 'c' }}", name: 'the same in a branch never taken' },
  { t: "{{ ([] | first) ~ 'x' }}" },
  { t: "{{ [][0] | default('fine') }}" },
  // variables: lazily rendered, precedence, group variables, nesting
  { t: '{{ gv }}' },
  { t: '{{ admin }}' },
  { t: '{{ user }}' },
  { t: '{{ role }} {{ site }}' },
  { t: '{{ d.k }} {{ d["k"] }} {{ lst[0] }} {{ lst.1 }} {{ lst[-1] }}' },
  { t: "{{ lst[5] | default('none') }}" },
  { t: "{{ d.z | default('q') }}" },
  { t: '{{ d.k.x | default(1) }}' },
  { t: '{{ dt.a }}' },
  { t: '{{ dt }}' },
  { t: '{{ lt }}' },
  { t: '{{ lt[2] }}' },
  { t: '{{ bad_d.ok }}' },
  { t: '{{ bad_d | default("whole") }}' },
  { t: '{{ unicode_ünï }}' },
  { t: '{{ items }}' },
  { t: '{{ d.items }}', expect: 'we-refuse', why: 'a Python method (Ansible prints "<built-in method items …>")' },
  { t: '{{ name.upper() }}', expect: 'we-refuse', why: 'Python methods are outside the subset' },
  { t: '{{ port.real }}', expect: 'we-refuse', why: 'a Python attribute' },
  // undefined values
  { t: '{{ nope }}' },
  { t: 'user {{ nope }}' },
  { t: '{{ nope | default("d") }}' },
  { t: '{{ nope | d("d") }}' },
  { t: '{{ "" | default("d", true) }}' },
  { t: '{{ "" | default("d") }}' },
  { t: '{{ nope.x.y | default(3) }}' },
  { t: '{{ u }}' },
  { t: '{{ u | default(5) }}' },
  { t: '{{ u is defined }}' },
  { t: '{{ nope is undefined }} {{ nope is not defined }}' },
  { t: '{{ nothing is none }} {{ nope is none }}' },
  { t: '{{ [nope] | length }}' },
  { t: '{{ [nope] }}' },
  { t: '{{ [nope] | first | default(2) }}' },
  { t: '{{ nope ~ "x" }}' },
  { t: '{{ nope == 1 }}' },
  { t: '{{ not nope }}' },
  { t: '{{ nope | lower }}' },
  { t: '{{ nope | int }}' },
  { t: '{{ lst[nope] }}' },
  { t: '{{ lst[nope] | default(1) }}' },
  { t: '{{ d[nope] | default(1) }}' },
  { t: '{{ nope | default(None) }}' },
  { t: "{{ 'a' if nope is defined else 'b' }} {{ port is not none }}" },
  // magic variables and hostvars
  { t: '{{ inventory_hostname }}' },
  { t: '{{ inventory_hostname_short }}', host: 'app.example.com' },
  { t: '{{ group_names }}' },
  { t: '{{ group_names }}', host: 'db1' },
  { t: "{{ groups['web'] }}" },
  { t: '{{ groups.all }}' },
  { t: "{{ groups['nope'] | default([]) }}" },
  { t: '{{ groups }}' },
  { t: "{{ groups['apps'] | length }}" },
  { t: "{{ hostvars['db1'].dbv }}" },
  { t: '{{ hostvars.db1.dbv }}' },
  { t: "{{ hostvars[groups['db'][0]].ansible_host }}" },
  { t: "{{ hostvars['nohost'] is defined }}" },
  { t: "{{ hostvars['nohost'].x }}" },
  { t: "{{ hostvars['db1'].nope | default('x') }}" },
  { t: "{{ hostvars['db1'].t }}" },
  { t: "{{ hostvars['db1'].inventory_hostname }} {{ hostvars['db1'].group_names }}" },
  { t: "{{ 'db1' in hostvars }} {{ 'dbv' in hostvars['db1'] }} {{ 'nope' in hostvars['db1'] }}" },
  { t: '{{ hostvars[inventory_hostname].port }}' },
  { t: "{{ hostvars[inventory_hostname]['name'] | lower }}" },
  { t: '{{ ansible_host | default(inventory_hostname) }}' },
  { t: '{{ ansible_host | default(inventory_hostname) }}', host: 'db1' },
  { t: "{{ groups['web'] | first }} {{ groups.web[1] }} {{ (groups['web'] | length) > 1 }}" },
  { t: "{{ name ~ '-' ~ inventory_hostname }}" },
  {
    t: '{{ship_user}}',
    inventory: { hosts: { web1: { admin_user: 'deploy' } }, groups: { web: { hosts: ['web1'], vars: { ship_user: '{{ admin_user }}' } } } },
  },
  { t: '{{ playbook_dir }}/keys', expect: 'we-refuse', why: 'a playbook variable: cnet-remote runs no playbook' },
  { t: '{{ nope | default(omit) }}', expect: 'we-refuse', why: 'omit is a playbook variable' },
  { t: '{{ "%s-%s" | format(1, 2) }}', expect: 'we-refuse', why: 'a filter outside the subset' },
  { t: "{{ hostvars['db1'].loop }}" },
  { t: "{{ hostvars['web2'].port + port }}" },
  { t: "{{ hostvars['db1'].bad }}", expect: 'ansible-keeps-text', why: 'hostvars renders with fail_on_undefined=False' },
  { t: "{{ hostvars['db1'].bad | default('fallback') }}", expect: 'ansible-keeps-text', why: 'the text is kept, so default does not apply' },
  { t: "{{ hostvars['db1'].hv }}", expect: 'ansible-keeps-text', why: 'hostvars is not defined inside hostvars' },
  { t: "{{ hostvars['db1'] }}", name: "hostvars['db1'] whole: Ansible renders each variable, and db1's loop fails" },
  { t: "{{ hostvars['web2'] }}", expect: 'we-refuse', why: "a whole host's variables (with Ansible's playbook_dir, omit, …) is not rendered" },
  // operators
  { t: '{{ port + 1 }}' },
  { t: '{{ port ~ 1 }}' },
  { t: '{{ "a" + 1 }}' },
  { t: '{{ "a" ~ 1 ~ none ~ true }}' },
  { t: '{{ [1] + [2] }}' },
  { t: '{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 7 / 2 }} {{ 7.5 // 2 }}' },
  { t: '{{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2 ** 3 ** 2 }}' },
  { t: '{{ 1 / 0 }}' },
  { t: '{{ 1 // 0 }}' },
  { t: '{{ "ab" * 3 }} {{ [0] * 3 }} {{ 2 * "x" }}' },
  { t: '{{ -port }} {{ +port }} {{ 10 - 2.5 }} {{ true + 1 }}' },
  { t: '{{ 1 == 1.0 }} {{ [1] == (1,) }} {{ d == {"k": "v", "n": 3} }}' },
  { t: '{{ 1 < 2 < 3 }} {{ 3 < 2 < 1 }}' },
  { t: '{{ 1 < "a" }}' },
  { t: '{{ "a" < "b" }} {{ [1, 2] < [1, 3] }} {{ "Z" < "a" }}' },
  { t: '{{ "a" in "abc" }} {{ 2 in lst }} {{ "k" in d }} {{ "z" not in d }}' },
  { t: '{{ 1 in "abc" }}' },
  { t: '{{ not lst }} {{ lst and "yes" }} {{ "" or "fallback" }} {{ none or 0 }}' },
  { t: '{{ port if port > 20 else 0 }}' },
  { t: '{{ 2 > 1 and "x" or "y" }}' },
  { t: '{{ d.k == "v" }}' },
  { t: '{{ "abc"[1:] }} {{ lst[::-1] }} {{ "héllo"[1] }} {{ "abcdef"[-2:0:-2] }}' },
  { t: '{{ 0x1F }} {{ 1_000 }} {{ 0b101 }} {{ 0o17 }} {{ 1.5e3 }}' },
  { t: '{{-1}}' },
  { t: '{{ "a" "b" }}' },
  { t: '{{ "%s" % 1 }}', expect: 'we-refuse', why: 'printf-style formatting is outside the subset' },
  // filters
  { t: '{{ "42" | int }} {{ "42.7" | int }} {{ " 7 " | int }} {{ "x" | int }} {{ "x" | int(5) }}' },
  { t: '{{ "ff" | int(base=16) }} {{ "0x1f" | int(0, 16) }} {{ "0x1f" | int(base=0) }} {{ "1_000" | int }} {{ "012" | int }}' },
  { t: '{{ 3.9 | int }} {{ -3.9 | int }} {{ none | int }} {{ true | int }} {{ "1e3" | int }} {{ "nan" | int }} {{ lst | int }}' },
  { t: '{{ "inf" | int }}' },
  { t: '{{ port | int + 1 }}' },
  { t: '{{ 1 | string }} {{ none | string }} {{ "[1]" | string }}' },
  { t: '{{ lst | string }}' },
  { t: '{{ name | lower }} {{ name | upper }} {{ "ß" | upper }} {{ none | lower }}' },
  { t: '{{ lst | upper }}' },
  { t: '{{ "  a  " | trim }}|{{ "xxaxx" | trim("x") }}|{{ spaced | trim }}|' },
  {
    t: '{{ "yes" | bool }} {{ "On" | bool }} {{ "no" | bool }} {{ 1 | bool }} {{ 0 | bool }} {{ "1" | bool }} {{ "TRUE" | bool }} {{ 2 | bool }} {{ 1.0 | bool }}',
  },
  { t: '{{ none | bool }}' },
  { t: '{{ "yes" | bool }}' },
  { t: '{{ "yes" | ansible.builtin.bool }}' },
  { t: '{{ "aaa" | replace("a", "b", 2) }} {{ "abc" | replace("", "-") }} {{ name | replace("0", "O") }} {{ 123 | replace(2, 9) }}' },
  { t: '{{ lst | join(",") }} {{ ["a", none, 1] | join("-") }} {{ "abc" | join(".") }} {{ d | join }}' },
  { t: '{{ 5 | join }}' },
  { t: '{{ lst | first }} {{ lst | last }} {{ "abc" | first }} {{ "abc" | last }} {{ d | first }} {{ d | last }}' },
  { t: '{{ [] | first | default("empty") }}' },
  { t: '{{ [] | first }}' },
  { t: '{{ lst | length }} {{ "héllo" | length }} {{ d | count }} {{ groups.web | length }}' },
  { t: '{{ 5 | length }}' },
  { t: '{{ "web01.example.com" | regex_replace("\\..*$", "") }}' },
  { t: '{{ "abc" | regex_replace("(b)", "[\\1]") }} {{ "abc" | regex_replace("(a)(x)?", "[\\2]") }}' },
  { t: '{{ "ABC" | regex_replace("b", "x", ignorecase=true) }} {{ "aXbX" | regex_replace("x", "-", true) }}' },
  { t: '{{ ml | regex_replace("^t", "T", multiline=true) }}' },
  { t: '{{ ml | regex_replace("^t", "T") }}' },
  { t: '{{ ml2 | regex_replace("$", "!") }}' },
  { t: '{{ ml2 | regex_replace("$", "!", multiline=true) }}' },
  { t: '{{ "aaa" | regex_replace("a*", "-") }} {{ "b" | regex_replace("|b", "-") }} {{ "baac" | regex_replace("a*", "-") }}' },
  { t: '{{ "x1y22" | regex_replace("\\d+", "#") }} {{ "héllo wörld" | regex_replace("\\w+", "W") }} {{ "a b\tc" | regex_replace("\\s", "_") }}' },
  { t: '{{ "ab" | regex_replace("(?P<x>a)", "\\g<x>\\g<0>") }}' },
  { t: '{{ "abab" | regex_replace("(?:ab)+?", "-") }} {{ "aaa" | regex_replace("a{2}", "b") }} {{ "a{" | regex_replace("{", "(") }}' },
  { t: '{{ "2024-01-02" | regex_replace("^(\\d{4})-(\\d\\d)-(\\d\\d)$", "\\3/\\2/\\1") }}' },
  { t: '{{ 123 | regex_replace("2", "x") }} {{ "abc" | regex_replace("\\bb", "x") }} {{ "a-b_c" | regex_replace("[^a-z]", "") }}' },
  { t: '{{ "x.y" | regex_replace("[.]", "\\n") }}' },
  { t: '{{ "aa" | regex_replace("a", "\\-") }}' },
  { t: '{{ "a.b" | regex_replace("\\.", "\\\\") }}' },
  { t: '{{ "abc" | regex_replace("[", "") }}' },
  { t: '{{ "abc" | regex_replace("(a)", "\\2") }}' },
  { t: '{{ "abc" | regex_replace("a", "\\q") }}' },
  { t: '{{ "Hello" | ansible.builtin.regex_replace("l+", "L") }}' },
  { t: '{{ "Hello" | regex_replace("(?i)h", "j") }}', expect: 'we-refuse', why: 'inline regex flags are outside the subset' },
  { t: '{{ "ab" | regex_replace("a(?=b)", "x") }}', expect: 'we-refuse', why: 'lookahead is outside the subset' },
  { t: '{{ lst | nosuchfilter }}' },
  { t: '{{ "a" | ansible.builtin.upper }}' },
  { t: '{{ lst | to_json }}', expect: 'we-refuse', why: 'a filter outside the subset' },
  { t: '{{ 1 is number }}', expect: 'we-refuse', why: 'a test outside the subset' },
  { t: '{{ 1 is nosuchtest }}' },
  { t: '{{ port is defined(1) }}' },
  // lookup('env')
  { t: "{{ lookup('env', 'CNET_TPL_A') }}", env: { CNET_TPL_A: 'alpha' } },
  { t: "{{ lookup('ansible.builtin.env', 'CNET_TPL_A') }}", env: { CNET_TPL_A: 'alpha' } },
  { t: "{{ lookup('env', 'CNET_TPL_UNSET') }}", env: { CNET_TPL_UNSET: null } },
  { t: "{{ lookup('env', 'CNET_TPL_UNSET', default='dflt') }}", env: { CNET_TPL_UNSET: null } },
  { t: "{{ lookup('env', 'CNET_TPL_UNSET') | default('x', true) }}", env: { CNET_TPL_UNSET: null } },
  { t: "{{ lookup('env', 'CNET_TPL_A', 'CNET_TPL_B') }}", env: { CNET_TPL_A: 'alpha', CNET_TPL_B: 'beta' } },
  { t: "{{ query('env', 'CNET_TPL_A') }} {{ q('env', 'CNET_TPL_A') }}", env: { CNET_TPL_A: 'alpha' } },
  { t: "{{ lookup('env', 'CNET_TPL_A', wantlist=true) }}", env: { CNET_TPL_A: 'alpha' } },
  { t: "{{ lookup('env', 'CNET_TPL_LIST') }}", env: { CNET_TPL_LIST: '[1, 2]' } },
  { t: "{{ lookup('env', 'CNET_TPL_TPL') }}", env: { CNET_TPL_TPL: '{{ port }}' } },
  { t: "{{ lookup('env', 'CNET_TPL_A more words') }}", env: { CNET_TPL_A: 'alpha' } },
  { t: "{{ lookup('env', '{{ envname }}') }}", env: { CNET_TPL_A: 'alpha' } },
  { t: "{{ lookup('env', 'CNET_TPL_UNSET', default=5) }}", env: { CNET_TPL_UNSET: null } },
  { t: "{{ lookup('env') }}" },
  { t: "{{ lookup('env', nope) }}" },
  { t: "{{ lookup('env', 5) }}" },
  { t: "{{ lookup('nosuchplugin', 'x') }}" },
  { t: "{{ lookup('env', '') }}" },
  { t: "{{ lookup('env', 'CNET_TPL_USER') | default('root', true) }}", env: { CNET_TPL_USER: '' } },
  // syntax
  { t: '{{ }}' },
  { t: '{{ port' },
  { t: '{{ 1 + }}' },
  { t: '{{ "abc }}' },
  { t: "{{ 'it\\'s' }}" },
  { t: '{{ (1 }}' },
  { t: '{{ 1 ] }}' },
  { t: '{{ 1abc }}' },
  { t: '{# unterminated' },
  { t: 'a {# c #} b' },
  { t: 'a {#- c -#} b' },
  { t: 'a\n{# c #}\nb' },
  { t: 'x {{- 1 -}} y' },
  { t: 'x\n  {{- 1 }}  \ny' },
  { t: '{{ 1 }} {{+ 2 }}' },
  { t: '{% raw %}{{ x }}{% endraw %}' },
  { t: 'a {%- raw -%}  {{ x }}  {%- endraw -%} b' },
  { t: '{% raw %}\n{{ x }}{% endraw %}\nb' },
  { t: '{% raw %}{{ x }}' },
  { t: '{{ port }}}' },
  { t: '{{ {"a": 1}}}' },
  { t: '{% if true %}x{% endif %}', expect: 'we-refuse', why: 'statements are outside the subset (issue 13)' },
  { t: '{% set y = 1 %}{{ y }}', expect: 'we-refuse', why: 'statements are outside the subset (issue 13)' },
  { t: '{% endif %}' },
  // lists and mappings rendered element by element
  { t: ['{{ port }}', 'plain', 3, '{{ lst }}'] },
  { t: { user: '{{ name | lower }}', n: '{{ port }}', nested: { deeper: ['{{ role }}'] } } },
  { t: ['ok', '{{ nope }}'] },
  // loops and hostile input
  { t: '{{ x }}' },
  { t: '{{ a }}' },
  { t: '{{ x | default(1) }}' },
  { t: '{{ lx }}' },
  { t: '{{ v0 }}', vars: chain(100), name: 'a chain of 100 variables' },
  { t: '{{ v0 }}', vars: chain(200), name: 'a chain of 200 variables' },
  { t: '{{ l12 | length }}', vars: doubling(12), name: 'each variable twice the one before, 12 deep' },
  { t: `{{ ${'('.repeat(70)}1${')'.repeat(70)} }}`, name: '70 nested parentheses' },
  { t: `{{ ${'('.repeat(100)}1${')'.repeat(100)} }}`, name: '100 nested parentheses' },
  { t: `{{ ${'['.repeat(10000)}${']'.repeat(10000)} }}`, name: '10000 nested brackets' },
  { t: `{{ ${'not '.repeat(200)}1 }}`, name: '200 nots' },
  { t: `{{ ${'not '.repeat(1000)}1 }}`, name: '1000 nots' },
  { t: `{{ 1${' | int'.repeat(300)} }}`, name: '300 filters' },
  { t: `{{ 1${' | int'.repeat(2000)} }}`, name: '2000 filters' },
  { t: `{{ 1${' + 1'.repeat(2000)} }}`, name: '2000 additions' },
  { t: `${'text '.repeat(100_000)}{{ port }}`, name: 'a 500 KB template' },
  { t: `{{ '${'x'.repeat(200_000)}' | length }}`, name: 'a 200 KB string literal' },
  { t: '{{ ("a" * 100000) | length }}' },
  { t: '{{ "a" * 100000 | length }}' },
  { t: `${'x'.repeat(1_100_000)}{{ port }}`, name: 'a 1.1 MB template', expect: 'we-refuse', why: 'templates are bounded at 1 MiB' },
];

/**
 * Expressions made up from a small grammar (literals, web1's variables, operators, the filters
 * and tests of the subset), the same every run (a fixed seed): each must agree with Ansible too.
 */
function generated(count: number, seed: number): Case[] {
  const rand = randomBelow(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
  const atoms = [
    '0',
    '1',
    '-2',
    '3.5',
    '0.0',
    '1.5e3',
    "'a'",
    "'Ab c'",
    "''",
    "'12'",
    "' 7 '",
    "'yes'",
    "'[1]'",
    "'True'",
    "'{'",
    "'ß'",
    'true',
    'false',
    'none',
    '[]',
    '[1, 2]',
    "['x', 'y']",
    "[1, 'a']",
    '(1, 2)',
    "{'k': 1}",
    'port',
    'name',
    'lst',
    'd',
    'nothing',
    'flag',
    'ratio',
    'nope',
    'u',
    'dt',
    'lt',
    'tpl_port',
    'd.k',
    'lst[0]',
    'groups.web',
    'group_names',
    'inventory_hostname',
    'hostvars.db1.dbv',
    "hostvars['web2'].port",
    "lookup('env', 'CNET_TPL_UNSET')",
  ];
  const filters = [
    'int',
    'string',
    'lower',
    'upper',
    'trim',
    'bool',
    'length',
    'first',
    'last',
    "join(',')",
    "default('z')",
    "default('z', true)",
    "replace('a', 'b')",
    'd(0)',
    "regex_replace('[aeiou]', '_')",
    "regex_replace('(\\w)(\\w)', '\\2\\1')",
    "regex_replace('^', '>')",
    'int(7)',
  ];
  const ops = ['+', '-', '*', '/', '//', '**', '~', '==', '!=', '<', '>=', 'and', 'or', 'in', 'not in'];
  const expr = (depth: number): string => {
    const r = rand(depth > 2 ? 2 : 8);
    if (r <= 1) return pick(atoms);
    if (r === 7) return `${pick(['lst', 'name', "'abcdef'", '[1, 2, 3]', 'd'])}${pick(['[1:]', '[-1]', '[::2]', '[5]', "['k']", '[0]'])}`;
    if (r === 2) return `${expr(depth + 1)} | ${pick(filters)}`;
    if (r === 3) return `(${expr(depth + 1)} ${pick(ops)} ${expr(depth + 1)})`;
    if (r === 4) return `${expr(depth + 1)} is ${pick(['defined', 'undefined', 'none', 'not defined'])}`;
    if (r === 5) return `(${expr(depth + 1)} if ${expr(depth + 1)} else ${expr(depth + 1)})`;
    return `not ${expr(depth + 1)}`;
  };
  return Array.from({ length: count }, () => ({ t: rand(4) === 0 ? `x{{ ${expr(0)} }}` : `{{ ${expr(0)} }}` }));
}

/** Templates made up from pieces of text and tags (whitespace control, comments, raw, newlines, backslashes, brackets): the lexer and what the text renders to. */
function shapes(count: number, seed: number): Case[] {
  const rand = randomBelow(seed);
  const pieces = [
    'a',
    ' ',
    '  ',
    '\n',
    '\r\n',
    '\t',
    '\\',
    '{',
    '}',
    '[',
    ']',
    "'",
    '"',
    'True',
    ',',
    '#}',
    '%}',
    '}}',
    '{# c #}',
    '{#- c -#}',
    '{#+ c #}',
    '{% raw %}x{{ y }}{% endraw %}',
    '{%- raw %} r {% endraw -%}',
    '{{ port }}',
    '{{- name -}}',
    '{{ name -}}',
    '{{- lst }}',
    '{{ lst }}',
    '{{ "[1" }}',
    '{{ "]" }}',
    '{{ d }}',
    '{{ none }}',
    '{{ nothing }}',
    '{{ "\\\\n" }}',
    "{{ 'a\\b' }}",
    '{{ "x\ny" }}',
    '{{ ml }}',
    '{{ two_nl }}',
    '{{ flag }}',
    "{{ '{' }}",
    '{{ 1 }}',
  ];
  return Array.from({ length: count }, () => {
    const n = 1 + rand(6);
    let t = '';
    for (let i = 0; i < n; i++) t += pieces[rand(pieces.length)]!;
    return { t };
  });
}

/** Texts a template renders to that start like a Python literal: Ansible reads them with ast.literal_eval. */
function literals(count: number, seed: number): Case[] {
  const rand = randomBelow(seed);
  const pieces = [
    '[',
    ']',
    '{',
    '}',
    '(',
    ')',
    ',',
    ', ',
    ':',
    ': ',
    ' ',
    '1',
    '-',
    '+',
    '-1',
    '2.5',
    '1e3',
    '.5',
    '1_0',
    '0x1F',
    '0o7',
    '01',
    '00',
    "'a'",
    '"b"',
    "'it\\'s'",
    "'\\n'",
    "'\\x41'",
    "r'\\d'",
    "b'x'",
    "u'u'",
    "f'x'",
    "'''t'''",
    'True',
    'False',
    'None',
    'true',
    'null',
    'x',
    '2j',
    '...',
    'set()',
    '#c\n',
    '\n',
    '\n ',
    '\t',
    '\\\n',
    "'a' 'b'",
    "'ü'",
    "'\\u00fc'",
  ];
  return Array.from({ length: count }, () => {
    let text = rand(2) ? '[' : '{';
    const n = 1 + rand(8);
    for (let i = 0; i < n; i++) text += pieces[rand(pieces.length)]!;
    if (rand(3)) text += text.startsWith('[') ? ']' : '}';
    return { t: '{{ lit }}', vars: { lit: text }, name: `renders to ${JSON.stringify(text)}` };
  });
}

const CASES: Case[] = [
  ...TABLE,
  ...generated(Number(process.env.TPL_GEN ?? 400), 2024),
  ...shapes(Number(process.env.TPL_GEN ?? 400), 12),
  ...literals(Number(process.env.TPL_GEN ?? 400), 7),
];

/** The Python side: one process for the table (see the header). Prints JSON. */
const HARNESS = `
import json, os, sys
from ansible.parsing.dataloader import DataLoader
from ansible.inventory.manager import InventoryManager
from ansible.vars.manager import VariableManager
from ansible.vars.hostvars import HostVars
from ansible.template import Templar
from ansible.inventory.helpers import get_group_vars
from ansible.utils.vars import combine_vars

def enc(v):
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str):
        return str(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v if v == v and abs(v) != float('inf') else {'$unrepresentable': repr(v)}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            return {'$unrepresentable': repr(v)}
        return {'$dict': [[str(k), enc(x)] for k, x in v.items()]}
    return {'$unrepresentable': type(v).__name__}

out = []
for c in json.load(sys.stdin):
    loader = DataLoader()
    inv = InventoryManager(loader=loader, sources=[])
    data = inv._inventory
    inventory = c['inventory']
    for g in inventory['groups']:
        if g != 'all':
            data.add_group(g)
    for h in inventory['hosts']:
        data.add_host(h)
    for g, spec in inventory['groups'].items():
        for h in spec.get('hosts', []):
            data.add_host(h, g)
        for ch in spec.get('children', []):
            data.add_child(g, ch)
        for k, v in spec.get('vars', {}).items():
            data.set_variable(g, k, v)
    for h, hv in inventory['hosts'].items():
        for k, v in hv.items():
            data.set_variable(h, k, v)
    data.reconcile_inventory()
    vm = VariableManager(loader=loader, inventory=inv)
    HostVars(inventory=inv, variable_manager=vm, loader=loader)
    for k, v in c['env'].items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    view = {'raw': {}, 'groupNames': {}}
    for h in inventory['hosts']:
        host = inv.get_host(h)
        view['raw'][h] = enc(combine_vars(get_group_vars(host.get_groups()), host.vars))
        view['groupNames'][h] = host.get_vars()['group_names']
    view['groups'] = [[g, hs] for g, hs in inv.get_groups_dict().items()]
    try:
        variables = vm.get_vars(host=inv.get_host(c['host']), include_hostvars=True)
        r = Templar(loader=loader, variables=variables).template(c['t'])
        res = {'value': enc(r), 'type': type(r).__name__}
    except Exception as e:
        res = {'error': type(e).__name__ + ': ' + str(e)[:600]}
    res['view'] = view
    out.append(res)
json.dump(out, sys.stdout)
`;

interface AnsibleResult {
  value?: unknown;
  type?: string;
  error?: string;
  view: { raw: Record<string, unknown>; groupNames: Record<string, string[]>; groups: [string, string[]][] };
}

/** Python's tagged JSON back to JS: `$dict` in order, `$unrepresentable` kept as a marker. */
function fromPython(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromPython);
  if (typeof v === 'object' && v !== null) {
    const o = v as { $dict?: [string, unknown][]; $unrepresentable?: string };
    if (o.$dict) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of o.$dict) Object.defineProperty(out, k, { value: fromPython(x), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return { unrepresentable: o.$unrepresentable };
  }
  return v;
}

/** Whether Ansible's value holds what JS has no value for (a set, bytes, a complex number, `...`, a key that is not a string). */
function unrepresentable(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(unrepresentable);
  if (typeof v === 'object' && v !== null) return 'unrepresentable' in v || Object.values(v).some(unrepresentable);
  return false;
}

function inventoryOf(c: Case): Inventory {
  const base = c.inventory ?? STANDARD;
  if (!c.vars) return base;
  return { ...base, hosts: { ...base.hosts, web1: { ...base.hosts.web1, ...c.vars } } };
}

type Verdict = 'agree' | 'both refuse' | 'ansible keeps the text, we refuse' | 'we refuse on purpose';

function label(c: Case): string {
  const s = c.name ?? (typeof c.t === 'string' ? c.t : JSON.stringify(c.t));
  return JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}…` : s);
}

describe('templates rendered as ansible-core 2.14 Templar renders them', () => {
  let dir: string;
  let results: AnsibleResult[];
  const verdicts: Verdict[] = new Array<Verdict>(CASES.length);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnet-template-'));
    writeFileSync(join(dir, 'ansible.cfg'), '');
    writeFileSync(join(dir, 'harness.py'), HARNESS);
    const input = CASES.map((c) => ({ t: c.t, host: c.host ?? 'web1', inventory: inventoryOf(c), env: c.env ?? {} }));
    const out = execFileSync(ANSIBLE_PYTHON, [join(dir, 'harness.py')], {
      cwd: dir,
      input: JSON.stringify(input),
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'ignore'],
      // no ansible.cfg anywhere Ansible looks: an empty one named, a home and a cwd of our own
      env: {
        PATH: process.env.PATH,
        LANG: 'C.UTF-8',
        HOME: dir,
        ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
        ANSIBLE_LOCALHOST_WARNING: 'False',
        ANSIBLE_NOCOLOR: '1',
      },
    });
    results = JSON.parse(out) as AnsibleResult[];
    expect(results).toHaveLength(CASES.length);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    const summary = (what: string, from: number, to: number) => {
      const part = verdicts.slice(from, to);
      const count = (v: Verdict) => part.filter((x) => x === v).length;
      return (
        `${what}: ${count('agree') + count('both refuse')}/${to - from} agree with Ansible (${count('agree')} same value and type, ${count('both refuse')} both refuse); ` +
        `${count('ansible keeps the text, we refuse')} Ansible keeps the template's text and we refuse; ${count('we refuse on purpose')} Ansible renders and we refuse on purpose`
      );
    };
    console.log([summary('table', 0, TABLE.length), summary('generated', TABLE.length, CASES.length)].join('\n'));
  });

  it.each(CASES.map((c, i) => [label(c), i] as const))('%s', (_, i) => {
    const c = CASES[i]!;
    const theirs = results[i]!;
    const { view } = theirs;
    const raw = Object.fromEntries(Object.entries(view.raw).map(([h, v]) => [h, fromPython(v) as Record<string, unknown>]));
    const ctx: TemplateContext = {
      host: c.host ?? 'web1',
      varsOf: (h) => raw[h],
      groups: new Map(view.groups),
      groupNames: (h) => view.groupNames[h] ?? [],
      env: Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, v ?? undefined])),
    };
    let ours: { value: unknown } | { error: TemplateError };
    try {
      ours = { value: renderValue(c.t, ctx) };
    } catch (err) {
      // a refusal is a TemplateError, never a crash (a RangeError, a TypeError)
      if (!(err instanceof TemplateError)) throw err;
      ours = { error: err };
    }
    const show = `Ansible: ${theirs.error ?? `${theirs.type} ${JSON.stringify(fromPython(theirs.value))}`}\nours: ${'error' in ours ? ours.error.message : JSON.stringify(ours.value)}`;
    let verdict: Verdict;
    // Ansible gave the template back unrendered (its Jinja2 failed while compiling it)
    // (with the backslashes it doubled inside strings)
    const single = (x: string) => x.replace(/\\+/g, '\\');
    const unrendered = typeof c.t === 'string' && typeof theirs.value === 'string' && single(theirs.value) === single(c.t) && c.t.includes('{{');
    if (c.expect === 'ansible-keeps-text' || unrendered) {
      expect(typeof theirs.value === 'string' && theirs.value.includes('{{'), show).toBe(true);
      expect('error' in ours, show).toBe(true);
      verdict = 'ansible keeps the text, we refuse';
    } else if (c.expect === 'we-refuse' || unrepresentable(fromPython(theirs.value))) {
      expect(theirs.error, show).toBeUndefined();
      expect('error' in ours, show).toBe(true);
      verdict = 'we refuse on purpose';
    } else if (theirs.error !== undefined) {
      expect('error' in ours, show).toBe(true);
      // an undefined variable is named as Ansible names it
      const undef = /^AnsibleUndefinedVariable: ('[^']+' is undefined)/.exec(theirs.error);
      if (undef && 'error' in ours) expect(ours.error.message, show).toContain(undef[1]);
      verdict = 'both refuse';
    } else {
      expect('value' in ours, show).toBe(true);
      expect(isDeepStrictEqual((ours as { value: unknown }).value, fromPython(theirs.value)), show).toBe(true);
      verdict = 'agree';
    }
    verdicts[i] = verdict;
  });
});

/** Our own checks: what a refusal carries, bounds Ansible itself would hang on, and isTemplated. */
describe('template errors and bounds', () => {
  const vars: Record<string, Record<string, unknown>> = {
    h: {
      laughs: '{{ l0 }}',
      ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`l${i}`, `{{ l${i + 1} }}{{ l${i + 1} }}`])),
      l40: 'ab',
      deep: JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`) as unknown,
      many: 'a'.repeat(5000),
      unsafe: new UnsafeText('{{ not rendered }}'),
      uses_unsafe: '{{ unsafe }}',
    },
  };
  const ctx: TemplateContext = { host: 'h', varsOf: (h) => vars[h], groups: new Map([['all', ['h']]]), groupNames: () => [], env: {} };
  const refusal = (t: unknown): TemplateError => {
    try {
      renderValue(t, ctx);
    } catch (err) {
      if (err instanceof TemplateError) return err;
      throw err;
    }
    throw new Error(`rendered ${JSON.stringify(t)}`);
  };

  it('names the expression, where it is and what is wrong', () => {
    const err = refusal('user {{ admin_user }}!');
    expect(err.expression).toBe('{{ admin_user }}');
    expect(err.offset).toBe(8);
    expect(err.problem).toBe("'admin_user' is undefined");
    expect(err.message).toBe(
      'cannot render template "{{ admin_user }}" (at offset 8): \'admin_user\' is undefined (define the variable for this host, or give it a default: | default(…))',
    );
    const loop = refusal('{{ x }}');
    expect(loop.problem).toContain('is undefined');
    vars.h!.x = '{{ y }}';
    vars.h!.y = '{{ x | lower }}';
    expect(refusal('{{ x }}').problem).toBe('recursive loop detected in template: x → y → x');
  });

  it('refuses what would take Ansible forever or overflow its stack: 2^40 copies, a huge power, 100000 nots, a list 5000 deep', () => {
    expect(refusal('{{ laughs }}').problem).toMatch(/longer than/);
    expect(refusal('{{ 2 ** 100000000 }}').problem).toMatch(/too large/);
    expect(refusal(`{{ ${'not '.repeat(100_000)}1 }}`).problem).toMatch(/nested too deeply/);
    expect(refusal(`{{ ${'not '.repeat(1_000_000)}1 }}`).problem).toMatch(/longer than/);
    expect(refusal('{{ deep }}').problem).toMatch(/nested more than/);
  });

  it('runs a pattern that backtracks badly in linear time', () => {
    expect(renderValue('{{ many | regex_replace("(a*)*b", "x") }}', ctx)).toBe('a'.repeat(5000));
    expect(renderValue('{{ many | regex_replace("(a|aa)+$", "x") }}', ctx)).toBe('x');
  });

  it('never renders !unsafe text, even through another variable', () => {
    expect(renderValue(new UnsafeText('{{ x }}'), ctx)).toBe('{{ x }}');
    expect(renderValue('{{ uses_unsafe }}', ctx)).toBe('{{ not rendered }}');
  });

  it('tells templated values apart', () => {
    expect(isTemplated('a {{ b }}')).toBe(true);
    expect(isTemplated('a {% raw %}')).toBe(true);
    expect(isTemplated('{# c #}')).toBe(true);
    expect(isTemplated('a { b } }}')).toBe(false);
    expect(isTemplated(['x', { y: ['{{ z }}'] }])).toBe(true);
    expect(isTemplated({ '{{ key }}': 'v' })).toBe(false);
    expect(isTemplated(22)).toBe(false);
    expect(isTemplated(new UnsafeText('{{ x }}'))).toBe(false);
  });
});
