import { z } from 'zod';
import { ShlexError, shlexSplit } from '../shell/python-shlex.js';
import { isIpv4, parseCidr, SUBNET_PREFIX } from '../address/ipv4.js';
import { isIpv6, SUBNET6_PREFIX } from '../address/ipv6.js';
import { FIREWALL_SETTINGS } from './types.js';

/**
 * The raw shapes of an inventory: Ansible's group structure, the connection variables we read,
 * and the `cnet` variable. Every level of `cnet` is partial here, because groups and hosts each
 * give part of it; required fields are checked after merging (resolve-network.ts).
 */
const port = z
  .union([z.number(), z.string().regex(/^\d+$/, 'expected a port number')])
  .transform(Number)
  .pipe(z.int().min(1, 'port must be 1-65535').max(65535, 'port must be 1-65535'));

/** whole seconds, as Ansible's `timeout` option (an integer; ssh's ConnectTimeout) */
const seconds = z
  .union([z.number(), z.string().regex(/^\d+$/, 'expected whole seconds')])
  .transform(Number)
  .pipe(z.int().min(1, 'must be at least 1 second').max(86400, 'must be at most 86400 seconds'));

const nonEmpty = z.string().min(1, 'must not be empty');

/** a password: YAML may read an unquoted one as a number */
const secret = z.union([z.string(), z.number()]).transform(String);

/** C0 control characters and DEL */
const CONTROL = /[\x00-\x1f\x7f]/;

const CONTROL_NAMES: Record<string, string> = { '\n': 'a newline', '\r': 'a carriage return', '\t': 'a tab', '\x00': 'a NUL' };

/** The control character `text` holds, named (never the text itself: it is a secret). */
export function controlCharacter(text: string): string | undefined {
  const c = CONTROL.exec(text)?.[0];
  if (c === undefined) return undefined;
  return CONTROL_NAMES[c] ?? `the control character U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
}

/**
 * A password sudo reads (`sudo -S`): sudo takes it up to the first newline or carriage return, and
 * what follows goes on to the shell sudo starts, as the become user: a control character is refused.
 */
export function sudoPasswordProblem(password: string): string | undefined {
  const c = controlCharacter(password);
  return (
    c &&
    `holds ${c}: sudo would take the password up to a line end and run what follows as a command; remove it (a YAML block scalar, | or >, ends with a newline: write the password as a quoted string)`
  );
}

const sudoSecret = secret.superRefine((text, ctx) => {
  const problem = sudoPasswordProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: `the password ${problem}` });
});

/**
 * ssh arguments as Ansible splits them (Python's shlex.split): an unterminated quote is refused
 * where it is written (the transport's splitter, the one implementation of the rule).
 */
const sshArgs = z.string().superRefine((text, ctx) => {
  try {
    shlexSplit(text);
  } catch (err) {
    if (!(err instanceof ShlexError)) throw err;
    ctx.addIssue({ code: 'custom', message: `${err.message} (character ${err.at + 1}; Ansible splits the value into words with Python's shlex.split)` });
  }
});

/** Ansible's boolean(): these words in any case, and 1/0 */
const TRUE_WORDS = ['y', 'yes', 'on', '1', 'true', 't'];
const FALSE_WORDS = ['n', 'no', 'off', '0', 'false', 'f'];
const ansibleBool = z.union([
  z.boolean(),
  z.union([z.literal(1), z.literal(0)]).transform((n) => n === 1),
  z
    .string()
    .refine(
      (s) => [...TRUE_WORDS, ...FALSE_WORDS].includes(s.trim().toLowerCase()),
      `expected a boolean: ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')} (any case)`,
    )
    .transform((s) => TRUE_WORDS.includes(s.trim().toLowerCase())),
]);

export const bridgeSchema = z
  .strictObject({
    subnet: z.string().optional(),
    address: z.string().optional(),
    nat: z.boolean().optional(),
    subnet6: z.string().optional(),
    address6: z.string().optional(),
    nat6: z.boolean().optional(),
  })
  .nullable();

export const namespaceSchema = z
  .strictObject({
    bridge: z.string().optional(),
    address: z.string().optional(),
    address6: z.string().optional(),
    host_if: z.string().optional(),
    ns_if: z.string().optional(),
  })
  .nullable();

/** an integer in [min, max], with one message for both ends */
const intIn = (name: string, min: number, max: number, why = '') =>
  z.int().min(min, `${name} must be ${min}-${max}${why}`).max(max, `${name} must be ${min}-${max}${why}`);

/** a subnet, a.b.c.d/len, checked as bridges' subnets are */
const cidrText = z.string().superRefine((text, ctx) => {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/**
 * The fleet-wide network (cnet.fabric): each field may come from a different layer; defaults,
 * cross-field checks and the per-host subnets are in fabric-settings.ts / resolve-fabric.ts.
 */
export const fabricSchema = z
  .strictObject({
    mode: z.enum(['routed', 'vxlan']).optional(),
    supernet: z.string().optional(),
    host_prefix: intIn('host_prefix', SUBNET_PREFIX.min, SUBNET_PREFIX.max).optional(),
    supernet6: z.string().optional(),
    host_prefix6: intIn('host_prefix6', SUBNET6_PREFIX.min, SUBNET6_PREFIX.max).optional(),
    bridge: z.string().optional(),
    nat: z.boolean().optional(),
    nat6: z.boolean().optional(),
    vni: intIn('vni', 1, 16777215, ' (24 bits, 0 is not a VNI)').optional(),
    port: intIn('port', 1, 65535).optional(),
    device: z.string().optional(),
    underlay_dev: z.string().optional(),
    underlay_mtu: intIn('underlay_mtu', 68, 65535).optional(),
    mtu: intIn('mtu', 68, 65535, ' (68 is the smallest MTU IPv4 allows)').optional(),
  })
  .nullable();

export const FABRIC_KEYS = Object.keys(fabricSchema.unwrap().shape);

export const cnetSchema = z.strictObject({
  /** which tool writes the NAT rules (firewall/choose.ts) */
  firewall: z.enum(FIREWALL_SETTINGS).optional(),
  bridges: z.record(z.string(), bridgeSchema).nullable().optional(),
  namespaces: z.record(z.string(), namespaceSchema).nullable().optional(),
  fabric: fabricSchema.optional(),
});

export type RawCnet = z.infer<typeof cnetSchema>;

/** Variables cnet-remote reads. Other variables are allowed (a user's inventory has many), except
 * unknown `cnet_*` ones, which are typos (checked in flatten.ts). */
export const knownVarSchemas = {
  ansible_host: nonEmpty,
  ansible_ssh_host: nonEmpty,
  ansible_port: port,
  ansible_ssh_port: port,
  ansible_user: nonEmpty,
  ansible_ssh_user: nonEmpty,
  ansible_ssh_private_key_file: nonEmpty,
  ansible_private_key_file: nonEmpty,
  ansible_password: secret,
  ansible_ssh_pass: secret,
  ansible_ssh_password: secret,
  /** how Ansible reaches the host: ssh (also smart, paramiko) or local; others are refused (resolve-connection.ts) */
  ansible_connection: nonEmpty,
  ansible_ssh_common_args: sshArgs,
  ansible_ssh_extra_args: sshArgs,
  ansible_become: ansibleBool,
  ansible_become_user: nonEmpty,
  ansible_sudo_user: nonEmpty,
  ansible_become_password: sudoSecret,
  ansible_become_pass: sudoSecret,
  ansible_sudo_pass: sudoSecret,
  ansible_become_method: z.literal('sudo', 'only sudo is supported as ansible_become_method'),
  /** the ssh plugin's `timeout`: ssh -o ConnectTimeout, which beats the ssh config's */
  ansible_ssh_timeout: seconds,
  ansible_host_key_checking: ansibleBool,
  ansible_ssh_host_key_checking: ansibleBool,
  /** `off` unquoted is YAML 1.1's false (as Ansible reads YAML): taken as 'off' */
  cnet_host_key_checking: z.preprocess((v) => (v === false ? 'off' : v), z.enum(['strict', 'ask', 'accept-new', 'off'])),
  cnet_known_hosts_file: nonEmpty,
  /** the "upstream" address namespaces on a NAT bridge probe (`--probe`); the lab sets its own */
  cnet_probe_target: z.string().refine(isIpv4, 'expected an IPv4 address'),
  /** the same over IPv6, for namespaces on a bridge with subnet6 */
  cnet_probe_target6: z.string().refine(isIpv6, 'expected an IPv6 address'),
  /** this host's subnet of the fabric (else the next free one of the supernet, in inventory order) */
  cnet_fabric_subnet: cidrText,
  /** this host's address on the fabric's underlay (else ansible_host, when it is an IP address): IPv4 or IPv6 (VXLAN over either) */
  cnet_underlay_address: z.string().refine((s) => isIpv4(s) || isIpv6(s), 'expected an IPv4 or IPv6 address'),
  /** a routed fabric with supernet6: this host's IPv6 address on the underlay, its peers' next hop for its IPv6 subnet (else cnet_underlay_address or ansible_host, when IPv6) */
  cnet_underlay_address6: z.string().refine(isIpv6, 'expected an IPv6 address'),
  cnet: cnetSchema,
} as const;

export type KnownVar = keyof typeof knownVarSchemas;

/** a mapping of variables: checked, not copied (zod's record copies each one; 100k hosts' worth) */
const vars = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'expected a mapping of variable names to values',
);

export interface RawGroup {
  hosts?: Record<string, Record<string, unknown> | null> | null;
  vars?: Record<string, unknown> | null;
  children?: Record<string, RawGroup | null> | null;
}

export const groupSchema: z.ZodType<RawGroup> = z.lazy(() =>
  z.strictObject({
    hosts: z.record(z.string(), vars.nullable()).nullable().optional(),
    vars: vars.nullable().optional(),
    children: z.record(z.string(), groupSchema.nullable()).nullable().optional(),
  }),
);

export const inventorySchema = z.record(z.string(), groupSchema.nullable());
