/**
 * Ansible's host patterns, as its inventory plugins read a host key (ini, yaml, toml: the base
 * plugin's `_expand_hostpattern`, ansible-core 2.14): `parse_address(pattern, allow_ranges=True)`
 * takes off a port (`host:22`, `[v6::addr]:22`), and `expand_hostname_range` expands every
 * `[begin:end]` / `[begin:end:step]` range (numbers, zero-padded numbers, letters), first range
 * outermost. A pattern `parse_address` does not understand is kept whole (no port taken off) and
 * still expanded, as Ansible does. Unlike Ansible, an expansion is bounded.
 */
import { pythonInt } from './python-str.js';

/** More hosts than this from one pattern are refused: a range that size is a typo, and would exhaust memory. */
export const MAX_EXPANDED_HOSTS = 100_000;
/** More ranges than this in one name are refused (Ansible expands each by recursion and fails near 1000). */
export const MAX_RANGES = 500;

export type HostPattern = { hosts: string[]; port?: number } | { problem: string };

// parse_address's regular expressions (lib/ansible/parsing/utils/addresses.py). Python's `$`
// also matches before a final newline; its `\w` is Unicode; its `.` is anything but a newline.
const END = '(?=\\n?$)';
const W = '[\\p{L}\\p{N}_]';
const NUMERIC_RANGE = '\\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\\]';
const HEX_RANGE = '\\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\\]';
const ALNUM_RANGE = '\\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\\]';
const I6 = `(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const I4 = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
const LABEL = `(?:${W}|${ALNUM_RANGE})(?:${W}|[_-]|${ALNUM_RANGE})*(?<![_-])`;

const BRACKETED_HOSTPORT = new RegExp(`^\\[([^\\n]+)\\]:([0-9]+)${END}`, 'u');
const HOSTPORT = new RegExp(`^((?:[^:\\[\\]]|\\[[^\\]]*\\])*):([0-9]+)${END}`, 'u');
const IPV4 = new RegExp(`^(?:${I4}\\.){3}${I4}${END}`, 'iu');
// Ansible writes `^alt|alt|…|alt$`: only the first alternative is anchored at the start (match()
// anchors them all there) and only the last at the end, so `1::anything` is an IPv6 address.
const IPV6 = new RegExp(
  '^(?:' +
    [
      `(?:${I6}:){7}${I6}`,
      `(?:${I6}:){1,6}:`,
      `(?:${I6}:)(?::${I6}){1,6}`,
      `(?:${I6}:){2}(?::${I6}){1,5}`,
      `(?:${I6}:){3}(?::${I6}){1,4}`,
      `(?:${I6}:){4}(?::${I6}){1,3}`,
      `(?:${I6}:){5}(?::${I6}){1,2}`,
      `(?:${I6}:){6}(?::${I6})`,
      `:(?::${I6}){1,6}`,
      `${I6}?::`,
      `(?:0:){6}(?:${I6}\\.){3}${I6}`,
      `::(?:ffff:)?(?:${I6}\\.){3}${I6}`,
      `(?:0:){5}ffff:(?:${I6}\\.){3}${I6}${END}`,
    ].join('|') +
    ')',
  'iu',
);
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*${END}`, 'iu');

/**
 * `parse_address(address, allow_ranges=True)`: the host and port, or undefined where Ansible
 * raises (the caller then keeps the pattern whole). Both port forms are tried in turn, as Ansible
 * does: `[host:22]:33` is host `host`, port 22.
 */
export function parseAddress(address: string): { host: string; port?: string } | undefined {
  let port: string | undefined;
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(address);
    if (m) [address, port] = [m[1]!, m[2]!];
  }
  if (address === '' || !(IPV4.test(address) || IPV6.test(address) || HOSTNAME.test(address))) return undefined;
  return { host: address, port };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A range's names, by position (a range may be far too long to list). */
interface Seq {
  count: bigint;
  at(i: bigint): string;
}

const shown = (text: string) => JSON.stringify(text);

/** `str(x).zfill(width)`: zeros after the sign */
function zfill(x: bigint, width: number): string {
  const digits = (x < 0n ? -x : x).toString();
  const sign = x < 0n ? '-' : '';
  return sign + digits.padStart(width - sign.length, '0');
}

/** One `[begin:end(:step)]` as expand_hostname_range reads it: its names, or Ansible's objection in plain words. */
function rangeSeq(range: string): Seq | string {
  const text = `[${range}]`;
  const bounds = range.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) return `host range ${shown(text)} must be [begin:end] or [begin:end:step]`;
  const beg = bounds[0] || '0';
  const end = bounds[1]!;
  const step = bounds[2] ?? '1';
  if (!end) return `host range ${shown(text)} has no end: write [begin:end]`;
  let fill = (x: bigint) => x.toString();
  if (beg[0] === '0' && beg.length > 1) {
    if (beg.length !== end.length) {
      return `host range ${shown(text)} begins zero-padded to ${beg.length} characters but its end ${shown(end)} has ${end.length}: write both ends with the same number of digits`;
    }
    fill = (x) => zfill(x, beg.length);
  }
  // letters: str.index finds a substring, as Ansible's does ("ab" is at 0); a bad step falls back to numbers
  const iBeg = LETTERS.indexOf(beg);
  const iEnd = LETTERS.indexOf(end);
  if (iBeg >= 0 && iEnd >= 0) {
    if (iBeg > iEnd) return `host range ${shown(text)} goes backwards: write the earlier letter first (a-z come before A-Z)`;
    const k = pythonInt(step);
    if (k !== undefined && k !== 0n) {
      const count = k < 0n ? 0n : (BigInt(iEnd + 1 - iBeg) + k - 1n) / k;
      return { count, at: (i: bigint) => LETTERS[iBeg + Number(i * k)]! };
    }
  }
  const b = pythonInt(beg);
  const e = pythonInt(end);
  const k = pythonInt(step);
  for (const [v, t] of [
    [b, beg],
    [e, end],
    [k, step],
  ] as const) {
    if (v === undefined)
      return `host range ${shown(text)} has ${shown(t)} where a number is needed: write numbers, or single letters, e.g. [1:5], [01:10:2], [a:f]`;
  }
  if (k === 0n) return `host range ${shown(text)} has step 0: use a step of 1 or more`;
  // range(b, e + 1, k)
  const span = k! > 0n ? e! + 1n - b! : b! - (e! + 1n);
  const stepSize = k! > 0n ? k! : -k!;
  const count = span <= 0n ? 0n : (span + stepSize - 1n) / stepSize;
  return { count, at: (i: bigint) => fill(b! + i * k!) };
}

/**
 * One level of expand_hostname_range: it replaces the first `[` and the first `]` by `|` and
 * splits on `|`, which must give exactly three parts (a `|` in the name, or no `]`, fails).
 */
function level(line: string): { head: string; seq: Seq; tail: string } | string {
  const open = line.indexOf('[');
  let s = `${line.slice(0, open)}|${line.slice(open + 1)}`;
  const close = s.indexOf(']');
  if (close >= 0) s = `${s.slice(0, close)}|${s.slice(close + 1)}`;
  const parts = s.split('|');
  if (parts.length !== 3) {
    if (close < 0) return `"[" opens a host range that no "]" closes: write ranges as [begin:end] or [begin:end:step], e.g. web[01:03]`;
    if (line.includes('|')) return `"|" cannot be in a host name with a range (Ansible marks the range with it)`;
    return `the host range is written in a way Ansible cannot split: write ranges as [begin:end] or [begin:end:step], e.g. web[01:03]`;
  }
  const [head, range, tail] = parts as [string, string, string];
  const seq = rangeSeq(range);
  return typeof seq === 'string' ? seq : { head, seq, tail };
}

/** expand_hostname_range(name): every name, in Ansible's order; refused past MAX_EXPANDED_HOSTS. */
function expandRanges(pattern: string): string[] | string {
  // each level's shape is the same for every name of the level before (a range's names hold no
  // brackets), so one name per level checks them all and gives the total before any is made
  let total = 1n;
  let ranges = 0;
  for (let s = pattern; s.includes('['); ) {
    if (++ranges > MAX_RANGES) return `host pattern has more than ${MAX_RANGES} ranges: write fewer`;
    const lv = level(s);
    if (typeof lv === 'string') return lv;
    if (lv.seq.count === 0n) return []; // Ansible makes no host and checks no further range
    total *= lv.seq.count;
    if (total > BigInt(MAX_EXPANDED_HOSTS)) {
      return `host pattern names more than ${MAX_EXPANDED_HOSTS} hosts: check its ranges (at most ${MAX_EXPANDED_HOSTS} hosts are expanded from one pattern)`;
    }
    s = lv.head + lv.seq.at(0n) + lv.tail;
  }
  let names = [pattern];
  while (names[0]!.includes('[')) {
    const next: string[] = [];
    for (const s of names) {
      const lv = level(s) as Exclude<ReturnType<typeof level>, string>;
      for (let i = 0n; i < lv.seq.count; i++) next.push(lv.head + lv.seq.at(i) + lv.tail);
    }
    names = next;
  }
  return names;
}

/**
 * A host key as Ansible's inventory plugins read it: its host names, and the port written with
 * it. A port of 0 is taken off the name but sets no port (Ansible sets ansible_port only from a
 * port that is not 0). A pattern that names no host (`web[3:1]`) gives `hosts: []`, as in Ansible.
 */
export function expandHostPattern(pattern: string): HostPattern {
  const parsed = parseAddress(pattern);
  const name = parsed?.host ?? pattern;
  const port = parsed?.port === undefined ? 0 : Number(parsed.port);
  const hosts = name.includes('[') ? expandRanges(name) : [name];
  if (typeof hosts === 'string') return { problem: hosts };
  return port ? { hosts, port } : { hosts };
}
