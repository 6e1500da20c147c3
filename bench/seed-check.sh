#!/bin/sh
# `sh -s -- applied`: the host has the seeds' scenario (whichever tool built it);
# `sh -s -- absent`: none of it is left. Untimed. Prints what is wrong, exits 1.
mode=${1:?applied or absent}
bad=0
fail() { echo "$(hostname): $*" >&2; bad=1; }
has() { # has DESCRIPTION COMMAND… : the command succeeds when applied, fails when absent
  what=$1; shift
  if "$@" >/dev/null 2>&1; then [ "$mode" = absent ] && fail "still there: $what"
  else [ "$mode" = applied ] && fail "missing: $what"; fi
}
up() { ip ${2:+-n "$2"} link show dev "$1" up | grep -q .; }   # up IF [NS]: IF exists with IFF_UP
for c in "container1 ceth1 172.18.0.2/16 172.18.0.1 veth1 br0" \
         "container2 ceth2 172.18.0.3/16 172.18.0.1 veth2 br0" \
         "pb veth-pb 172.19.0.2/24 172.19.0.1 bread-pb-veth brd1" \
         "jelly veth-jelly 172.19.0.3/24 172.19.0.1 bread-j-veth brd1"; do
  set -- $c
  has "netns $1" test -e "/run/netns/$1"
  has "$1: lo up" up lo "$1"
  has "$1: $2 up" up "$2" "$1"
  has "$1: $3 on $2" sh -c "ip -n $1 -4 -o addr show dev $2 | grep -q ' $3 '"
  has "$1: default via $4" sh -c "ip -n $1 route show default | grep -q 'via $4 dev $2'"
  has "$5 up in $6" sh -c "ip -o link show dev $5 up master $6 | grep -q ."
done
for b in "br0 172.18.0.1/16 172.18.0.0/16" "brd1 172.19.0.1/24 172.19.0.0/24"; do
  set -- $b
  has "bridge $1 up" up "$1"
  has "$2 on $1" sh -c "ip -4 -o addr show dev $1 | grep -q ' $2 '"
  has "MASQUERADE $3 ! -o $1" sh -c "iptables -t nat -S POSTROUTING | grep -q -- '-s $3 ! -o $1 .*-j MASQUERADE'"
done
has "ip_forward=1" test "$(sysctl -n net.ipv4.ip_forward)" = 1
exit $bad
