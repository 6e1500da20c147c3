import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cliEnv, onVm, realSsh, startLab, stopLab } from './lab-fixture.js';

/**
 * OpenSSH certificates over real SSH in the lab, each case run with the real `ssh -F config HOST
 * true` (BatchMode, StrictHostKeyChecking yes, no plain host key known anywhere) and with
 * cnet-remote on the same config: both connect or both refuse.
 *
 * vm1 runs extra sshds (started as root over ssh, they end with the lab), one per port, sharing
 * an ed25519 host key (and an RSA one on 2226), each with its own HostCertificate:
 * 2222 and 2226 for the VM's address, 2223 for another name, 2224 expired (its plain key known in one
 * case), 2227 not yet valid, 2228 with no principals; all but 2225 take the lab key, 2225 takes
 * only user certificates signed by the user CA (TrustedUserCAKeys, AuthorizedKeysFile none), from
 * a CertificateFile (its key in a file or in an ssh-agent) or from an ssh-agent of the test's own.
 */
let lab: LabInfo;
let dir: string;
let config: string;
let inventory: string;
/** ssh-agents of this test's own: one holding the user certificate (not the plain key), one the plain key only */
const agents: Record<'cert' | 'key', { sock: string; pid: number } | undefined> = { cert: undefined, key: undefined };

const keygen = (args: string[]) => execFileSync('ssh-keygen', ['-q', ...args]);

const SSHDS: { port: number; hostKey: string; cert: string; lab: boolean }[] = [
  { port: 2222, hostKey: 'host_ed25519', cert: 'valid', lab: true },
  { port: 2223, hostKey: 'host_ed25519', cert: 'othername', lab: true },
  { port: 2224, hostKey: 'host_ed25519', cert: 'expired', lab: true },
  { port: 2225, hostKey: 'host_ed25519', cert: 'valid', lab: false },
  { port: 2226, hostKey: 'host_rsa', cert: 'validrsa', lab: true },
  { port: 2227, hostKey: 'host_ed25519', cert: 'future', lab: true },
  { port: 2228, hostKey: 'host_ed25519', cert: 'noprincipals', lab: true },
];

beforeAll(async () => {
  lab = await startLab('crt', 1);
  dir = mkdtempSync(join(tmpdir(), 'cnet-certs-'));
  const f = (name: string) => join(dir, name);
  const addr = lab.plan.vmAddress(1);
  for (const k of ['host_ca', 'other_ca', 'user_ca', 'host_ed25519', 'user']) keygen(['-t', 'ed25519', '-N', '', '-C', '', '-f', f(k)]);
  keygen(['-t', 'rsa', '-b', '3072', '-N', '', '-C', '', '-f', f('host_rsa')]);
  /** a host certificate for `key` under the name `name` */
  const hostCert = (name: string, key: string, opts: string[]) => {
    writeFileSync(f(`${name}.pub`), readFileSync(f(`${key}.pub`)));
    keygen(['-s', f('host_ca'), '-h', '-I', name, ...opts, f(`${name}.pub`)]);
  };
  hostCert('valid', 'host_ed25519', ['-n', addr]);
  hostCert('othername', 'host_ed25519', ['-n', 'other.example']);
  hostCert('expired', 'host_ed25519', ['-n', addr, '-V', '20200101:20200102']);
  hostCert('validrsa', 'host_rsa', ['-n', addr]);
  hostCert('future', 'host_ed25519', ['-n', addr, '-V', '+52w:+104w']);
  hostCert('noprincipals', 'host_ed25519', []);
  // the user certificate, not beside the key (no user-cert.pub: only a CertificateFile names it)
  writeFileSync(f('usercert.pub'), readFileSync(f('user.pub')));
  keygen(['-s', f('user_ca'), '-I', 'root-user', '-n', 'root', f('usercert.pub')]);
  for (const s of SSHDS) {
    writeFileSync(
      f(`sshd_${s.port}`),
      [
        `HostKey ${f(s.hostKey)}`,
        `HostCertificate ${f(`${s.cert}-cert.pub`)}`,
        `TrustedUserCAKeys ${f('user_ca.pub')}`,
        `AuthorizedKeysFile ${s.lab ? join(lab.plan.dir, 'id_ed25519.pub') : 'none'}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM yes',
        'PidFile none',
        'StrictModes no',
        'UseDNS no',
        '',
      ].join('\n'),
    );
  }
  const started = await onVm(lab, 1, SSHDS.map((s) => `/usr/sbin/sshd -f ${f(`sshd_${s.port}`)} -p ${s.port} -E ${f(`sshd_${s.port}.log`)}\n`).join(''));
  expect(started.code, started.stderr).toBe(0);
  // known_hosts: the host CA for every name, no plain key; and another CA only
  writeFileSync(f('kh_trust'), `@cert-authority * ${readFileSync(f('host_ca.pub'), 'utf8').trim()}\n`);
  writeFileSync(f('kh_other'), `@cert-authority * ${readFileSync(f('other_ca.pub'), 'utf8').trim()}\n`);
  writeFileSync(f('kh_plain'), `[${addr}]:2224 ${readFileSync(f('host_ed25519.pub'), 'utf8').trim()}\n`);
  writeFileSync(f('kh_global'), '');
  const host = (name: string, port: number, knownHosts: string, keys: string[]) => [
    `Host ${name}`,
    `  HostName ${addr}`,
    `  Port ${port}`,
    `  UserKnownHostsFile ${f(knownHosts)}`,
    ...keys.map((k) => `  ${k}`),
  ];
  const labKey = [`IdentityFile ${lab.key}`];
  config = f('ssh_config');
  writeFileSync(
    config,
    [
      ...host('valid', 2222, 'kh_trust', labKey),
      ...host('validrsa', 2226, 'kh_trust', labKey),
      ...host('untrusted', 2222, 'kh_other', labKey),
      ...host('othername', 2223, 'kh_trust', labKey),
      ...host('expired', 2224, 'kh_trust', labKey),
      ...host('fallback', 2224, 'kh_plain', labKey),
      ...host('future', 2227, 'kh_trust', labKey),
      ...host('noprincipals', 2228, 'kh_trust', labKey),
      ...host('certuser', 2225, 'kh_trust', [`IdentityFile ${f('user')}`, `CertificateFile ${f('usercert-cert.pub')}`]),
      ...host('nocertuser', 2225, 'kh_trust', [`IdentityFile ${f('user')}`]),
      ...host('agentcert', 2225, 'kh_trust', ['IdentitiesOnly no', `IdentityFile ${f('nokey')}`]),
      ...host('agentkey', 2225, 'kh_trust', ['IdentitiesOnly no', `IdentityFile ${f('nokey')}`, `CertificateFile ${f('usercert-cert.pub')}`]),
      'Host *',
      '  User root',
      '  IdentitiesOnly yes',
      `  GlobalKnownHostsFile ${f('kh_global')}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  for (const which of ['cert', 'key'] as const) {
    const out = execFileSync('ssh-agent', ['-s', '-a', f(`agent-${which}.sock`)], { encoding: 'utf8' });
    agents[which] = { sock: f(`agent-${which}.sock`), pid: Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]) };
  }
  writeFileSync(f('agentkey'), readFileSync(f('user')), { mode: 0o600 });
  writeFileSync(f('agentkey.pub'), readFileSync(f('user.pub')));
  writeFileSync(f('agentkey-cert.pub'), readFileSync(f('usercert-cert.pub')));
  const agentEnv = (which: 'cert' | 'key') => ({ ...noAgent(), SSH_AUTH_SOCK: agents[which]!.sock });
  execFileSync('ssh-add', ['-q', f('agentkey')], { env: agentEnv('cert'), stdio: 'ignore' }); // the key and its certificate
  execFileSync('ssh-add', ['-q', '-d', f('agentkey.pub')], { env: agentEnv('cert'), stdio: 'ignore' }); // the plain key out again
  expect(execFileSync('ssh-add', ['-l'], { env: agentEnv('cert'), encoding: 'utf8' })).toMatch(/^256 SHA256:\S+ .*\(ED25519-CERT\)\n$/);
  execFileSync('ssh-add', ['-q', f('user')], { env: agentEnv('key'), stdio: 'ignore' }); // no user-cert.pub beside it: the key alone
  expect(execFileSync('ssh-add', ['-l'], { env: agentEnv('key'), encoding: 'utf8' })).toMatch(/^256 SHA256:\S+ .*\(ED25519\)\n$/);
  inventory = f('hosts.yaml');
  writeFileSync(
    inventory,
    `all:\n  hosts:\n${['valid', 'validrsa', 'untrusted', 'othername', 'expired', 'fallback', 'future', 'noprincipals', 'certuser', 'nocertuser', 'agentcert', 'agentkey'].map((h) => `    ${h}:\n`).join('')}`,
  );
});
afterAll(async () => {
  for (const a of Object.values(agents)) if (a) process.kill(a.pid);
  await stopLab(lab);
});

/** the environment of both clients: no ssh-agent */
const noAgent = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'SSH_AUTH_SOCK')) as Record<string, string>;

const ssh = (env: Record<string, string>, ...args: string[]) => realSsh(args, env);

const cases: { host: string; what: string; connects: boolean; ours?: RegExp; theirs?: RegExp; agent?: 'cert' | 'key' }[] = [
  { host: 'valid', what: 'host certificate signed by a CA listed @cert-authority, no plain key known', connects: true },
  { host: 'validrsa', what: 'the same with an RSA host key (rsa-sha2-512-cert-v01)', connects: true },
  {
    host: 'untrusted',
    what: 'the CA not listed (another CA is)',
    connects: false,
    ours: /which no @cert-authority line for \[[\d.]+\]:2222 in known_hosts lists/,
    theirs: /Host key verification failed/,
  },
  {
    host: 'othername',
    what: 'the certificate for another name',
    connects: false,
    ours: /is not among the certificate's principals \("other\.example"\)/,
    theirs: /Host key verification failed/,
  },
  {
    host: 'expired',
    what: 'an expired certificate',
    connects: false,
    ours: /the certificate has expired \(valid until 2020-01-02/,
    theirs: /Host key verification failed/,
  },
  { host: 'fallback', what: 'an expired certificate whose plain key is known (ssh drops the certificate and checks the key)', connects: true },
  {
    host: 'future',
    what: 'a certificate not yet valid',
    connects: false,
    ours: /the certificate is not yet valid \(valid from 20\d\d-/,
    theirs: /Host key verification failed/,
  },
  { host: 'noprincipals', what: 'a certificate with no principals (valid for any name, as ssh has it)', connects: true },
  { host: 'certuser', what: 'a user certificate (CertificateFile) where sshd takes only TrustedUserCAKeys', connects: true },
  { host: 'nocertuser', what: 'the same key without its certificate', connects: false, theirs: /Permission denied \(publickey\)/ },
  { host: 'agentcert', what: 'the user certificate held by the ssh-agent (its plain key not)', connects: true, agent: 'cert' },
  { host: 'agentkey', what: 'a CertificateFile whose key only the ssh-agent holds (the agent signs for it)', connects: true, agent: 'key' },
];

describe.sequential('OpenSSH certificates: the real ssh and cnet-remote agree', () => {
  for (const c of cases) {
    it(`${c.host}: ${c.what}: ${c.connects ? 'both connect' : 'both refuse'}`, async () => {
      const env = c.agent ? { ...noAgent(), SSH_AUTH_SOCK: agents[c.agent]!.sock } : noAgent();
      const real = await ssh(env, '-F', config, c.host, 'echo', 'in');
      const run = await cliEnv(env, 'exec', inventory, '-F', config, '--limit', c.host, '--', 'echo', 'in');
      if (c.connects) {
        expect(real.code, real.stderr).toBe(0);
        expect(real.stdout.trim()).toBe('in');
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout.trim()).toBe(`${c.host} | in`);
      } else {
        expect(real.code).toBe(255);
        if (c.theirs) expect(real.stderr).toMatch(c.theirs);
        expect(run.code).not.toBe(0);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(/1 unreachable/);
        if (c.ours) expect(run.stderr).toMatch(c.ours);
      }
    });
  }
});
