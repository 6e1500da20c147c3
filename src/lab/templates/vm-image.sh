#!/bin/sh
# A simulated VM of the cnet-remote lab that runs a distribution's own userland (lab up --image):
# lab-vm.ts runs it inside the VM's network namespace, in a mount + UTS namespace of its own. It
# makes the VM's root a copy-on-write overlay on the image, moves into it (pivot_root), then holds
# the VM's namespaces open. Everything it mounts is in the VM's private mount namespace and goes
# with it: nothing is left on the machine when the VM's processes end, however they end.
# Arguments (data only, never code): LOG HOSTNAME ETC BASE LAB SSHDLOG USER...
#   LOG       file for what goes wrong here (the lab folder's <key>.vm.log)
#   HOSTNAME  the VM's host name (vm1, priv1, …)
#   ETC       the VM's own /etc files (the lab folder's etc/, written by lab-users.ts from the image's)
#   BASE      the image's root file system (read-only lower layer, shared by every VM)
#   LAB       the lab folder, bound read-only at the same path inside (keys, sshd_config, host keys)
#   SSHDLOG   the file in the lab folder sshd logs to, bound writable inside
#   USER...   the lab users, who get a home of their own
log=$1
name=$2
etc=$3
base=$4
lab=$5
sshdlog=$6
shift 6
exec 2>"$log"
set -eu
hostname "$name"
# the VM's writes: a tmpfs of its own (upper and work layers), reached only through the overlay
# once the machine's root is gone from this namespace
vm=/run/cnet-lab-vm
mkdir -p "$vm"
mount -t tmpfs -o mode=755 tmpfs "$vm"
mkdir "$vm/upper" "$vm/work" "$vm/root"
root=$vm/root
mount -t overlay overlay -o "lowerdir=$base,upperdir=$vm/upper,workdir=$vm/work" "$root"
cp -a "$etc/." "$root/etc/"
# its own /proc; /sys mounted here, in the VM's network namespace, shows the VM's links
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
# its own /run (its own /run/netns, lock, journal and record), 0755 root as on a real host
mount -t tmpfs -o mode=755 tmpfs "$root/run"
mkdir -m 755 "$root/run/sshd" "$root/run/netns"
# the lab folder at the same path, so sshd_config's paths hold; only sshd's log is writable
mkdir -p "$root$lab"
mount --bind "$lab" "$root$lab"
mount -o remount,bind,ro "$root$lab"
mount --bind "$sshdlog" "$root$sshdlog"
# the overlay becomes the root; the machine's root, stacked under it, is detached
cd "$root"
pivot_root . .
umount -l .
cd /
# /root and /home are the image's (clean, as on a fresh VM); the lab users get their homes
for user in "$@"; do
  mkdir -m 755 "/home/$user" && chown "$user:$user" "/home/$user"
done
# the lab waits for this exec (/proc/PID/comm becomes sleep) before it starts sshd in here
exec sleep infinity
