/**
 * Ansible Vault decryption against the real implementation (Debian's ansible-core 2.14): vault
 * texts are made in the set-up by `ansible-vault encrypt_string`, `ansible-vault encrypt` and
 * ansible's own VaultLib (one python3 run, for plaintexts ansible-vault cannot take on its command
 * line: the empty string, binary bytes); ours must give the same bytes. Then a table of damaged and
 * re-spaced vault texts is given to VaultLib.decrypt and to ours: each must be accepted by both
 * (with the same bytes) or refused by both, for the same kind of reason.
 */
import { createCipheriv, createHmac, pbkdf2Sync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decryptVault, decryptVaultWith, isVaultText, VaultError, type VaultSecret } from '../../../src/inventory/ansible/vault.js';
import { ANSIBLE_PYTHON } from './run-python.js';

let dir: string;
let env: NodeJS.ProcessEnv;

const PW_ONE = Buffer.from('pw-one');
const PW_TWO = Buffer.from('pw two ü', 'utf8');
const PW_PROD = Buffer.from('Prod:$ecret\\"\'`', 'utf8');
const secret = (id: string, password: Buffer, source: string): VaultSecret => ({ id, password, source });
const ALL: VaultSecret[] = [
  secret('default', PW_ONE, '--vault-password-file one.pass'),
  secret('dev', PW_TWO, '--vault-id dev@two.pass'),
  secret('prod', PW_PROD, '--vault-id prod@prod.pass'),
];

/** Asks ansible's VaultLib (lib/ansible/parsing/vault) to encrypt and decrypt; bytes travel as hex. */
const VAULTLIB = `
import json, sys
from ansible.errors import AnsibleError
from ansible.parsing.vault import VaultLib, VaultSecret
req = json.load(sys.stdin)
out = {'encrypted': [], 'decrypted': []}
for e in req['encrypt']:
    text = VaultLib().encrypt(bytes.fromhex(e['plain']), VaultSecret(bytes.fromhex(e['password'])), vault_id=e.get('id'))
    out['encrypted'].append(text.decode('ascii'))
for d in req['decrypt']:
    lib = VaultLib([(i, VaultSecret(bytes.fromhex(p))) for i, p in d['secrets']])
    try:
        out['decrypted'].append({'ok': lib.decrypt(d['text']).hex()})
    except AnsibleError as e:
        out['decrypted'].append({'error': 'wrong-secret' if str(e).startswith('Decryption failed') else 'malformed', 'message': str(e)})
    except Exception as e:
        # not an AnsibleError (a padding ValueError): Ansible fails on it all the same
        out['decrypted'].append({'error': 'malformed', 'message': repr(e)})
print(json.dumps(out))
`;

interface Decrypted {
  ok?: string;
  error?: 'wrong-secret' | 'malformed';
  message?: string;
}

function vaultLib(req: { encrypt: { plain: string; password: string; id?: string }[]; decrypt: { text: string; secrets: [string, string][] }[] }) {
  const out = execFileSync(ANSIBLE_PYTHON, ['-c', VAULTLIB], {
    env,
    input: JSON.stringify(req),
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  return JSON.parse(out) as { encrypted: string[]; decrypted: Decrypted[] };
}

function ansibleVault(args: string[]): string {
  return execFileSync('ansible-vault', args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Plaintexts for VaultLib: lengths around the 16-byte block, binary bytes, one large. */
const PLAINTEXTS: { name: string; plain: Buffer; password: Buffer; id?: string }[] = [
  { name: 'empty string', plain: Buffer.alloc(0), password: PW_ONE },
  { name: 'one byte', plain: Buffer.from('a'), password: PW_ONE },
  { name: '15 bytes', plain: Buffer.from('x'.repeat(15)), password: PW_ONE },
  { name: '16 bytes (a whole padding block)', plain: Buffer.from('y'.repeat(16)), password: PW_ONE },
  { name: '17 bytes', plain: Buffer.from('z'.repeat(17)), password: PW_ONE },
  { name: 'unicode, bidi control', plain: Buffer.from('päss wörd ✓ 🔑 \u202e end', 'utf8'), password: PW_TWO, id: 'dev' },
  { name: 'every byte value', plain: Buffer.from(Array.from({ length: 256 }, (_, i) => i)), password: PW_PROD, id: 'prod' },
  { name: '200 kB', plain: Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251)), password: PW_PROD, id: 'prod' },
  { name: 'binary password', plain: Buffer.from('s3cr3t'), password: Buffer.from([0, 255, 10, 13, 32, 200]) },
];

const STRINGS: Record<string, string> = {
  s_ascii: 'hello',
  s_multi: 'line 1\nline 2\n  indented\n',
  s_unicode: 'Ünïcödé ✓ 🔑 日本語',
  s_spaces: '  leading and trailing  ',
};

const GROUP_VARS = '---\nansible_become_password: "sudo pw"\ncnet:\n  nets: [a, b]\n# ü ✓\n';

let fromString: Record<string, string> = {};
let fromFile11 = '';
let fromFile12 = '';
let fromLib: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-vault-'));
  writeFileSync(join(dir, 'ansible.cfg'), '');
  // no ansible.cfg, home or vault settings of the user's
  env = { PATH: process.env.PATH, LANG: 'C.UTF-8', HOME: dir, ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' };
  writeFileSync(join(dir, 'one.pass'), Buffer.concat([PW_ONE, Buffer.from('\n')]));
  writeFileSync(join(dir, 'two.pass'), Buffer.concat([PW_TWO, Buffer.from('\n')]));
  writeFileSync(join(dir, 'prod.pass'), Buffer.concat([PW_PROD, Buffer.from('\n')]));

  // encrypt_string: the `!vault |` values a user pastes into group_vars, read as YAML reads them
  const names = Object.keys(STRINGS);
  const yaml = ansibleVault([
    'encrypt_string',
    '--vault-id',
    'dev@two.pass',
    ...names.map((n) => `--name=${n}`),
    '--',
    ...names.map((n) => STRINGS[n] as string),
  ]);
  fromString = parse(yaml, { customTags: [{ tag: '!vault', resolve: (s: string) => s }] }) as Record<string, string>;

  // whole files: 1.1 (no vault id) and 1.2 (vault id prod)
  writeFileSync(join(dir, 'all11.yml'), GROUP_VARS);
  writeFileSync(join(dir, 'all12.yml'), GROUP_VARS);
  ansibleVault(['encrypt', '--vault-password-file', 'one.pass', 'all11.yml']);
  ansibleVault(['encrypt', '--vault-id', 'prod@prod.pass', 'all12.yml']);
  fromFile11 = readFileSync(join(dir, 'all11.yml'), 'utf8');
  fromFile12 = readFileSync(join(dir, 'all12.yml'), 'utf8');

  fromLib = vaultLib({
    encrypt: PLAINTEXTS.map((p) => ({ plain: p.plain.toString('hex'), password: p.password.toString('hex'), ...(p.id ? { id: p.id } : {}) })),
    decrypt: [],
  }).encrypted;
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('decryptVault: what the real ansible-vault encrypted', () => {
  it('encrypt_string values (1.2, vault id dev), read from the YAML it prints', () => {
    for (const [name, plain] of Object.entries(STRINGS)) {
      const text = fromString[name] as string;
      expect(text.startsWith('$ANSIBLE_VAULT;1.2;AES256;dev\n'), name).toBe(true);
      expect(isVaultText(text)).toBe(true);
      expect(decryptVault(text, ALL).equals(Buffer.from(plain, 'utf8')), name).toBe(true);
    }
  });

  it('whole vault files, 1.1 and 1.2', () => {
    expect(fromFile11.startsWith('$ANSIBLE_VAULT;1.1;AES256\n')).toBe(true);
    expect(fromFile12.startsWith('$ANSIBLE_VAULT;1.2;AES256;prod\n')).toBe(true);
    expect(decryptVault(fromFile11, ALL).toString('utf8')).toBe(GROUP_VARS);
    expect(decryptVault(fromFile12, ALL).toString('utf8')).toBe(GROUP_VARS);
  });

  it.each(PLAINTEXTS.map((p, i) => [p.name, i] as const))('VaultLib.encrypt: %s', (_name, i) => {
    const p = PLAINTEXTS[i]!;
    const text = fromLib[i] as string;
    expect(text.startsWith(p.id ? `$ANSIBLE_VAULT;1.2;AES256;${p.id}\n` : '$ANSIBLE_VAULT;1.1;AES256\n')).toBe(true);
    const { plaintext, secret: used } = decryptVaultWith(text, [...ALL, secret('default', p.password, 'test')]);
    expect(plaintext.equals(p.plain)).toBe(true);
    expect(used.password.equals(p.password)).toBe(true);
  });
});

describe('decryptVault: refusals', () => {
  const refusal = (text: string, secrets: readonly VaultSecret[]): VaultError => {
    try {
      decryptVault(text, secrets);
    } catch (err) {
      if (err instanceof VaultError) return err;
      throw err;
    }
    throw new Error('decrypted');
  };

  it('a wrong password: names the sources and the vault id, never a password', () => {
    const wrong = [
      secret('default', Buffer.from('not-the-pw-xyzzy'), '--vault-password-file /etc/wrong.pass'),
      secret('dev', PW_TWO, '--vault-id dev@two.pass'),
    ];
    const err = refusal(fromFile12, wrong);
    expect(err.problem).toBe('wrong-secret');
    expect(err.message).toContain('vault id "prod"');
    expect(err.message).toContain('--vault-password-file /etc/wrong.pass');
    expect(err.message).toContain('--vault-id dev@two.pass');
    expect(err.message).toContain('--vault-id prod@FILE');
    for (const pw of ['not-the-pw-xyzzy', PW_TWO.toString('utf8'), PW_PROD.toString('utf8')]) expect(err.message).not.toContain(pw);
    expect(refusal(fromFile11, wrong).message).toContain('without a vault id');
  });

  it('no password given: says how to give one', () => {
    const err = refusal(fromFile11, []);
    expect(err.problem).toBe('no-secret');
    expect(err.message).toContain('pass --vault-password-file FILE, --ask-vault-pass or set ANSIBLE_VAULT_PASSWORD_FILE');
  });

  it('tampered ciphertext: the HMAC fails, nothing is decrypted', () => {
    const text = fromFile11;
    const header = text.slice(0, text.indexOf('\n') + 1);
    const inner = Buffer.from(text.slice(header.length).replace(/\n/g, ''), 'hex').toString('latin1').split('\n');
    const ct = inner[2] as string;
    inner[2] = ct.slice(0, 10) + (ct[10] === '0' ? '1' : '0') + ct.slice(11);
    const err = refusal(`${header + Buffer.from(inner.join('\n'), 'latin1').toString('hex')}\n`, ALL);
    expect(err.problem).toBe('wrong-secret');
  });

  it.each([
    ['truncated', (t: string) => t.slice(0, 100), /odd number|three lines|cut short/],
    ['garbled hex', (t: string) => t.replace(/\n(..........)/, '\n$1zz'), /line 2, column 11 holds "z", not a hexadecimal digit/],
    ['indented', (t: string) => t.replace(/\n(?=.)/g, '\n  '), /line 2, column 1 holds " ".*not indented/],
    ['folded onto one line', (t: string) => t.trimEnd().replace(/\n/g, ' '), /on one line.*!vault \|/],
    ['not vault text', () => 'plain text', /does not begin with \$ANSIBLE_VAULT/],
    ['non-ASCII', (t: string) => t.replace(/\n(.)/, '\nü'), /line 2 holds "ü": a vault text is ASCII only/],
    ['header only', (t: string) => t.slice(0, t.indexOf('\n') + 1), /no hex after its header/],
    ['two header fields', (t: string) => t.replace(';AES256', ''), /header "\$ANSIBLE_VAULT;1.1" has 2 fields/],
    ['too large', () => `$ANSIBLE_VAULT;1.1;AES256\n${'0'.repeat(64 * 1024 * 1024)}`, /over the 67108864/],
  ])('malformed: %s', (_name, mutate, message) => {
    const err = refusal(mutate(fromFile11), ALL);
    expect(err.problem).toBe('malformed');
    expect(err.message).toMatch(message);
  });
});

describe('decryptVault: which secret is tried first', () => {
  const sameTwice = (ids: string[]) => ids.map((id) => secret(id, PW_PROD, `--vault-id ${id}@prod.pass`));

  it("a 1.2 text's own vault id first, then the others", () => {
    expect(decryptVaultWith(fromFile12, sameTwice(['dev', 'prod'])).secret.id).toBe('prod');
    expect(decryptVaultWith(fromFile12, sameTwice(['prod', 'dev'])).secret.id).toBe('prod');
  });

  it("a 1.1 text: the 'default' id first", () => {
    const pw = ALL[0]!.password;
    expect(decryptVaultWith(fromFile11, [secret('dev', pw, 'a'), secret('default', pw, 'b')]).secret.source).toBe('b');
  });

  it('the vault id does not have to match (DEFAULT_VAULT_ID_MATCH=false): another id with the right password decrypts', () => {
    expect(decryptVaultWith(fromFile12, [secret('dev', PW_TWO, 'x'), secret('staging', PW_PROD, 'y')]).secret.source).toBe('y');
  });
});

/** A vault text made here with a plaintext padded wrongly (AES-CTR takes any length): its HMAC is right. */
function badlyPadded(password: Buffer): string {
  const salt = Buffer.alloc(32, 7);
  const k = pbkdf2Sync(password, salt, 10000, 80, 'sha256');
  const cipher = createCipheriv('aes-256-ctr', k.subarray(0, 32), k.subarray(64));
  const ct = Buffer.concat([cipher.update(Buffer.from('sixteen bytes!!\x00')), cipher.final()]);
  const mac = createHmac('sha256', k.subarray(32, 64)).update(ct).digest();
  const hex = Buffer.from(`${salt.toString('hex')}\n${mac.toString('hex')}\n${ct.toString('hex')}`).toString('hex');
  return `$ANSIBLE_VAULT;1.1;AES256\n${hex.match(/.{1,80}/g)!.join('\n')}\n`;
}

describe('decryptVault agrees with VaultLib.decrypt on re-spaced and damaged vault texts', () => {
  const split = (t: string) => {
    const lines = t.split('\n');
    return { header: lines[0] as string, hex: lines.slice(1).filter((l) => l !== '') };
  };
  const withHeader = (t: string, header: string) => `${[header, ...split(t).hex].join('\n')}\n`;
  const rewrap = (t: string, width: number) => {
    const { header, hex } = split(t);
    return `${[header, ...(hex.join('').match(new RegExp(`.{1,${width}}`, 'g')) ?? [])].join('\n')}\n`;
  };
  /** change the decoded body: [salt, hmac, ciphertext] hex lines */
  const inner = (t: string, change: (parts: string[]) => string[]) => {
    const { header, hex } = split(t);
    const parts = Buffer.from(hex.join(''), 'hex').toString('latin1').split('\n');
    return `${header}\n${Buffer.from(change(parts).join('\n'), 'latin1').toString('hex')}\n`;
  };
  const flip = (hex: string, at: number) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);

  const V = () => fromFile11;
  const V12 = () => fromFile12;
  const CASES: [string, () => string][] = [
    ['as written', V],
    ['1.2 as written', V12],
    ['no final newline', () => V().trimEnd()],
    ['CRLF line ends', () => V().replace(/\n/g, '\r\n')],
    ['CR line ends', () => V().replace(/\n/g, '\r')],
    ['blank lines between hex lines', () => V().replace(/\n/g, '\n\n')],
    ['trailing blank lines', () => `${V()}\n\n\n`],
    ['hex on one line', () => rewrap(V(), 1_000_000)],
    ['hex wrapped at 64', () => rewrap(V(), 64)],
    ['hex wrapped at 7', () => rewrap(V(), 7)],
    ['upper-case hex', () => withHeader(V().toUpperCase(), split(V()).header)],
    ['spaces around header fields', () => withHeader(V(), '$ANSIBLE_VAULT ; 1.1 ;  AES256 ')],
    ['tab after the header', () => withHeader(V(), '$ANSIBLE_VAULT;1.1;AES256\t')],
    ['space before the header', () => ` ${V()}`],
    ['newline before the header', () => `\n${V()}`],
    ['hex lines indented', () => V().replace(/\n(?=.)/g, '\n  ')],
    [
      'trailing space on a hex line',
      () =>
        V()
          .replace('\n', ' \n')
          .replace(/(\n[0-9a-f]+)\n/, '$1 \n'),
    ],
    ['tab inside the hex', () => V().replace(/(\n[0-9a-f]{20})/, '$1\t')],
    ['folded onto one line', () => V().trimEnd().replace(/\n/g, ' ')],
    ['version 1.0', () => withHeader(V(), '$ANSIBLE_VAULT;1.0;AES256')],
    ['version 9.9', () => withHeader(V(), '$ANSIBLE_VAULT;9.9;AES256')],
    ['a vault id on a 1.1 header', () => withHeader(V(), '$ANSIBLE_VAULT;1.1;AES256;prod')],
    ['1.2 header with an empty vault id', () => withHeader(V(), '$ANSIBLE_VAULT;1.2;AES256;')],
    ['a fifth header field', () => withHeader(V12(), '$ANSIBLE_VAULT;1.2;AES256;prod;extra')],
    ['1.2 with another vault id', () => withHeader(V12(), '$ANSIBLE_VAULT;1.2;AES256;other')],
    ['1.2 made 1.1', () => withHeader(V12(), '$ANSIBLE_VAULT;1.1;AES256')],
    ['cipher AES', () => withHeader(V(), '$ANSIBLE_VAULT;1.1;AES')],
    ['cipher aes256', () => withHeader(V(), '$ANSIBLE_VAULT;1.1;aes256')],
    ['two header fields', () => withHeader(V(), '$ANSIBLE_VAULT;1.1')],
    ['header only', () => '$ANSIBLE_VAULT;1.1;AES256\n'],
    ['header without $', () => V().slice(1)],
    ['$ANSIBLE_VAULTX header', () => withHeader(V(), '$ANSIBLE_VAULTX;1.1;AES256')],
    ['last hex line dropped', () => `${V().trimEnd().split('\n').slice(0, -1).join('\n')}\n`],
    ['last hex digit dropped', () => `${V().trimEnd().slice(0, -1)}\n`],
    ['last two hex digits dropped', () => `${V().trimEnd().slice(0, -2)}\n`],
    ['a hex digit replaced by g', () => V().replace(/(\n[0-9a-f]{5})[0-9a-f]/, '$1g')],
    ['a hex digit replaced by é', () => V().replace(/(\n[0-9a-f]{5})[0-9a-f]/, '$1é')],
    ['empty text', () => ''],
    ['ciphertext digit changed', () => inner(V(), ([s, h, c]) => [s!, h!, flip(c!, 3)])],
    ['HMAC digit changed', () => inner(V(), ([s, h, c]) => [s!, flip(h!, 3), c!])],
    ['HMAC one byte short', () => inner(V(), ([s, h, c]) => [s!, h!.slice(2), c!])],
    ['HMAC not hex', () => inner(V(), ([s, h, c]) => [s!, `zz${h!.slice(2)}`, c!])],
    ['HMAC odd length', () => inner(V(), ([s, h, c]) => [s!, h!.slice(1), c!])],
    ['salt changed', () => inner(V(), ([s, h, c]) => [flip(s!, 0), h!, c!])],
    ['salt odd length', () => inner(V(), ([s, h, c]) => [s!.slice(1), h!, c!])],
    ['salt empty', () => inner(V(), ([, h, c]) => ['', h!, c!])],
    ['two inner lines', () => inner(V(), ([s, h]) => [s!, h!])],
    ['a fourth inner line', () => inner(V(), (p) => [...p, 'ab'])],
    ['ciphertext empty', () => inner(V(), ([s, h]) => [s!, h!, ''])],
    ['inner hex upper-case', () => inner(V(), (p) => p.map((x) => x.toUpperCase()))],
    ['right HMAC, wrong padding', () => badlyPadded(PW_ONE)],
  ];

  it('every case', () => {
    const texts = CASES.map(([, make]) => make());
    const secrets = ALL.map((s) => [s.id, s.password.toString('hex')] as [string, string]);
    const theirs = vaultLib({ encrypt: [], decrypt: texts.map((text) => ({ text, secrets })) }).decrypted;
    const disagreements: string[] = [];
    let accepted = 0;
    CASES.forEach(([name], i) => {
      const them = theirs[i]!;
      let ours: Decrypted;
      try {
        ours = { ok: decryptVault(texts[i]!, ALL).toString('hex') };
      } catch (err) {
        if (!(err instanceof VaultError)) throw err;
        ours = { error: err.problem === 'no-secret' ? undefined : err.problem, message: err.message };
      }
      if (them.ok !== undefined) accepted++;
      if (them.ok !== ours.ok || them.error !== ours.error) {
        disagreements.push(
          `${name}: Ansible ${them.ok !== undefined ? 'decrypts' : `${them.error} (${them.message})`}; ours ${ours.ok !== undefined ? 'decrypts' : `${ours.error} (${ours.message})`}`,
        );
      }
    });
    expect(disagreements).toEqual([]);
    // the table is not all of one kind
    expect(accepted).toBeGreaterThan(10);
    expect(CASES.length - accepted).toBeGreaterThan(20);
  });
});
