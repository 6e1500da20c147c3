import { ipv4 } from '../address/ipv4.js';
import { ipv6 } from '../address/ipv6.js';
import { NFT_TABLE } from '../ownership/record.js';
import { program, type Table } from './program.js';

/** a table calling FN with each name */
const each = (fn: string, names: readonly string[]): Table => ({ kind: 'calls', calls: names.map((n) => ({ argv: [fn, n] })) });

/**
 * The program that reads a host's whole state in one round trip (programs/gather.sh; its output's
 * reader: facts/parse-facts.ts). `namespaces`: the namespaces to read (absent ones are reported
 * absent), and besides them those the record lists that exist; `fdbDevices`: VXLAN devices whose
 * forwarding database to read; `nft: false` leaves out other firewalls' nftables chains (a
 * read-back after our own steps, which touch no chain but cnet-remote's own table's, listed then);
 * `ipv6: true` reads ip6tables (the desired network has IPv6 addresses; a record listing an IPv6
 * object asks for it on the host too). Links, addresses and routes are read in both families
 * always, and IPv6's switches (forwarding, accept_ra) with shell builtins.
 */
export function gatherScript(namespaces: readonly string[], fdbDevices: readonly string[] = [], opts: { nft?: boolean; ipv6?: boolean } = {}): string {
  return program('gather', {
    values: {
      NFT: opts.nft === false ? '' : 1,
      NFT_FAMILY: NFT_TABLE.family,
      NFT_TABLE: NFT_TABLE.name,
      IPV6: opts.ipv6 === true ? 1 : '',
      FORWARDING: ipv4.forwarding.proc,
      FORWARDING6: ipv6.forwarding.proc,
    },
    tables: { namespaces: each('read_ns', namespaces), fdb_devices: each('read_fdb', fdbDevices) },
  });
}
