import { checkStateDir, HOLDER_FILE, RECORD_FILE, TXN_JOURNAL } from '../remote/state-dir.js';
import { quoteArgv, quoteWord } from '../shell/quote.js';

/**
 * The shell script that reads a host's whole state in one round trip, with as few processes as it
 * can (every process costs a few milliseconds of a host's CPU, and fleets are CPU-bound): one `ip
 * -batch` for the root namespace (links, addresses, routes, the namespace list and the route to
 * the controller), one per namespace asked about, one `iptables-save`, one `nft`; the rest is
 * shell builtins. Sections start with `@@` lines (see parse-facts.ts).
 */
const IP_SHOW = ['link show', 'addr show', 'route show table all'];

function marker(text: string): string {
  return `printf '%s\\n' ${quoteWord(`@@${text}`)}`;
}

/** `ns`: the namespace as shell text (a quoted name, or `"$n"`); the root batch names the controller's address ($r) and expands */
function ipBatch(ns: string | undefined, commands: string[]): string {
  const eof = ns ? "'CNET_EOF'" : 'CNET_EOF';
  return `ip ${ns ? `-n ${ns} ` : ''}-4 -d -j -batch - <<${eof}\n${commands.join('\n')}\nCNET_EOF`;
}

/** prints file F's lines with shell builtins only */
const cat = (f: string) => `while IFS= read -r l; do printf '%s\\n' "$l"; done < ${f}`;

/**
 * `namespaces`: the namespaces to read (absent ones are reported absent), and besides them those
 * the record lists that exist (what `up` made and the inventory may no longer name); `fdbDevices`: VXLAN
 * devices whose forwarding database to read (`bridge`, one process each); `nft: false` leaves out
 * the nftables chains (a read-back after our own steps, which never touch nftables).
 */
export function gatherScript(namespaces: readonly string[], fdbDevices: readonly string[] = [], opts: { nft?: boolean } = {}): string {
  const lines = [
    // the record and the journal are read only from a state folder root alone can write
    checkStateDir,
    // the host's last transaction now, and again at the end: the facts are of one state only if it stayed the same
    `t0=' '; if [ -z "$bad" ] && [ -f ${TXN_JOURNAL} ]; then j=; s=; while read -r k v rest; do [ "$k" = begin ] && j=$v; s=$k; done < ${TXN_JOURNAL}; t0="$j $s"; fi`,
    // SSH_CONNECTION is "client port server port"; under sudo, become.ts passes it on
    'set -- ${CNET_SSH_CONNECTION:-$SSH_CONNECTION}',
    marker('mgmt'),
    'echo "$1 $3"',
    `r=; case "$1" in *[!0-9.]*|'') ;; *) r="route get $1" ;; esac`,
    marker('root'),
    ipBatch(undefined, [...IP_SHOW, 'netns list', '$r']),
  ];
  lines.push(marker('state-dir'), 'printf \'%s\\n\' "$bad"');
  for (const ns of namespaces) {
    lines.push(marker(`ns ${ns}`), `if [ -e ${quoteWord(`/run/netns/${ns}`)} ]; then`, ipBatch(quoteWord(ns), IP_SHOW), `else ${marker('absent')}; fi`);
  }
  lines.push(
    `if [ -z "$bad" ] && [ -f ${RECORD_FILE} ]; then while read -r k n rest; do`,
    `  case "$k $n" in "netns "[A-Za-z0-9_]*) ;; *) continue ;; esac; case "$n" in *[!A-Za-z0-9_.-]*) continue ;; esac`,
    `  case ' '${quoteWord(namespaces.join(' '))}' ' in *" $n "*) continue ;; esac`,
    `  [ -e "/run/netns/$n" ] || continue`,
    `  printf '@@ns %s\\n' "$n"`,
    ipBatch('"$n"', IP_SHOW),
    `done < ${RECORD_FILE}; fi`,
  );
  for (const dev of fdbDevices) {
    lines.push(
      marker(`fdb ${dev}`),
      `if [ -e ${quoteWord(`/sys/class/net/${dev}`)} ]; then ${quoteArgv(['bridge', '-j', 'fdb', 'show', 'dev', dev])}; else ${marker('absent')}; fi`,
    );
  }
  lines.push(
    marker('forward'),
    'read v < /proc/sys/net/ipv4/ip_forward; echo "$v"',
    marker('iptables'),
    `iptables-save 2>&1 || ${marker('iptables-failed')}`,
    ...(opts.nft === false ? [] : [marker('nft'), `${quoteArgv(['nft', '-j', 'list', 'chains'])} 2>/dev/null`]),
    marker('brnf'),
    'f=/proc/sys/net/bridge/bridge-nf-call-iptables; if [ -r $f ]; then read v < $f; echo "$v"; else echo absent; fi',
    marker('record'),
    `if [ -z "$bad" ] && [ -f ${RECORD_FILE} ]; then ${cat(RECORD_FILE)}; fi`,
    marker('txn'),
    `if [ -z "$bad" ] && [ -f ${TXN_JOURNAL} ]; then ${cat(TXN_JOURNAL)}; read -r k id pid < ${TXN_JOURNAL}; if [ -f ${HOLDER_FILE} ]; then read -r h < ${HOLDER_FILE}; echo "holder $h"; fi; if kill -0 "$pid" 2>/dev/null; then echo alive; fi; fi`,
    marker('txn-start'),
    'printf \'%s\\n\' "$t0"',
    marker('end'),
  );
  return `${lines.join('\n')}\n`;
}
