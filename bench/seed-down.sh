#!/bin/sh
# Removes what bench/seed.sh builds (untimed, between the baselines' runs); idempotent.
# No `exit`: the bench sends this followed by bench/seed-check.sh as one script.
for l in veth1 veth2 bread-pb-veth bread-j-veth br0 brd1; do
  ip link del "$l" 2>/dev/null   # a veth's peer goes with it, at once (unlike a deleted netns's)
done
for ns in container1 container2 pb jelly; do ip netns del "$ns" 2>/dev/null; done
while iptables -t nat -D POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE 2>/dev/null; do :; done
while iptables -t nat -D POSTROUTING -s 172.19.0.0/24 ! -o brd1 -j MASQUERADE 2>/dev/null; do :; done
sysctl -qw net.ipv4.ip_forward=0
