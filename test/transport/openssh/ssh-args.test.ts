import { describe, expect, it } from 'vitest';
import { formatJumpSpec, parseJumpSpec } from '../../../src/transport/openssh/jump-spec.js';
import { parseSshCommonArgs } from '../../../src/transport/openssh/ssh-args.js';
import { matchPattern, matchPatternList } from '../../../src/transport/openssh/pattern.js';
import { expandPercentTokens, expandTilde, parseSshTime } from '../../../src/transport/openssh/tokens.js';

describe('parseJumpSpec', () => {
  it('none, in any case', () => {
    expect(parseJumpSpec('none')).toBe('none');
    expect(parseJumpSpec(' NONE ')).toBe('none');
  });

  it('[user@]host[:port], comma-separated, in visiting order', () => {
    expect(parseJumpSpec('bastion')).toEqual([{ host: 'bastion' }]);
    expect(parseJumpSpec('ops@bastion.example.com:2222,10.0.0.5,admin@inner:22')).toEqual([
      { user: 'ops', host: 'bastion.example.com', port: 2222 },
      { host: '10.0.0.5' },
      { user: 'admin', host: 'inner', port: 22 },
    ]);
  });

  it('IPv6 in brackets, with or without a port', () => {
    expect(parseJumpSpec('[2001:db8::1]:2200,carol@[fe80::1%eth0]')).toEqual([
      { host: '2001:db8::1', port: 2200 },
      { user: 'carol', host: 'fe80::1%eth0' },
    ]);
  });

  it('ssh:// URIs: user (%-decoded, ;params dropped), port, trailing slash', () => {
    expect(parseJumpSpec('ssh://bob;fingerprint=x@h1:2201/')).toEqual([{ user: 'bob', host: 'h1', port: 2201 }]);
    expect(parseJumpSpec('ssh://a%40b@h')).toEqual([{ user: 'a@b', host: 'h' }]);
    expect(parseJumpSpec('ssh://[::1]:2022,SSH://h2')).toEqual([{ host: '::1', port: 2022 }, { host: 'h2' }]);
  });

  it('the user is everything before the last @; a trailing colon means the default port', () => {
    expect(parseJumpSpec('u@v@h:22')).toEqual([{ user: 'u@v', host: 'h', port: 22 }]);
    expect(parseJumpSpec('a:')).toEqual([{ host: 'a' }]);
    expect(parseJumpSpec('a:ssh')).toEqual([{ host: 'a', port: 22 }]);
  });

  it('a # starts a comment; none inside a list is a host called none', () => {
    expect(parseJumpSpec('a # the bastion')).toEqual([{ host: 'a' }]);
    expect(parseJumpSpec('none,a')).toEqual([{ host: 'none' }, { host: 'a' }]);
  });

  it.each([
    ['', /empty ProxyJump/],
    ['a,,b', /empty hop/],
    ['a, b', /whitespace/],
    ['@a', /empty user name/],
    ['a:0', /bad port "0"/],
    ['a:65536', /bad port/],
    ['a:x', /bad port "x"/],
    ['fe80::1', /IPv6 addresses need brackets/],
    ['h2/2222', /malformed host/],
    ['[::1', /malformed host/],
    ['[::1]x', /malformed host/],
    ['ssh://h/path', /cannot have a path/],
    ['ssh://%r@h', /bad %-escape/],
  ])('rejects %j', (text, message) => {
    expect(() => parseJumpSpec(text)).toThrow(message);
  });

  it('formatJumpSpec prints hops the way ssh -G does', () => {
    expect(formatJumpSpec(parseJumpSpec('ssh://u@[::1]:22,b,c@d:1'))).toBe('u@[::1]:22,b,c@d:1');
    expect(formatJumpSpec('none')).toBe('none');
  });
});

describe('parseSshCommonArgs', () => {
  it('-J, and -o ProxyJump in its three spellings', () => {
    for (const text of [
      '-J ops@bastion:2222',
      '-Jops@bastion:2222',
      '-o ProxyJump=ops@bastion:2222',
      '-o "ProxyJump ops@bastion:2222"',
      '-oProxyJump=ops@bastion:2222',
      "-o 'ProxyJump = ops@bastion:2222'",
    ]) {
      const r = parseSshCommonArgs(text);
      expect(r.proxyJump, text).toEqual([{ user: 'ops', host: 'bastion', port: 2222 }]);
      expect(r.unsupported, text).toEqual([]);
      expect(r.configLines, text).toEqual(['ProxyJump ops@bastion:2222']);
    }
    expect(parseSshCommonArgs('-o ProxyJump=none').proxyJump).toBe('none');
  });

  it('the connection options, normalised, first value winning', () => {
    const r = parseSshCommonArgs(
      '-o StrictHostKeyChecking=No -o UserKnownHostsFile=/dev/null -o Port=2222 -p 22 -o User=deploy -l root ' +
        '-o IdentityFile=~/.ssh/a -i ~/.ssh/b -o ConnectTimeout=1m -o IdentitiesOnly=true -o ServerAliveInterval=15 -F ./ssh.cfg',
    );
    expect(r.options).toEqual({
      StrictHostKeyChecking: 'no',
      UserKnownHostsFile: '/dev/null',
      Port: '2222',
      User: 'deploy',
      IdentityFile: '~/.ssh/a',
      ConnectTimeout: '60',
      IdentitiesOnly: 'yes',
      ServerAliveInterval: '15',
    });
    expect(r.identityFiles).toEqual(['~/.ssh/a', '~/.ssh/b']);
    expect(r.configFile).toBe('./ssh.cfg');
    expect(r.unsupported).toEqual([]);
    expect(r.configLines).toEqual([
      'StrictHostKeyChecking no',
      'UserKnownHostsFile /dev/null',
      'Port 2222',
      'Port 22',
      'User deploy',
      'User root',
      'IdentityFile ~/.ssh/a',
      'IdentityFile ~/.ssh/b',
      'ConnectTimeout 60',
      'IdentitiesOnly yes',
      'ServerAliveInterval 15',
    ]);
  });

  it('a ProxyCommand is kept as written, to be run (the classic Ansible "ssh -W" one was a jump, its -i lost)', () => {
    const r = parseSshCommonArgs(`-o ProxyCommand="ssh -o StrictHostKeyChecking=no -i ~/.ssh/b.pem -W %h:%p -q ec2-user@203.0.113.7"`);
    expect(r.proxyCommand).toBe('ssh -o StrictHostKeyChecking=no -i ~/.ssh/b.pem -W %h:%p -q ec2-user@203.0.113.7');
    expect(r.proxyJump).toBeUndefined();
    expect(r.unsupported).toEqual([]);
    expect(r.unusableProxy).toBeUndefined();
    expect(r.configLines).toEqual(['ProxyCommand ssh -o StrictHostKeyChecking=no -i ~/.ssh/b.pem -W %h:%p -q ec2-user@203.0.113.7']);
    for (const text of [
      "-o ProxyCommand='nc -X 5 -x proxy:1080 %h %p'",
      '-o "ProxyCommand=socat - TCP:%h:%p"',
      '-oProxyCommand="ssh -F other.cfg -W %h:%p bastion"',
    ]) {
      expect(parseSshCommonArgs(text).unusableProxy, text).toBeUndefined();
      expect(parseSshCommonArgs(text).configLines[0], text).toMatch(/^ProxyCommand (nc|socat|ssh) /);
    }
  });

  it('other arguments are unsupported, as written; quotes are honoured', () => {
    const r = parseSshCommonArgs(`-A -qC -o ControlMaster=auto -o "ControlPath=/tmp/a b" -L 8080:localhost:80 extra -o Port=abc`);
    expect(r.unsupported).toEqual(['-A', '-q', '-L 8080:localhost:80', 'extra', '-o Port=abc (invalid value "abc")']);
    expect(r.proxyJump).toBeUndefined();
    expect(r.options).toEqual({});
  });

  it("Ansible's default ssh_args (-C -o ControlMaster=auto -o ControlPersist=60s) change nothing over one ssh2 connection: no warning", () => {
    const r = parseSshCommonArgs('-C -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/%C -o Compression=yes');
    expect(r.unsupported).toEqual([]);
    expect(r.configLines).toEqual([]);
  });

  it('a second jump is ignored, as ssh does', () => {
    const r = parseSshCommonArgs('-J a -o ProxyJump=b');
    expect(r.proxyJump).toEqual([{ host: 'a' }]);
    expect(r.unsupported).toEqual(['-o ProxyJump=b (ignored: a jump or ProxyCommand was already given)']);
    expect(r.unusableProxy).toBeUndefined();
  });

  // each was dropped with a note, and the host connected to directly (or through the ssh config's jump)
  it.each([
    ['-o ProxyCommand', '-o ProxyCommand (no command)'],
    [
      `-o 'ProxyCommand=nc %h
%p'`,
      '-o ProxyCommand=nc %h\n%p (a line break in the command)',
    ],
    ['-J fe80::1', /^-J fe80::1 \(invalid ProxyJump/],
    ['-o ProxyJump bastion', '-o ProxyJump (empty ProxyJump)'],
    ['-p 22 -J', '-J (no argument)'],
    ['-J a -J fe80::1', /^-J fe80::1 \(invalid ProxyJump/],
  ])('a proxy that cannot be used: %s', (text, why) => {
    const r = parseSshCommonArgs(text);
    if (typeof why === 'string') expect(r.unusableProxy).toBe(why);
    else expect(r.unusableProxy).toMatch(why);
  });

  it("an option named as a JavaScript object's own property is not an option (it became a config line of Object's source text)", () => {
    const r = parseSshCommonArgs('-o constructor=x -o __proto__=1 -o toString=1');
    expect(r.unsupported).toEqual(['-o constructor=x', '-o __proto__=1', '-o toString=1']);
    expect(r.configLines).toEqual([]);
    expect(r.options).toEqual({});
  });

  it('ProxyCommand none, in its spellings, is a direct connection, not a problem', () => {
    for (const text of ['-o ProxyCommand=none', '-o "ProxyCommand none"', '-oProxyCommand=NONE']) {
      const r = parseSshCommonArgs(text);
      expect(r.proxyJump, text).toBe('none');
      expect(r.unusableProxy, text).toBeUndefined();
      expect(r.configLines, text).toEqual(['ProxyCommand none']);
    }
  });

  it('empty text, and -o Keyword without a value (ssh rejects it too)', () => {
    expect(parseSshCommonArgs('')).toEqual({ options: {}, identityFiles: [], configLines: [], unsupported: [] });
    expect(parseSshCommonArgs('-o User').unsupported).toEqual(['-o User (no value)']);
    expect(() => parseSshCommonArgs('-o "ProxyJump=a')).toThrow('the quote opened here is never closed');
  });

  it('UserKnownHostsFile lists keep their files; values with spaces are quoted in configLines', () => {
    const r = parseSshCommonArgs(`-o 'UserKnownHostsFile=~/.ssh/kh "/etc/ssh/kh shared"' -i '/keys/my key'`);
    expect(r.options.UserKnownHostsFile).toBe('~/.ssh/kh /etc/ssh/kh shared');
    expect(r.configLines).toEqual(['UserKnownHostsFile ~/.ssh/kh "/etc/ssh/kh shared"', 'IdentityFile "/keys/my key"']);
  });
});

describe('helpers', () => {
  it("the arguments are split as Ansible splits them (Python's shlex.split, each word stripped), each -o value as ssh reads a config line", () => {
    // in double quotes Python's shlex keeps a backslash before `$` (a POSIX shell would drop it)
    expect(parseSshCommonArgs('-o "IdentityFile=/k/a\\$b" -o \'User=deploy\'').identityFiles).toEqual(['/k/a\\$b']);
    expect(parseSshCommonArgs('-o "User=deploy"').configLines).toEqual(['User deploy']);
    expect(() => parseSshCommonArgs('-o "User=deploy')).toThrow('the quote opened here is never closed');
  });

  it('OpenSSH patterns: * any run, ? exactly one, lists with negation', () => {
    expect(matchPattern('web-1.example.com', 'web-*.example.com')).toBe(true);
    expect(matchPattern('db1', 'db?')).toBe(true);
    expect(matchPattern('db', 'db?')).toBe(false);
    expect(matchPattern('db12', 'db?')).toBe(false);
    expect(matchPattern('a.b', 'a?b')).toBe(true);
    expect(matchPattern('a[1]', 'a[1]')).toBe(true);
    expect(matchPatternList('web1', 'db*,web*')).toBe(1);
    expect(matchPatternList('web1', 'web*,!web1')).toBe(-1);
    expect(matchPatternList('web1', 'db*')).toBe(0);
    expect(matchPatternList('web1', 'WEB*', true)).toBe(1);
  });

  it('tokens, tilde, times', () => {
    expect(expandPercentTokens('%%h=%h', { h: 'x' })).toBe('%h=x');
    expect(() => expandPercentTokens('%z', {})).toThrow('unknown token %z');
    expect(() => expandPercentTokens('50%', {})).toThrow('at the end');
    expect(expandTilde('~', '/home/a')).toBe('/home/a');
    expect(expandTilde('~/x', '/home/a')).toBe('/home/a/x');
    expect(expandTilde('a/~/x', '/home/a')).toBe('a/~/x');
    expect(expandTilde('~bob/x', '/home/a', (u) => (u === 'bob' ? '/srv/bob' : undefined))).toBe('/srv/bob/x');
    expect(() => expandTilde('~nobody-x/k', '/home/a', () => undefined)).toThrow('no such user');
    expect(parseSshTime('90')).toBe(90);
    expect(parseSshTime('1h30m5s')).toBe(5405);
    expect(parseSshTime('2W')).toBe(1209600);
    expect(parseSshTime('5x')).toBeUndefined();
    expect(parseSshTime('')).toBeUndefined();
  });
});
