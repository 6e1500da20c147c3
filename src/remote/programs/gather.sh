# shellcheck shell=sh
# Reads a host's whole state in one round trip (src/remote/gather.ts fills in the tables
# namespaces, a `read_ns NAME` for each namespace asked about, and fdb_devices, a `read_fdb DEV`
# for each VXLAN device whose forwarding database to read; NFT, 1 to read the nftables chains;
# NFT_FAMILY and NFT_TABLE, cnet-remote's own nftables table;
# IP_FAMILY and FORWARDING, the address family's `ip` flag and forwarding switch in /proc), with
# as few processes as it can (every process costs a few milliseconds of a host's CPU, and fleets
# are CPU-bound): one `ip -batch` for the root namespace (links, addresses, routes, the namespace
# list and the route to the controller), one per namespace, one `bridge` per VXLAN device, one
# `iptables-save`, one `nft` for the chains (and one for cnet-remote's table where it is) (and, where firewalld's
# table is there, one for it); the rest (the user it runs as among them) is shell builtins. Each
# section starts with a marker (its reader: src/facts/parse-facts.ts).

# ip_show NS: links, addresses and routes of namespace NS
ip_show() {
  ip -n "$1" "$IP_FAMILY" -d -j -batch - << 'CNET_EOF'
link show
addr show
route show table all
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
r=
case "$1" in *[!0-9.]* | '') ;; *) r="route get $1" ;; esac
mark root
ip "$IP_FAMILY" -d -j -batch - << CNET_EOF
link show
addr show
route show table all
netns list
$r
CNET_EOF
mark state-dir
printf '%s\n' "$bad"
asked=/
table_in_record=
namespaces
# the namespaces the record lists that exist (what `up` made and the inventory may no longer name)
if [ -z "$bad" ] && [ -f "$RECORD_FILE" ]; then
  while read -r k n _; do
    case "$k" in nft-table) table_in_record=1 ;; esac
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
mark iptables
iptables-save 2>&1 || mark iptables-failed
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
mark brnf
f=/proc/sys/net/bridge/bridge-nf-call-iptables
if [ -r $f ]; then
  read -r v < $f
  echo "$v"
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
