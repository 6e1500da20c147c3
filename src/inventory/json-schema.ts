import { z } from 'zod';
import { cnetSchema, knownVarSchemas } from './schema.js';

/**
 * The JSON Schema (draft-07, what editors' YAML language servers read) of a YAML inventory as
 * Ansible's YAML inventory plugin reads it: top-level groups, each with `hosts`, `vars` and
 * `children`; any variable allowed on a host or group, except that `cnet` is the network, checked
 * as cnet-remote checks it (unknown keys refused), and other `cnet*` variables are only the known
 * ones (an unknown one is a typo, as the loader says).
 */

type JsonSchema = Record<string, unknown>;

/** What each field of `cnet` means, by its path: every field has one (a test checks). */
export const CNET_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '': "cnet-remote's network on the hosts this group or host covers; merged by object name, field by field, host wins",
  bridges: "Linux bridges, by name: the containers' gateway on each host",
  'bridges.*': 'a bridge (null: declared, its fields come from other layers)',
  'bridges.*.subnet': "the bridge's IPv4 subnet, a.b.c.d/len (a bridge needs subnet, subnet6 or both)",
  'bridges.*.address': "the bridge's own address and the containers' gateway (default: the subnet's first host address)",
  'bridges.*.nat': 'MASQUERADE the subnet leaving through any other interface, and ip_forward=1 (default true)',
  'bridges.*.subnet6': "the bridge's IPv6 prefix, e.g. fd00:18::/64 (a bridge needs subnet, subnet6 or both)",
  'bridges.*.address6': "the bridge's own IPv6 address and the containers' IPv6 gateway (default: the prefix's first host address)",
  'bridges.*.nat6':
    'MASQUERADE (NAT66) the prefix leaving through any other interface (default true for unique local fc00::/7 prefixes, false for global ones: routed), and IPv6 forwarding=1',
  namespaces: 'network namespaces (the containers), by name',
  'namespaces.*': 'a namespace (null: declared, its fields come from other layers)',
  'namespaces.*.bridge': 'the bridge its veth pair joins (required once merged)',
  'namespaces.*.address': "its address in the bridge's subnet (default: the next free one, in name order)",
  'namespaces.*.address6': "its IPv6 address in the bridge's subnet6 (default: the next free one, in name order)",
  'namespaces.*.host_if': 'the veth end on the host (default ve-NAME, shortened with a hash to 15 bytes)',
  'namespaces.*.ns_if': 'the veth end inside the namespace (default eth0)',
  firewall:
    'which tool writes the NAT rules: auto (the default: where they are already, else iptables where it is installed, else nftables), nftables (a table of its own, inet cnet_remote) or iptables',
  fabric: 'one network across the hosts, a subnet of the supernet per host',
  'fabric.mode': "routed (each host routes the others' subnets) or vxlan (required once merged)",
  'fabric.supernet': "the fabric's addresses, /8 to /30 (required once merged)",
  'fabric.host_prefix': "the prefix of each host's subnet (default 24)",
  'fabric.supernet6':
    "the fabric's IPv6 addresses beside the IPv4 ones, e.g. fd00:30::/48 (a routed fabric needs each member's IPv6 underlay address: cnet_underlay_address6)",
  'fabric.host_prefix6': "the prefix of each host's IPv6 subnet (default 64)",
  'fabric.nat6': 'MASQUERADE (NAT66) what leaves the fabric over IPv6 (default true for unique local fc00::/7 prefixes, false for global ones: routed)',
  'fabric.bridge': "the fabric's bridge on each host (default cnet0)",
  'fabric.nat': 'MASQUERADE what leaves the fabric, and ip_forward=1 (default true)',
  'fabric.vni': 'vxlan only: the VXLAN network identifier (default 42)',
  'fabric.port': 'vxlan only: the UDP port (default 4789)',
  'fabric.device': "vxlan only: the VXLAN device's name (default vxcnet0)",
  'fabric.underlay_dev': 'vxlan only, may differ per host: the interface VXLAN sends from',
  'fabric.underlay_mtu': 'the MTU of the network between the hosts (default 1500)',
  'fabric.mtu': 'vxlan only: the MTU inside the fabric (default underlay_mtu - 50 over an IPv4 underlay, - 70 over IPv6)',
};

/** `{type: object}` or `{anyOf: [{type: object}, {type: null}]}`'s object branch */
function objectBranch(s: JsonSchema): JsonSchema {
  const any = s.anyOf as JsonSchema[] | undefined;
  return any?.find((b) => b.type === 'object') ?? s;
}

/** Adds CNET_DESCRIPTIONS to the generated schema of `cnet`, walking its properties and records. */
function describe(s: JsonSchema, path: string): void {
  const description = CNET_DESCRIPTIONS[path];
  if (description !== undefined) s.description = description;
  const obj = objectBranch(s);
  const at = (key: string) => (path ? `${path}.${key}` : key);
  for (const [key, sub] of Object.entries((obj.properties ?? {}) as Record<string, JsonSchema>)) describe(sub, at(key));
  if (typeof obj.additionalProperties === 'object') describe(obj.additionalProperties as JsonSchema, at('*'));
}

/** The schema of `cnet`, from the one the loader uses (zod), as the YAML is written (before defaults). */
export function cnetJsonSchema(): JsonSchema {
  const { $schema: _, ...schema } = z.toJSONSchema(cnetSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  describe(schema, '');
  return schema;
}

/** `cnet*` names other than the known variables: refused, as the loader refuses them (a typo) */
function unknownCnetPattern(): string {
  const known = Object.keys(knownVarSchemas)
    .filter((k) => k.startsWith('cnet'))
    .map((k) => k.slice('cnet'.length));
  return `^cnet(?!(${known.join('|')})$)`;
}

const nullable = (s: JsonSchema): JsonSchema => ({ anyOf: [s, { type: 'null' }] });

/** The inventory's JSON Schema: see the top of this file. */
export function inventoryJsonSchema(): JsonSchema {
  const vars: JsonSchema = {
    type: 'object',
    description: 'variables: any name; cnet is the network',
    properties: { cnet: cnetJsonSchema() },
    patternProperties: { [unknownCnetPattern()]: { not: {}, description: 'not a variable cnet-remote knows (a typo?)' } },
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'cnet-remote inventory',
    description: "An Ansible YAML inventory (as Ansible's yaml inventory plugin reads it); the network is the cnet variable",
    type: 'object',
    additionalProperties: { $ref: '#/definitions/group' },
    definitions: {
      vars,
      group: nullable({
        type: 'object',
        description: 'a group: its hosts, its variables, its child groups',
        properties: {
          hosts: {
            description: 'hosts by name or pattern (web[01:50], host:port), each with its variables; a string names one host',
            anyOf: [{ type: 'object', additionalProperties: nullable({ $ref: '#/definitions/vars' }) }, { type: 'string' }, { type: 'null' }],
          },
          vars: { description: "the group's variables", anyOf: [{ $ref: '#/definitions/vars' }, { type: 'null' }] },
          children: {
            description: 'child groups, by name',
            anyOf: [{ type: 'object', additionalProperties: { $ref: '#/definitions/group' } }, { type: 'string' }, { type: 'null' }],
          },
        },
        additionalProperties: false,
      }),
    },
  };
}
