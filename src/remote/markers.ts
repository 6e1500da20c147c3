/**
 * The marker codec's reader. What runs on a host marks the parts of its output with lines that
 * start with `@@` (written by `mark` in programs/lib.sh): `@@NAME` or `@@NAME ARGS`, the body
 * being the lines up to the next marker. Host output is data: a line that is not a marker is
 * body text, whatever it holds.
 */

/**
 * Every marker a program writes (`mark NAME`), and so every section a reader may look for: the
 * gather's (facts/parse-facts.ts), the transaction's (apply/txn-output.ts), the probes'
 * (verify/probe-output.ts), the lock's and the confirmation's (run/). test/remote/markers.test.ts
 * holds the programs and the readers to this list.
 */
export const MARKERS = [
  // gather.sh
  'mgmt',
  'uid',
  'root',
  'state-dir',
  'ns',
  'absent',
  'fdb',
  'forward',
  'ipv6',
  'iptables',
  'iptables-failed',
  'ip6tables',
  'ip6tables-failed',
  'nft',
  'nft-table',
  'nft-failed',
  'nft-none',
  'firewalld',
  'brnf',
  'record',
  'txn',
  'txn-start',
  'end',
  // txn.sh, launch.sh, recover.sh, await-lock.sh, state-dir.sh
  'step',
  'undo',
  'rolledback',
  'committed',
  'locked',
  'stale',
  'superseded',
  'untrusted',
  'apply-exit',
  // confirm.sh
  'confirmed',
  'not-armed',
  // probe.sh
  'probe',
  'probes-end',
] as const;
export type Marker = (typeof MARKERS)[number];

/** Splits a program's output into its `@@name` sections (section name → body). */
export function splitSections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  let body: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('@@')) {
      if (name !== undefined) out.set(name, body.join('\n'));
      name = line.slice(2);
      body = [];
    } else if (name !== undefined) body.push(line);
  }
  if (name !== undefined) out.set(name, body.join('\n'));
  return out;
}
