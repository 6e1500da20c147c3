#!/usr/bin/env bash
# The main job on the embedded lab: simulated VMs, both seeds' networks built over SSH, verified,
# and proven by ping. HOSTS=10 npm run demo for a bigger lab; LAB=name for another lab name;
# LAB_OWNER=PID to have the next lab start remove the lab once process PID has ended. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
cli() { node bin/cnet-remote.js "$@"; }
hosts=${HOSTS:-3}
lab=${LAB:-cnetlab}

cli lab up --name "$lab" --hosts "$hosts" ${LAB_OWNER:+--owner "$LAB_OWNER"}
inv=$(cli lab inventory --name "$lab")
echo; echo "== cnet-remote up $inv"; cli up "$inv"
echo; echo "== again: nothing to change"; cli up "$inv"
echo; echo "== verify: read back and compare"; cli verify "$inv"

dir=$(dirname "$inv")
upstream=$(sed -n 's/.*answers at \([0-9.]*\).*/\1/p' "$inv")
echo; echo "== proof, from inside each VM (OpenSSH, strict host keys)"
failed=0
while read -r ip; do
  # the script is filled in here, on purpose: this VM's address and the upstream's
  # shellcheck disable=SC2087
  if ssh -i "$dir/id_ed25519" -o UserKnownHostsFile="$dir/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR "root@$ip" sh -s <<SCRIPT
rc=0
p() { if \$1 ping -c 1 -W 1 \$2 >/dev/null 2>&1; then r=ok; else r=FAIL; rc=1; fi; printf '  %-4s %-40s %s\n' "\$r" "\$3" "\$2"; }
echo "\$(hostname) ($ip):"
p "ip netns exec container1" 172.18.0.3 "container1 -> container2"
p "ip netns exec jelly" 172.19.0.2 "jelly -> pb"
p "" 172.18.0.2 "host -> container1"
p "ip netns exec container1" 172.18.0.1 "container1 -> its gateway br0"
p "ip netns exec container2" $upstream "container2 -> upstream (through NAT)"
p "ip netns exec pb" $upstream "pb -> upstream (through NAT)"
exit \$rc
SCRIPT
  then :; else failed=1; fi
done < <(sed -n 's/.*ansible_host: //p' "$inv")
echo
if [ "$failed" != 0 ]; then echo "some probes FAILED" >&2; exit 1; fi
echo "The lab stays up to explore. Remove it all with:"
echo "  node bin/cnet-remote.js down $inv && node bin/cnet-remote.js lab down --name $lab"
