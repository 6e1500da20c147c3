/**
 * Recognise a ProxyCommand that is nothing but a jump through another ssh, the classic form
 * that predates ProxyJump and that Ansible's documentation still shows:
 *
 *   ssh -W %h:%p -q user@bastion          ssh -q -p 2222 -W [%h]:%p bastion
 *   ssh user@bastion nc %h %p             exec ssh -J hop1 -W %h:%p bastion
 *
 * It is equivalent to `ProxyJump user@bastion` (plus `-J` hops before it): a TCP channel from
 * the bastion to the target's host and port. Options of the inner ssh that a JumpSpec cannot
 * carry but that do not change where it connects (`-i`, most `-o`) are returned in `ignored` so
 * the caller can warn. Any option that could change where the inner ssh goes (`-F`, `-o HostName`,
 * `-o ProxyJump`, `-o ProxyCommand`), any other option, a `-W` to anything but `%h:%p`, or any
 * other command makes it unrecognised (undefined): taken as a jump, it would not be the path asked for.
 */
import { parseJumpSpec, parsePort, type JumpSpec } from './ssh-jump-spec.js';
import { splitShellWords } from './ssh-shell-words.js';

export interface ProxyCommandJump {
  /** in visiting order, the bastion of the command last */
  hops: JumpSpec[];
  /** inner-ssh options that do not fit a JumpSpec, as written (`-i ~/.ssh/bastion.pem`) */
  ignored: string[];
}

/** ssh 9's getopt string: letters followed by ':' take an argument. */
const SSH_OPTSTRING = '1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYy';
/** flags that do not change where the inner ssh connects or what it forwards */
const HARMLESS_FLAGS = new Set('46aACkKnNqTvxXY'.split(''));
const TARGET_FORWARDS = new Set(['%h:%p', '[%h]:%p']);
const NETCATS = new Set(['nc', 'netcat', 'ncat']);
/** `-o` options of the inner ssh that change where it connects: a jump without them would go elsewhere */
const ROUTING_OPTION = /^\s*(hostname|proxyjump|proxycommand)\s*(=|\s)/i;

function takesArgument(letter: string): boolean | undefined {
  const i = SSH_OPTSTRING.indexOf(letter);
  if (i < 0 || letter === ':') return undefined;
  return SSH_OPTSTRING[i + 1] === ':';
}

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** The inner ssh's destination: `[user@]host` or `ssh://[user@]host[:port]`. */
function readDestination(word: string): JumpSpec | undefined {
  if (/^ssh:\/\//i.test(word)) {
    try {
      const parsed = parseJumpSpec(word);
      return parsed !== 'none' && parsed.length === 1 ? parsed[0] : undefined;
    } catch {
      return undefined;
    }
  }
  const at = word.lastIndexOf('@');
  if (at === 0) return undefined;
  let host = at > 0 ? word.slice(at + 1) : word;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '' || /\s|,/.test(host)) return undefined;
  return at > 0 ? { user: word.slice(0, at), host } : { host };
}

/** The ProxyCommand as a jump, or undefined when it is anything else. */
export function proxyCommandAsJump(command: string): ProxyCommandJump | undefined {
  let words: string[];
  try {
    words = splitShellWords(command, { comments: true });
  } catch {
    return undefined;
  }
  if (words[0] === 'exec') words = words.slice(1);
  if (words.length === 0 || basename(words[0] as string) !== 'ssh') return undefined;

  let user: string | undefined;
  let port: number | undefined;
  let forward: string | undefined;
  let extraHops: JumpSpec[] = [];
  let destination: { host: string } | undefined;
  let remoteCommand: string[] = [];
  const ignored: string[] = [];

  let i = 1;
  while (i < words.length) {
    const word = words[i] as string;
    if (word === '--') {
      i++;
      if (destination === undefined && i < words.length) {
        const dest = readDestination(words[i++] as string);
        if (!dest) return undefined;
        destination = { host: dest.host };
        user ??= dest.user;
        port ??= dest.port;
      }
      remoteCommand = words.slice(i);
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      if (destination === undefined) {
        // ssh: the first of -l / user@, -p / ssh://…:port obtained wins
        const dest = readDestination(word);
        if (!dest) return undefined;
        destination = { host: dest.host };
        user ??= dest.user;
        port ??= dest.port;
        i++;
        continue;
      }
      remoteCommand = words.slice(i);
      break;
    }
    i++;
    for (let j = 1; j < word.length; j++) {
      const letter = word[j] as string;
      const hasArg = takesArgument(letter);
      if (hasArg === undefined) return undefined;
      if (!hasArg) {
        if (!HARMLESS_FLAGS.has(letter)) return undefined;
        continue;
      }
      let arg: string;
      if (j + 1 < word.length) arg = word.slice(j + 1);
      else if (i < words.length) arg = words[i++] as string;
      else return undefined;
      j = word.length;
      switch (letter) {
        case 'W':
          if (!TARGET_FORWARDS.has(arg)) return undefined;
          forward = arg;
          break;
        case 'l':
          user ??= arg;
          break;
        case 'p': {
          const p = parsePort(arg);
          if (p === undefined) return undefined;
          port ??= p;
          break;
        }
        case 'J': {
          let hops: JumpSpec[] | 'none';
          try {
            hops = parseJumpSpec(arg);
          } catch {
            return undefined;
          }
          if (hops !== 'none') extraHops = hops;
          break;
        }
        case 'o': {
          // -o Port / -o User for the bastion fit the hop; anything else does not
          if (ROUTING_OPTION.test(arg)) return undefined;
          const m = /^\s*(port|user)\s*(?:=\s*|\s+)(\S+)\s*$/i.exec(arg);
          if (m && (m[1] as string).toLowerCase() === 'port') {
            const p = parsePort(m[2] as string);
            if (p === undefined) return undefined;
            port ??= p;
          } else if (m) user ??= m[2];
          else ignored.push(`-o ${arg}`);
          break;
        }
        case 'i':
          ignored.push(`-${letter} ${arg}`);
          break;
        default:
          return undefined;
      }
    }
  }
  if (destination === undefined) return undefined;
  if (forward !== undefined) {
    if (remoteCommand.length > 0) return undefined;
  } else if (!(remoteCommand.length === 3 && NETCATS.has(basename(remoteCommand[0] as string)) && remoteCommand[1] === '%h' && remoteCommand[2] === '%p')) {
    return undefined;
  }

  const hop: JumpSpec = { host: destination.host };
  if (user !== undefined) hop.user = user;
  if (port !== undefined) hop.port = port;
  return { hops: [...extraHops, hop], ignored };
}
