/**
 * What a failed authentication says, against ssh2's own server (in-process, a host key from
 * ssh-keygen) that takes the methods each case lists and accepts only the right password: a
 * refused password is said to be refused, not "no key was accepted"; no password goes to a server
 * that takes none. The same against the lab's sshd (OpenSSH, PAM): test/e2e/messages.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthMethod, type AuthTrail, authHandler } from '../../src/transport/auth.js';
import { describeSshError } from '../../src/transport/ssh-errors.js';

const RIGHT = 'right-password';
let dir: string;
let hostKey: Buffer;
let userKey: ssh2.ParsedKey;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-auth-failure-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'user')]);
  hostKey = readFileSync(join(dir, 'host'));
  userKey = ssh2.utils.parseKey(readFileSync(join(dir, 'user'))) as ssh2.ParsedKey;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The server takes `allowed` (no key is authorized); what it was sent, and how the client's connection ended. */
async function attempt(allowed: string[], methods: AuthMethod[]): Promise<{ outcome: string; sent: string[] }> {
  const sent: string[] = [];
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password') sent.push(`password ${ctx.password}`);
      else sent.push(ctx.method);
      if (!allowed.includes(ctx.method)) return ctx.reject(allowed);
      if (ctx.method === 'password' && ctx.password === RIGHT) return ctx.accept();
      if (ctx.method === 'keyboard-interactive')
        return ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
          sent.push(`answered ${answers.join(',')}`);
          return answers[0] === RIGHT ? ctx.accept() : ctx.reject(allowed);
        });
      ctx.reject(allowed);
    });
    client.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const trail: AuthTrail = {};
  const outcome = await new Promise<string>((resolve) => {
    const c = new ssh2.Client();
    c.on('ready', () => {
      c.end();
      resolve('ready');
    });
    c.on('error', (err) => resolve(describeSshError(err, 'u@h', trail)));
    c.connect({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      username: 'u',
      hostVerifier: () => true,
      authHandler: authHandler(methods, trail),
    } as ssh2.ConnectConfig);
  });
  server.close();
  return { outcome, sent };
}

const key = (): AuthMethod => ({ type: 'publickey', username: 'u', key: userKey });
const password = (p: string): AuthMethod[] => [
  { type: 'password', username: 'u', password: p },
  { type: 'keyboard-interactive', username: 'u', prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => p)) },
];

describe('a failed authentication says what the server refused', () => {
  it('a wrong password, as a password and as keyboard-interactive: "the password was refused", after the key', async () => {
    const r = await attempt(['publickey', 'password', 'keyboard-interactive'], [key(), ...password('wrong')]);
    expect(r.sent).toEqual(['publickey', 'password wrong', 'keyboard-interactive', 'answered wrong']);
    expect(r.outcome).toBe(
      'u@h: authentication failed: the password was refused (and no key was accepted); check ansible_password (or ansible_ssh_pass) for this user',
    );
  });

  it('a wrong password only, keyboard-interactive only', async () => {
    expect((await attempt(['password'], password('wrong'))).outcome).toBe(
      'u@h: authentication failed: the password was refused; check ansible_password (or ansible_ssh_pass) for this user',
    );
    const kbd = await attempt(['keyboard-interactive'], [key(), ...password('wrong')]);
    expect(kbd.sent).toEqual(['publickey', 'keyboard-interactive', 'answered wrong']);
    expect(kbd.outcome).toMatch(/: the password was refused \(and no key was accepted\)/);
  });

  it('the right password gets in', async () => {
    expect((await attempt(['publickey', 'password'], [key(), ...password(RIGHT)])).outcome).toBe('ready');
    expect((await attempt(['keyboard-interactive'], password(RIGHT))).outcome).toBe('ready');
  });

  it('a server that takes no password is sent none after it says so, and that is said', async () => {
    const r = await attempt(['publickey'], [key(), ...password('wrong')]);
    expect(r.sent).toEqual(['publickey']);
    expect(r.outcome).toBe('u@h: authentication failed: no key was accepted, and the server takes no password (the server offers: publickey)');
  });

  it('no password: no key was accepted, with what the server offers', async () => {
    expect((await attempt(['publickey', 'password'], [key()])).outcome).toBe(
      'u@h: authentication failed (no key was accepted) (the server offers: publickey, password)',
    );
  });

  it('methods taken out of the list before the connection (an untrusted host key: no password) are not tried', async () => {
    const methods = [key(), ...password('wrong')];
    const trail: AuthTrail = {};
    const handler = authHandler(methods, trail);
    methods.splice(1, 2);
    expect((handler as unknown as (left: string[] | null) => AuthMethod | false)(null)).toMatchObject({ type: 'publickey' });
    expect((handler as unknown as (left: string[] | null) => AuthMethod | false)(['publickey', 'password'])).toBe(false);
    expect(trail).toEqual({ passwordGiven: false, keyOffered: true, serverMethods: ['publickey', 'password'] });
  });
});
