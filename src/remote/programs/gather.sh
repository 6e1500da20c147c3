# shellcheck shell=sh
# Reads a host's whole state in one round trip (src/remote/gather.ts fills in the tables
# namespaces, a `read_ns NAME` for each namespace asked about, and fdb_devices, a `read_fdb DEV`
# for each VXLAN device whose forwarding database to read; NFT, 1 to read the nftables chains;
# NFT_FAMILY and NFT_TABLE, cnet-remote's own nftables table; IPV6, 1 to read ip6tables (as when
# the record lists an IPv6 object); FORWARDING and FORWARDING6, the families' forwarding switches
# in /proc), with as few processes as it can (every process costs a few milliseconds of a host's
# CPU, and fleets are CPU-bound): one `ip -batch` for the root namespace (links, addresses and
# routes of both families, the namespace list and the route to the controller), one per
# namespace, one `bridge` per VXLAN device, one `iptables-save` (and one `ip6tables-save` where
# IPv6 is asked for), one `nft` for the chains (and one for cnet-remote's table where it is) (and,
# where firewalld's table is there, one for it); the rest (the user it runs as, the IPv6 sysctls
# among them) is shell builtins. Each section starts with a marker (its reader:
# src/facts/parse-facts.ts).

# ip_show NS: links, addresses (both families) and routes of namespace NS. Without a family flag
# `addr show` lists both families' addresses (each says its family) and `route show table all`
# every family's routes, which do not say theirs: `root 0.0.0.0/0` keeps IPv4's, `root ::/0`
# IPv6's (exactly what `ip -4`/`ip -6` print), one list each, in one process
ip_show() {
  ip -n "$1" -d -j -batch - << 'CNET_EOF'
link show
addr show
route show table all root 0.0.0.0/0
route show table all root ::/0
CNET_EOF
}

# read_ns NAME: namespace NAME (absent: said so); asked lists the names read, between slashes
read_ns() {
  asked="$asked$1/"
  mark ns "$1"
  if [ -e "/run/netns/$1" ]; then ip_show "$1"; else mark absent; fi
}

# read_fdb DEV: the forwarding database of VXLAN device DEV (absent: said so)
read_fdb() {
  mark fdb "$1"
  if [ -e "/sys/class/net/$1" ]; then bridge -j fdb show dev "$1"; else mark absent; fi
}

# the record and the journal are read only from a state folder root alone can write
check_state_dir
# the host's last transaction now, and again at the end: the facts are of one state only if it stayed the same
t0=' '
# shellcheck disable=SC2154 # jid, st: read_journal's (journal.sh)
if [ -z "$bad" ]; then
  read_journal
  t0="$jid $st"
fi
# SSH_CONNECTION is "client port server port"; under sudo, become.ts passes it on
# shellcheck disable=SC2086
set -- ${CNET_SSH_CONNECTION:-$SSH_CONNECTION}
mark mgmt
echo "$1 $3"
# the user the program runs as (its effective uid; 0: root, which changing the network needs)
mark uid
while read -r k _ e _; do
  if [ "$k" = Uid: ]; then
    echo "$e"
    break
  fi
done < /proc/self/status
# the route back to the client (IPv4 or IPv6: `ip` tells them apart), for an address only
r=
case "$1" in *[!0-9A-Fa-f.:]* | '') ;; *) r="route get $1" ;; esac
mark root
ip -d -j -batch - << CNET_EOF
link show
addr show
route show table all root 0.0.0.0/0
route show table all root ::/0
netns list
$r
CNET_EOF
mark state-dir
printf '%s\n' "$bad"
asked=/
table_in_record=
v6=$IPV6
namespaces
# the namespaces the record lists that exist (what `up` made and the inventory may no longer name);
# an IPv6 object in it (an address, with ':', which no name holds) asks for ip6tables
if [ -z "$bad" ] && [ -f "$RECORD_FILE" ]; then
  while read -r k n rest; do
    case "$k" in nft-table) table_in_record=1 ;; esac
    case "$n $rest" in *:*) v6=1 ;; esac
    case "$k $n" in "netns "[A-Za-z0-9_]*) ;; *) continue ;; esac
    case "$n" in *[!A-Za-z0-9_.-]*) continue ;; esac
    case "$asked" in *"/$n/"*) continue ;; esac
    [ -e "/run/netns/$n" ] || continue
    mark ns "$n"
    ip_show "$n"
  done < "$RECORD_FILE"
fi
fdb_devices
mark forward
read -r v < "$FORWARDING"
echo "$v"
# IPv6's switches (absent: the kernel has no IPv6): forwarding, whether IPv6 is disabled, and each
# root interface's accept_ra (forwarding on, 1 is ignored: a router-learned default route is
# lost), as `accept_ra NAME VALUE` (names hold no blank; `all` and `default` are no interface's;
# `.?*`: names starting with a dot, which `*` leaves out)
mark ipv6
if [ -d /proc/sys/net/ipv6 ]; then
  read -r v < "$FORWARDING6"
  echo "forwarding $v"
  read -r v < /proc/sys/net/ipv6/conf/all/disable_ipv6
  echo "disable_ipv6 $v"
  for f in /proc/sys/net/ipv6/conf/*/accept_ra /proc/sys/net/ipv6/conf/.?*/accept_ra; do
    i=${f%/accept_ra}
    i=${i##*/}
    case "$i" in all | default) continue ;; esac
    # read's status is no guide (a sysctl file read a byte at a time ends without its newline): a
    # pattern matching nothing, or an interface removed since the glob, leaves v empty
    v=
    read -r v 2> /dev/null < "$f"
    [ -n "$v" ] || continue
    echo "accept_ra $i $v"
  done
else
  echo absent
fi
mark iptables
iptables-save 2>&1 || mark iptables-failed
if [ -n "$v6" ]; then
  mark ip6tables
  ip6tables-save 2>&1 || mark ip6tables-failed
fi
# cnet-remote's own table: listed where there is a sign of it (its chains among the chains; the
# record naming it, as it does in a read-back after steps that made it), or where the chains could
# not be listed (then nft says why); else said absent without another process. A table that does
# not exist fails too: its reader tells the two apart
list_table=$table_in_record
if [ -n "$NFT" ]; then
  mark nft
  chains=$(nft -j list chains 2> /dev/null) || list_table=1
  printf '%s\n' "$chains"
  case "$chains" in *"\"family\": \"$NFT_FAMILY\", \"table\": \"$NFT_TABLE\""*) list_table=1 ;; esac
  # firewalld's table (its zones), read only where firewalld's table is there
  case "$chains" in
    *'"family": "inet", "table": "firewalld"'*)
      mark firewalld
      nft -j list table inet firewalld 2> /dev/null
      ;;
  esac
fi
mark nft-table
if ! command -v nft > /dev/null; then
  echo 'nft: not found'
  mark nft-failed
elif [ -n "$list_table" ]; then
  nft -j list table "$NFT_FAMILY" "$NFT_TABLE" 2>&1 || mark nft-failed
else
  mark nft-none
fi
# bridged traffic through iptables' and ip6tables' FORWARD: "IPV4 IPV6" (or absent)
mark brnf
f=/proc/sys/net/bridge/bridge-nf-call-iptables
if [ -r $f ]; then
  read -r v < $f
  b6=
  [ -r /proc/sys/net/bridge/bridge-nf-call-ip6tables ] && read -r b6 < /proc/sys/net/bridge/bridge-nf-call-ip6tables
  echo "$v $b6"
else
  echo absent
fi
mark record
if [ -z "$bad" ] && [ -f "$RECORD_FILE" ]; then cat_file "$RECORD_FILE"; fi
mark txn
if [ -z "$bad" ] && [ -f "$TXN_JOURNAL" ]; then
  cat_file "$TXN_JOURNAL"
  read -r _ _ pid _ < "$TXN_JOURNAL"
  if [ -f "$HOLDER_FILE" ]; then
    read -r h < "$HOLDER_FILE"
    echo "holder $h"
  fi
  if kill -0 "$pid" 2> /dev/null; then echo alive; fi
fi
mark txn-start
printf '%s\n' "$t0"
mark end
