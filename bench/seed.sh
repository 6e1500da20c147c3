#!/bin/sh
# The seeds' scenario on one host, built by hand as the two tutorials do it
# (/work/shared/seeds: "Container Networking Deep Dive, Part 2" + Part 3's NAT, and
# "A Container Is a Linux Namespace"), with the addresses of inventories/seed-*.yaml.
# Same objects as `cnet-remote plan` on a clean host, minus cnet-remote's ownership marks
# (link aliases, rule comments, the record) and its fixed container MACs.
# One command a line, no variables: the Ansible per-step playbook is generated from these lines.
# `ip -n NS …` is the tutorials' `ip netns exec NS ip …` without the extra exec (faster: favours
# the baselines). Needs a clean host (bench/seed-down.sh).
set -eu
ip netns add container1
ip netns add container2
ip netns add pb
ip netns add jelly
ip link add veth1 type veth peer name ceth1
ip link add veth2 type veth peer name ceth2
ip link add bread-pb-veth type veth peer name veth-pb
ip link add bread-j-veth type veth peer name veth-jelly
ip link set ceth1 netns container1
ip link set ceth2 netns container2
ip link set veth-pb netns pb
ip link set veth-jelly netns jelly
ip -n container1 link set lo up
ip -n container2 link set lo up
ip -n pb link set lo up
ip -n jelly link set lo up
ip -n container1 link set ceth1 up
ip -n container2 link set ceth2 up
ip -n pb link set veth-pb up
ip -n jelly link set veth-jelly up
ip -n container1 addr add 172.18.0.2/16 dev ceth1
ip -n container2 addr add 172.18.0.3/16 dev ceth2
ip -n pb addr add 172.19.0.2/24 dev veth-pb
ip -n jelly addr add 172.19.0.3/24 dev veth-jelly
ip link add br0 type bridge
ip link add brd1 type bridge
ip link set veth1 master br0
ip link set veth2 master br0
ip link set bread-pb-veth master brd1
ip link set bread-j-veth master brd1
ip link set veth1 up
ip link set veth2 up
ip link set bread-pb-veth up
ip link set bread-j-veth up
ip link set br0 up
ip link set brd1 up
ip addr add 172.18.0.1/16 dev br0
ip addr add 172.19.0.1/24 dev brd1
ip -n container1 route add default via 172.18.0.1 dev ceth1
ip -n container2 route add default via 172.18.0.1 dev ceth2
ip -n pb route add default via 172.19.0.1 dev veth-pb
ip -n jelly route add default via 172.19.0.1 dev veth-jelly
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE
iptables -t nat -A POSTROUTING -s 172.19.0.0/24 ! -o brd1 -j MASQUERADE
sysctl -w net.ipv4.ip_forward=1
