/**
 * Ansible's `ansible_ssh_common_args` / `ansible_ssh_extra_args`: extra ssh command-line
 * arguments, split like a shell (Ansible uses `shlex.split`). The arguments that decide where
 * and how to connect are understood; everything else is reported as unsupported so the caller
 * can warn.
 *
 * Understood: `-J spec`, `-p port`, `-l user`, `-i file`, `-F file`, and `-o Keyword=value`
 * (also `-o "Keyword value"`, `-oKeyword=value`) for ProxyJump, ProxyCommand, Port, User,
 * HostName, IdentityFile, IdentitiesOnly, IdentityAgent, StrictHostKeyChecking,
 * UserKnownHostsFile, ConnectTimeout, PasswordAuthentication, ServerAliveInterval and
 * ServerAliveCountMax.
 *
 * A ProxyCommand is kept as written, to be run as ssh runs it (proxy-command.ts): the classic
 * Ansible form `-o ProxyCommand="ssh -W %h:%p -i bastion.pem user@bastion"` runs that ssh, with its
 * own key. A jump that cannot be read is `unusableProxy`: the host must then not be connected to
 * at all (directly would bypass the path the inventory asks for).
 *
 * As in ssh, the first value given for an option wins (ProxyJump, `-J` and ProxyCommand share
 * one slot); only `-F` takes the last one.
 */
import { formatJumpSpec, parseJumpSpec, parsePort, type JumpSpec } from './jump-spec.js';
import { parseCount, parseSshTime, parseStrictHostKeyChecking, parseYesNo } from './option-values.js';
import { shlexSplit } from '../../shell/python-shlex.js';
import { argvSplit } from './config-words.js';
import { badHostKeyAlgorithms } from './host-key-policy.js';

export interface SshCommonArgs {
  /** from `-J` or `-o ProxyJump` (`ProxyCommand none` → 'none') */
  proxyJump?: JumpSpec[] | 'none';
  /** `-o ProxyCommand=…` (not none), as written */
  proxyCommand?: string;
  /**
   * Understood options by their OpenSSH keyword (`Port`, `User`, `HostName`, `IdentityFile`,
   * `IdentitiesOnly`, `IdentityAgent`, `StrictHostKeyChecking`, `UserKnownHostsFile`,
   * `ConnectTimeout`, `PasswordAuthentication`, `ServerAliveInterval`, `ServerAliveCountMax`),
   * first value wins. Values are checked and normalised: Port a number, yes/no flags `yes`|`no`,
   * StrictHostKeyChecking one of yes|no|accept-new|ask|off, times in seconds, UserKnownHostsFile
   * its files joined by a space. `~` and `%` tokens are left as written.
   */
  options: Record<string, string>;
  /** every `-i` / `-o IdentityFile` in order (ssh uses them all); `options.IdentityFile` is the first */
  identityFiles: string[];
  /** `-F FILE`: the ssh config file to use instead of ~/.ssh/config */
  configFile?: string;
  /**
   * What was understood, as ssh_config lines in command-line order (`Port 2222`,
   * `ProxyJump u@bastion`, …): pass them to `resolveSshConfig(…, { commandLine })`, which
   * applies them before the config files the way ssh applies its command line.
   */
  configLines: string[];
  /** arguments not understood, as written (e.g. `-A`, `-o ControlMaster=auto`), for a warning */
  unsupported: string[];
  /** a ProxyCommand or jump that cannot be used, as written, with why: the host must not be connected to */
  unusableProxy?: string;
}

/** ssh 9's getopt string: letters followed by ':' take an argument. */
const SSH_OPTSTRING = '1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYy';

const KNOWN_OPTIONS: Record<string, string> = Object.fromEntries(
  [
    'Port',
    'User',
    'HostName',
    'IdentityFile',
    'IdentitiesOnly',
    'IdentityAgent',
    'StrictHostKeyChecking',
    'UserKnownHostsFile',
    'GlobalKnownHostsFile',
    'HostKeyAlias',
    'HostKeyAlgorithms',
    'CheckHostIP',
    'CertificateFile',
    'ConnectTimeout',
    'PasswordAuthentication',
    'ServerAliveInterval',
    'ServerAliveCountMax',
  ].map((k) => [k.toLowerCase(), k]),
);

/**
 * Options that change nothing over one ssh2 connection per host: OpenSSH's connection sharing
 * and compression, which Ansible's default ssh_args set (`-C -o ControlMaster=auto -o
 * ControlPersist=60s`). Taken without a warning (an ansible.cfg that keeps the default would warn
 * on every host).
 */
const NO_EFFECT_OPTIONS = new Set(['controlmaster', 'controlpersist', 'controlpath', 'compression']);
const NO_EFFECT_FLAGS = new Set(['C']);

/** Quote a value for an ssh_config line when it has whitespace or quotes. */
function configValue(value: string): string {
  return /[\s"'#\\]/.test(value) ? `"${value.replace(/"/g, '\\"')}"` : value;
}

/** Check and normalise one understood option's arguments; a string is the reason it is refused. */
function normalise(keyword: string, args: string[]): { value: string; line: string } | string {
  if (args.length === 0) return 'no value';
  if (keyword !== 'UserKnownHostsFile' && keyword !== 'GlobalKnownHostsFile' && args.length > 1) return 'more than one value';
  const arg = args[0] as string;
  let value: string | undefined;
  switch (keyword) {
    case 'Port': {
      const p = parsePort(arg);
      value = p === undefined ? undefined : String(p);
      break;
    }
    case 'IdentitiesOnly':
    case 'CheckHostIP':
    case 'PasswordAuthentication': {
      const b = parseYesNo(arg);
      value = b === undefined ? undefined : b ? 'yes' : 'no';
      break;
    }
    case 'StrictHostKeyChecking':
      value = parseStrictHostKeyChecking(arg);
      break;
    case 'ConnectTimeout':
    case 'ServerAliveInterval': {
      const t = parseSshTime(arg);
      value = t === undefined ? undefined : String(t);
      break;
    }
    case 'ServerAliveCountMax': {
      const n = parseCount(arg);
      value = n === undefined ? undefined : String(n);
      break;
    }
    case 'HostKeyAlgorithms':
      value = badHostKeyAlgorithms(arg) === undefined ? arg : undefined;
      break;
    case 'UserKnownHostsFile':
    case 'GlobalKnownHostsFile':
      return { value: args.join(' '), line: `${keyword} ${args.map(configValue).join(' ')}` };
    default:
      value = arg;
  }
  if (value === undefined) return `invalid value "${arg}"`;
  return { value, line: `${keyword} ${configValue(value)}` };
}

/** Parse Ansible-style extra ssh arguments. Throws a ShlexError on an unterminated quote or a trailing backslash (Ansible fails too). */
export function parseSshCommonArgs(text: string): SshCommonArgs {
  // as Ansible's _split_ssh_args: shlex.split, each word stripped, empty ones dropped
  const words = shlexSplit(text)
    .map((w) => w.text.trim())
    .filter((w) => w !== '');
  const result: SshCommonArgs = { options: {}, identityFiles: [], configLines: [], unsupported: [] };
  let proxySet = false;

  const setOption = (keyword: string, args: string[], asWritten: string): void => {
    const n = normalise(keyword, args);
    if (typeof n === 'string') {
      result.unsupported.push(`${asWritten} (${n})`);
      return;
    }
    if (keyword === 'IdentityFile') result.identityFiles.push(n.value);
    if (result.options[keyword] === undefined) result.options[keyword] = n.value;
    result.configLines.push(n.line);
  };

  const unusable = (why: string): void => {
    result.unusableProxy ??= why;
  };

  /** The first jump or ProxyCommand given is the one ssh uses; a later one is noted as ignored (`ProxyCommand none`: silently). */
  const claimProxy = (proxy: Pick<SshCommonArgs, 'proxyJump' | 'proxyCommand'>, line: string, asWritten?: string): void => {
    if (proxySet) {
      if (asWritten !== undefined) result.unsupported.push(`${asWritten} (ignored: a jump or ProxyCommand was already given)`);
      return;
    }
    proxySet = true;
    Object.assign(result, proxy);
    result.configLines.push(line);
  };

  const setJump = (spec: string, asWritten: string): void => {
    let hops: JumpSpec[] | 'none';
    try {
      hops = parseJumpSpec(spec);
    } catch (e) {
      unusable(`${asWritten} (${(e as Error).message})`);
      return;
    }
    claimProxy({ proxyJump: hops }, `ProxyJump ${formatJumpSpec(hops)}`, asWritten);
  };

  const setProxyCommand = (command: string, asWritten: string): void => {
    if (command.trim().toLowerCase() === 'none') {
      claimProxy({ proxyJump: 'none' }, 'ProxyCommand none');
      return;
    }
    if (command.trim() === '') {
      unusable(`${asWritten} (no command)`);
      return;
    }
    if (/[\r\n]/.test(command)) {
      unusable(`${asWritten} (a line break in the command)`);
      return;
    }
    claimProxy({ proxyCommand: command }, `ProxyCommand ${command}`, asWritten);
  };

  const dashO = (arg: string): void => {
    const asWritten = `-o ${arg}`;
    const m = /^\s*([^\s=]+)[\s=]*(.*?)\s*$/s.exec(arg);
    if (!m) {
      result.unsupported.push(asWritten);
      return;
    }
    const keyword = (m[1] as string).toLowerCase();
    const rest = m[2] as string;
    if (keyword === 'proxyjump') {
      setJump(rest, asWritten);
      return;
    }
    if (keyword === 'proxycommand') {
      setProxyCommand(rest, asWritten);
      return;
    }
    if (NO_EFFECT_OPTIONS.has(keyword)) return;
    // own keys only: `-o constructor=x` is not an option (Object.prototype's are not)
    const canonical = Object.hasOwn(KNOWN_OPTIONS, keyword) ? KNOWN_OPTIONS[keyword] : undefined;
    if (!canonical) {
      result.unsupported.push(asWritten);
      return;
    }
    // ssh reads an -o value as a config line
    const args = argvSplit(rest);
    if (args === null) {
      result.unsupported.push(`${asWritten} (invalid quotes)`);
      return;
    }
    setOption(canonical, args, asWritten);
  };

  let i = 0;
  while (i < words.length) {
    const word = words[i++] as string;
    if (word === '--') {
      result.unsupported.push(...words.slice(i - 1));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      result.unsupported.push(word);
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const letter = word[j] as string;
      const at = SSH_OPTSTRING.indexOf(letter);
      if (at < 0 || letter === ':') {
        result.unsupported.push(`-${letter}`);
        continue;
      }
      if (SSH_OPTSTRING[at + 1] !== ':') {
        if (!NO_EFFECT_FLAGS.has(letter)) result.unsupported.push(`-${letter}`);
        continue;
      }
      let arg: string;
      if (j + 1 < word.length) arg = word.slice(j + 1);
      else if (i < words.length) arg = words[i++] as string;
      else {
        if (letter === 'J') unusable('-J (no argument)');
        else result.unsupported.push(`-${letter} (no argument)`);
        break;
      }
      j = word.length;
      switch (letter) {
        case 'o':
          dashO(arg);
          break;
        case 'J':
          setJump(arg, `-J ${arg}`);
          break;
        case 'p':
          setOption('Port', [arg], `-p ${arg}`);
          break;
        case 'l':
          setOption('User', [arg], `-l ${arg}`);
          break;
        case 'i':
          setOption('IdentityFile', [arg], `-i ${arg}`);
          break;
        case 'F':
          result.configFile = arg;
          break;
        default:
          result.unsupported.push(`-${letter} ${arg}`);
      }
    }
  }
  return result;
}
