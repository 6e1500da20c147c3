/**
 * Our ssh -G view (src/transport/openssh/ssh-g-view.ts) against the real `ssh -G`, on every alias of the
 * ssh config corpus (test/fixtures/ssh-config-corpus/: 35 real dotfiles configs and OpenSSH's
 * regress configs; ALIASES.tsv lists the names). Each alias is an inventory host of that name with
 * no variables, resolved as a run resolves it (inventory → connection → resolveTarget), and
 * compared field by field (SSH_G_FIELDS) with `ssh -G -F CONFIG ALIAS` run with a private HOME laid
 * out as the corpus README says. A field is compared when either side prints it.
 *
 * The result is pinned in ssh-g-differential.pin.tsv (per alias: the fields that agree, those that
 * differ, and whether we refuse it): the test fails when agreement drops, and when it rises, asking
 * for the pin to be rewritten (UPDATE_SSH_G_PIN=1), so it only goes up. Aliases whose resolution
 * meets a `Match exec` ssh runs (cnet-remote never runs one) are counted apart. The figures and the
 * commonest kinds of differences are printed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage } from '../../../src/errors.js';
import { resolveInventory } from '../../../src/inventory/load-inventory.js';
import { parseSource } from '../../../src/inventory/source.js';
import { loadSshConfig } from '../../../src/transport/openssh/config-read.js';
import { sshConfigReaches } from '../../../src/transport/openssh/config-resolve.js';
import type { SshConfigFile } from '../../../src/transport/openssh/config-types.js';
import type { ResolvedHost } from '../../../src/inventory/types.js';
import { SSH_G_FIELDS, sshTargetView, type SshGField } from '../../../src/transport/openssh/ssh-g-view.js';
import { mapLimit } from '../../map-limit.js';
import { withEnv } from '../../support/env.js';
import { corpusConfigs, ourFields, sshG, sshGFields, SSH_DEFAULT_IDENTITY_FILES, type CorpusConfig, type Fields, type SshGRun } from './ssh-g-reference.js';

const PIN = fileURLToPath(new URL('./ssh-g-differential.pin.tsv', import.meta.url));
const UPDATE = process.env.UPDATE_SSH_G_PIN === '1';

type Refusal = { stage: 'config' | 'inventory' | 'resolve' | 'refusal'; message: string };

interface Ours {
  lines?: string[];
  notes: string[];
  refused?: Refusal;
}

interface Compared {
  field: SshGField;
  agree: boolean;
  ssh: string[];
  ours: string[];
  kind?: string;
}

interface AliasResult {
  config: string;
  alias: string;
  ssh: SshGRun;
  ours: Ours;
  /** a Match exec that ssh runs decides something for this alias (cnet-remote never runs it) */
  exec: boolean;
  compared: Compared[];
}

const configs = corpusConfigs();
const homes = new Map<string, string>();
let results: AliasResult[] = [];

/** A private HOME with the config's folder where its notes say (~/.ssh, or ~/.config/ssh). */
function homeFor(c: CorpusConfig): string {
  const home = mkdtempSync(join(tmpdir(), 'cnet-ssh-g-'));
  const link = join(home, c.link.replace(/^~\//, ''));
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(c.folder, link);
  return home;
}

/** Our side for every alias of one config; HOME and the config's variables set while it runs (os.homedir() reads HOME). */
function ourSide(c: CorpusConfig, home: string): Map<string, Ours> {
  const out = new Map<string, Ours>();
  withEnv({ HOME: home, ...c.env }, () => {
    let config: SshConfigFile;
    try {
      config = loadSshConfig(c.path, { homeDir: home });
    } catch (e) {
      for (const { alias } of c.aliases) out.set(alias, { notes: [], refused: { stage: 'config', message: errorMessage(e) } });
      return out;
    }
    for (const { alias } of c.aliases) {
      let host: ResolvedHost | undefined;
      try {
        const inv = resolveInventory([parseSource('inventory.yml', `all:\n  hosts:\n    ${JSON.stringify(alias)}:\n`)], [], {
          sshHostKnown: (a) => sshConfigReaches(config, a),
        });
        host = inv.hosts.find((h) => h.name === alias);
        if (!host) throw new Error(`the inventory holds ${inv.hosts.map((h) => h.name).join(', ') || 'no host'}`);
      } catch (e) {
        out.set(alias, { notes: [], refused: { stage: 'inventory', message: errorMessage(e) } });
        continue;
      }
      try {
        const { target, lines } = sshTargetView(host, config);
        out.set(alias, { lines, notes: target.notes, ...(target.refusal ? { refused: { stage: 'refusal', message: target.refusal } } : {}) });
      } catch (e) {
        out.set(alias, { notes: [], refused: { stage: 'resolve', message: errorMessage(e) } });
      }
    }
  });
  return out;
}

/** A message without this run's paths, short: what kind of refusal it is. */
function refusalKind(r: Refusal): string {
  const m = r.message;
  if (r.stage === 'refusal') {
    if (/^bastion \S+: its own ProxyJump/.test(m)) return "refused: the first bastion's own ProxyJump (a nested jump) is not followed";
    if (/^bastion \S+: .*ProxyCommand/.test(m)) return "refused: the first bastion's own ProxyCommand is not run";
    if (/ProxyCommand "/.test(m)) return 'refused: a ProxyCommand other than "ssh -W %h:%p host" is not run';
  }
  // without where it is written, and with the written values elided: what kind of problem it is
  const plain = m
    .replace(/^\S+ line \d+: /, '')
    .replace(/^inventory\.yml:\S+ \S+: /, '')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/=\S+/g, '=…');
  return `refused (${r.stage}): ${plain.slice(0, 110)}`;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** What kind of difference this is, in words that group aliases (the next work, by size). */
function differenceKind(field: SshGField, ssh: string[], ours: string[], oursAll: Fields): string {
  const s = ssh.join(' | ');
  const o = ours.join(' | ');
  switch (field) {
    case 'identityfile':
      if (same(ssh, SSH_DEFAULT_IDENTITY_FILES))
        return `identityfile: none configured: ssh -G lists its ${ssh.length} defaults, ours ${ours.length ? 'others' : 'none (only those of id_ed25519/id_ecdsa/id_rsa that exist)'}`;
      if (!ours.length) return 'identityfile: configured, ours none';
      if (same([...ssh].sort(), [...ours].sort())) return 'identityfile: same files, other order';
      return 'identityfile: other files';
    case 'stricthostkeychecking':
      return `stricthostkeychecking: ssh ${s}, ours ${o || '(none)'}`;
    case 'userknownhostsfile':
      if (s === '~/.ssh/known_hosts ~/.ssh/known_hosts2') return 'userknownhostsfile: default: ssh reads known_hosts and known_hosts2, ours known_hosts';
      return `userknownhostsfile: configured${s === 'none' ? ' none' : ''}, ours ${o === '~/.ssh/known_hosts' ? 'the default' : 'other'}`;
    case 'connecttimeout':
      if (s === 'none' && !ours.length) return 'connecttimeout: unset: ssh none, ours a 15 s ready timeout (not in the Target)';
      return `connecttimeout: ssh ${s || '(none)'}, ours ${o || '(none)'}`;
    case 'proxycommand':
      if (oursAll.has('proxyjump')) return 'proxycommand: ours a ProxyJump';
      return ours.length ? 'proxycommand: other command' : 'proxycommand: not in ours';
    case 'proxyjump':
      if (!ssh.length) return 'proxyjump: ours from a ProxyCommand, ssh has none';
      if (!ours.length) return 'proxyjump: ssh has one, ours none';
      return 'proxyjump: other hops';
    case 'hostkeyalias':
    case 'certificatefile':
      return ours.length ? `${field}: other value` : `${field}: not used by cnet-remote (absent from the Target)`;
    case 'hostname':
      if (ours.length && o.toLowerCase() === s) return 'hostname: case (ssh lowercases the name)';
      return 'hostname: other';
    default:
      return `${field}: ssh ${ssh.length ? 'other' : 'none'}, ours ${ours.length ? 'other' : 'none'}`;
  }
}

function compare(ssh: Fields, ours: Ours, home: string): Compared[] {
  const mine = ours.lines ? ourFields(ours.lines, home) : new Map<SshGField, string[]>();
  const out: Compared[] = [];
  for (const field of SSH_G_FIELDS) {
    const s = ssh.get(field) ?? [];
    const o = ours.refused ? [] : (mine.get(field) ?? []);
    if (!s.length && !o.length) continue;
    const agree = !ours.refused && same(s, o);
    out.push({ field, agree, ssh: s, ours: o, ...(agree ? {} : { kind: ours.refused ? refusalKind(ours.refused) : differenceKind(field, s, o, mine) }) });
  }
  return out;
}

function status(r: AliasResult): string {
  if (r.ssh.code !== 0) return r.ours.refused ? 'ssh-refuses;ours-refuses' : 'ssh-refuses;ours-accepts';
  if (r.ours.refused) return `refused-${r.ours.refused.stage === 'refusal' ? 'target' : r.ours.refused.stage}`;
  return r.exec ? 'match-exec' : 'ok';
}

/**
 * The pin: one line per alias, its status and one mark per field of SSH_G_FIELDS, in order:
 * `=` agrees, `x` differs, `.` printed by neither side.
 */
function pinText(rs: AliasResult[]): string {
  const mark = (r: AliasResult, f: SshGField) => {
    const c = r.compared.find((c) => c.field === f);
    return c ? (c.agree ? '=' : 'x') : '.';
  };
  const rows = rs.map((r) => [r.config, r.alias, status(r), SSH_G_FIELDS.map((f) => mark(r, f)).join('')].join('\t'));
  return `${[`config\talias\tstatus\t${SSH_G_FIELDS.join(',')}`, ...rows].join('\n')}\n`;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '-');

function tally(rs: AliasResult[]) {
  const perField = new Map<SshGField, { agree: number; compared: number }>(SSH_G_FIELDS.map((f) => [f, { agree: 0, compared: 0 }]));
  let agree = 0;
  let compared = 0;
  for (const r of rs) {
    for (const c of r.compared) {
      const t = perField.get(c.field)!;
      t.compared++;
      compared++;
      if (c.agree) {
        t.agree++;
        agree++;
      }
    }
  }
  return { agree, compared, perField };
}

function report(rs: AliasResult[]): string {
  const accepted = rs.filter((r) => r.ssh.code === 0);
  const main = accepted.filter((r) => !r.exec);
  const exec = accepted.filter((r) => r.exec);
  const t = tally(main);
  const te = tally(exec);
  const lines = [
    `ssh -G differential: ${configs.length} configs, ${rs.length} aliases (${accepted.length} accepted by ssh -G)`,
    `overall (${main.length} aliases, no Match exec): ${t.agree}/${t.compared} fields agree (${pct(t.agree, t.compared)}); aliases agreeing on every field: ${main.filter((r) => r.compared.every((c) => c.agree)).length}/${main.length}`,
    `aliases a Match exec decides (${exec.length}, cnet-remote never runs it): ${te.agree}/${te.compared} fields agree (${pct(te.agree, te.compared)})`,
    'per field (no Match exec):',
    ...[...t.perField].map(([f, v]) => `  ${f.padEnd(22)} ${String(v.agree).padStart(4)}/${String(v.compared).padEnd(4)} ${pct(v.agree, v.compared)}`),
  ];
  const refused = accepted.filter((r) => r.ours.refused);
  lines.push(`aliases ssh -G accepts that we refuse: ${refused.length}`);
  for (const r of refused) lines.push(`  ${r.config} ${r.alias}: ${refusalKind(r.ours.refused!)}`);
  const lenient = rs.filter((r) => r.ssh.code !== 0 && !r.ours.refused);
  lines.push(`aliases ssh -G refuses that we accept: ${lenient.length}${lenient.length ? ` (${[...new Set(lenient.map((r) => r.config))].join(', ')})` : ''}`);
  const kinds = new Map<string, string[]>();
  for (const r of accepted)
    for (const c of r.compared)
      if (!c.agree) kinds.set(c.kind!, [...(kinds.get(c.kind!) ?? []), `${r.config.replace(/\/[^/]*$/, '')}:${r.alias}${r.exec ? ' (exec)' : ''}`]);
  lines.push('differences by kind (fields; examples):');
  for (const [k, v] of [...kinds].sort((a, b) => b[1].length - a[1].length))
    lines.push(`  ${String(v.length).padStart(4)}  ${k}  — ${[...new Set(v)].slice(0, 3).join(', ')}`);
  const noteKinds = new Map<string, number>();
  for (const r of accepted) {
    for (const n of new Set(
      r.ours.notes.map((n) =>
        n
          .replace(/^bastion \S+: /, '')
          .replace(/^.* line \d+: /, '')
          .replace(/"[^"]*"/g, '"…"')
          .slice(0, 90),
      ),
    ))
      noteKinds.set(n, (noteKinds.get(n) ?? 0) + 1);
  }
  lines.push('notes cnet-remote gives (aliases):');
  for (const [n, k] of [...noteKinds].sort((a, b) => b[1] - a[1]).slice(0, 12)) lines.push(`  ${String(k).padStart(4)}  ${n}`);
  return lines.join('\n');
}

beforeAll(async () => {
  for (const c of configs) homes.set(c.config, homeFor(c));
  const pairs = configs.flatMap((c) => c.aliases.map((a) => ({ c, alias: a.alias })));
  const runs = await mapLimit(pairs, 16, ({ c, alias }) => sshG(c.path, alias, { PATH: '/usr/bin:/bin', HOME: homes.get(c.config)!, ...c.env }));
  const ssh = new Map(pairs.map((p, i) => [`${p.c.config}\t${p.alias}`, runs[i]!]));
  results = configs.flatMap((c) => {
    const home = homes.get(c.config)!;
    const ours = ourSide(c, home);
    return c.aliases.map(({ alias }) => {
      const run = ssh.get(`${c.config}\t${alias}`)!;
      const o = ours.get(alias)!;
      const exec = o.notes.some((n) => /"Match exec .*" was not run/.test(n));
      return { config: c.config, alias, ssh: run, ours: o, exec, compared: run.code === 0 ? compare(sshGFields(run.stdout, alias, c.env), o, home) : [] };
    });
  });
  console.log(report(results));
  // SSH_G_DETAIL=TEXT: every differing field of the aliases whose config or name contains TEXT, both values
  const detail = process.env.SSH_G_DETAIL;
  if (detail) {
    for (const r of results.filter((r) => r.config.includes(detail) || r.alias.includes(detail))) {
      const diffs = r.compared.filter((c) => !c.agree).map((c) => `    ${c.field}: ssh ${JSON.stringify(c.ssh)} ours ${JSON.stringify(c.ours)}`);
      console.log(
        [
          `${r.config} ${r.alias} (${status(r)})${r.ours.refused ? `: ${r.ours.refused.message}` : ''}`,
          ...diffs,
          ...r.ours.notes.map((n) => `    note: ${n}`),
        ].join('\n'),
      );
    }
  }
}, 120_000);

afterAll(() => {
  for (const h of homes.values()) rmSync(h, { recursive: true, force: true });
});

describe('ssh -G differential on the ssh config corpus', () => {
  it('runs ssh -G as the corpus was recorded (every exit code as in ALIASES.tsv)', () => {
    const recorded = configs.flatMap((c) => c.aliases.map((a) => `${c.config} ${a.alias} ${a.recordedExit}`));
    expect(results.map((r) => `${r.config} ${r.alias} ${r.ssh.code}`)).toEqual(recorded);
    expect(configs.filter((c) => !c.config.startsWith('openssh-regress/')).length).toBeGreaterThanOrEqual(25);
  });

  it('agrees on exactly the pinned fields (ssh-g-differential.pin.tsv): fails when agreement drops, and when it rises until the pin is rewritten', () => {
    const now = pinText(results);
    if (UPDATE) writeFileSync(PIN, now);
    const pinned = readFileSync(PIN, 'utf8');
    if (pinned === now) return;
    // the fields that agree, per alias; and each alias's status
    const read = (text: string) => {
      const agree = new Set<string>();
      const st = new Map<string, string>();
      for (const l of text.split('\n').slice(1).filter(Boolean)) {
        const [config, alias, state, marks] = l.split('\t');
        st.set(`${config} ${alias}`, state!);
        for (const [i, f] of SSH_G_FIELDS.entries()) if (marks?.[i] === '=') agree.add(`${config} ${alias} ${f}`);
      }
      return { agree, st };
    };
    const was = read(pinned);
    const is = read(now);
    const lost = [...was.agree].filter((x) => !is.agree.has(x));
    const gained = [...is.agree].filter((x) => !was.agree.has(x));
    const moved = [...new Set([...was.st.keys(), ...is.st.keys()])]
      .filter((k) => was.st.get(k) !== is.st.get(k))
      .map((k) => `${k}: ${was.st.get(k) ?? '(new)'} -> ${is.st.get(k) ?? '(gone)'}`);
    const list = (title: string, xs: string[], sign: string) =>
      xs.length ? [`${title} (${xs.length}):`, ...xs.slice(0, 40).map((x) => `  ${sign} ${x}`), ...(xs.length > 40 ? ['  …'] : [])] : [];
    expect.fail(
      [
        lost.length
          ? 'the ssh -G agreement DROPPED against the pin (ssh-g-differential.pin.tsv):'
          : 'the ssh -G agreement ROSE (or the aliases changed): rewrite the pin and commit it:',
        ...list('fields that agreed and no longer do', lost, '-'),
        ...list('fields that agree now', gained, '+'),
        ...list('aliases whose status changed', moved, '~'),
        `${lost.length ? 'fix what dropped; if a drop is meant, say why in the commit and ' : ''}rewrite the pin:`,
        '  UPDATE_SSH_G_PIN=1 npx vitest run test/transport/openssh/ssh-g-differential.test.ts',
      ].join('\n'),
    );
  });
});
