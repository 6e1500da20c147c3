# shellcheck shell=sh
# All probes of a host in one round trip, in parallel (src/remote/probe.ts fills in probes, the
# table of `probe I NAMESPACE TARGET`, COUNT, and WAIT): each pings until the first reply, a
# packet every half second, WAIT seconds at most (an ARP reply or a ping that a loaded host delays
# is not a failure), and on failure records the neighbour table of the namespace it ran in, for
# diagnosis.
# Each writes only into a folder of its own; none made, no probes (a failed mktemp must not make
# "$d/0" /0).

# ping_from NAMESPACE TARGET: pings until one reply, WAIT seconds at most (NAMESPACE empty: from the host itself)
ping_from() {
  if [ -n "$1" ]; then
    ip netns exec "$1" ping -n -q -c 1 -i 0.5 -w "$WAIT" "$2"
  else
    ping -n -q -c 1 -i 0.5 -w "$WAIT" "$2"
  fi
}

# neighbours_of NAMESPACE: its neighbour table (NAMESPACE empty: the host's)
neighbours_of() {
  if [ -n "$1" ]; then ip -n "$1" -j neigh show; else ip -j neigh show; fi
}

# probe I NAMESPACE TARGET: probe I, in the background, its outcome into "$d/I"
probe() {
  (if ping_from "$2" "$3"; then echo @ok; else
    echo @fail
    neighbours_of "$2"
  fi) > "$d/$1" 2>&1 &
}

if d=$(mktemp -d) && [ -n "$d" ] && [ -d "$d" ]; then
  probes
  wait
  i=0
  while [ "$i" -lt "$COUNT" ]; do
    mark probe "$i"
    cat_file "$d/$i"
    i=$((i + 1))
  done
  rm -rf "$d"
fi
mark probes-end
