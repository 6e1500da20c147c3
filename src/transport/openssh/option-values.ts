/**
 * Values of the ssh_config keywords cnet-remote honours, checked and normalised the way
 * OpenSSH's readconf.c takes them (`yes`/`true`, `no`/`false`, time intervals, ports).
 * Each parser returns undefined for a value ssh would reject.
 */
import { parsePort } from './jump-spec.js';
import { parseSshTime } from './tokens.js';

export { parsePort, parseSshTime };

export type StrictHostKeyChecking = 'yes' | 'no' | 'accept-new' | 'ask' | 'off';

/** `yes`/`true` → true, `no`/`false` → false (case-insensitive). */
export function parseYesNo(text: string): boolean | undefined {
  const v = text.toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  return undefined;
}

/** `yes`, `no`, `accept-new`, `ask`, `off`; `true` → `yes`, `false` → `no`. */
export function parseStrictHostKeyChecking(text: string): StrictHostKeyChecking | undefined {
  const v = text.toLowerCase();
  if (v === 'true') return 'yes';
  if (v === 'false') return 'no';
  return v === 'yes' || v === 'no' || v === 'accept-new' || v === 'ask' || v === 'off' ? v : undefined;
}

/** A non-negative integer (ServerAliveCountMax). */
export function parseCount(text: string): number | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined;
  return Number(text);
}
