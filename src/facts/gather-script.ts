import { RECORD_FILE } from '../ownership/record.js';
import { HOLDER_FILE, TXN_JOURNAL } from '../apply/txn-script.js';
import { quoteArgv, quoteWord } from '../shell/quote.js';

/**
 * The shell script that reads a host's whole state in one round trip: one `ip -batch` for the
 * root namespace and one per namespace asked about, the namespace list, ip_forward, the NAT
 * rules and cnet-remote's record. Sections start with `@@` lines (see parse-facts.ts).
 */
const IP_SHOW = ['link show', 'addr show', 'route show table all'].join('\n');

function marker(text: string): string {
  return `printf '%s\\n' ${quoteWord(`@@${text}`)}`;
}

function ipShow(netns?: string): string {
  const argv = ['ip', ...(netns ? ['-n', netns] : []), '-4', '-d', '-j', '-batch', '-'];
  return `${quoteArgv(argv)} <<'CNET_EOF'\n${IP_SHOW}\nCNET_EOF`;
}

export function gatherScript(namespaces: readonly string[]): string {
  const lines = [marker('root'), ipShow(), marker('netns'), quoteArgv(['ip', '-j', 'netns', 'list'])];
  for (const ns of namespaces) {
    lines.push(marker(`ns ${ns}`), `if [ -e ${quoteWord(`/run/netns/${ns}`)} ]; then`, ipShow(ns), `else ${marker('absent')}; fi`);
  }
  lines.push(
    marker('forward'),
    'read v < /proc/sys/net/ipv4/ip_forward; echo "$v"',
    marker('nat'),
    `${quoteArgv(['iptables', '-w', '5', '-t', 'nat', '-S', 'POSTROUTING'])} 2>&1 || ${marker('nat-failed')}`,
    marker('filter'),
    `${quoteArgv(['iptables', '-w', '5', '-S', 'FORWARD'])} 2>&1 || ${marker('filter-failed')}`,
    marker('nft'),
    `${quoteArgv(['nft', '-j', 'list', 'chains'])} 2>/dev/null`,
    marker('brnf'),
    'f=/proc/sys/net/bridge/bridge-nf-call-iptables; if [ -r $f ]; then read v < $f; echo "$v"; else echo absent; fi',
    marker('record'),
    `if [ -f ${RECORD_FILE} ]; then while IFS= read -r l; do printf '%s\\n' "$l"; done < ${RECORD_FILE}; fi`,
    marker('txn'),
    `if [ -f ${TXN_JOURNAL} ]; then while IFS= read -r l; do printf '%s\\n' "$l"; done < ${TXN_JOURNAL}; read -r k id pid < ${TXN_JOURNAL}; if [ -f ${HOLDER_FILE} ]; then read -r h < ${HOLDER_FILE}; echo "holder $h"; fi; if kill -0 "$pid" 2>/dev/null; then echo alive; fi; fi`,
    marker('mgmt'),
    'set -- ${CNET_SSH_CONNECTION:-$SSH_CONNECTION}; if [ -n "$1" ]; then echo "$1 $3"; ip -j route get "$1" 2>/dev/null; fi',
    marker('end'),
  );
  return lines.join('\n') + '\n';
}
