#!/bin/sh
# A simulated VM of the cnet-remote lab (lab-vm.ts runs it inside the VM's network namespace,
# in a mount + UTS namespace of its own): sets the VM up, then holds its namespaces open.
# Arguments (data only, never code): LOG HOSTNAME ETC USER...
#   LOG       file for what goes wrong here (the lab folder's <key>.vm.log)
#   HOSTNAME  the VM's host name (vm1, priv1, …)
#   ETC       the VM's own /etc files (the lab folder's etc/, written by lab-users.ts)
#   USER...   the lab users, who get a home of their own
log=$1
name=$2
etc=$3
shift 3
exec 2>"$log"
set -eu
hostname "$name"
# its own /run (its own /run/netns, lock, journal and record), 0755 root as on a real host
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -m 755 /run/sshd
# clean homes, as a fresh VM has
mount -t tmpfs -o mode=700 tmpfs /root
mount -t tmpfs -o mode=755 tmpfs /home
# /etc: an overlay on the machine's /etc whose upper layer, a tmpfs of the VM's own, holds the
# lab's files; the upper layer is reached only through the overlay: its own mount is detached at once
layer=/run/lab-etc
mkdir "$layer"
mount -t tmpfs -o mode=755 tmpfs "$layer"
mkdir "$layer/upper" "$layer/work"
cp -a "$etc/." "$layer/upper/"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$layer/upper,workdir=$layer/work" /etc
umount -l "$layer"
rmdir "$layer"
for user in "$@"; do
  mkdir -m 755 "/home/$user" && chown "$user:$user" "/home/$user"
done
# the lab waits for this exec (/proc/PID/comm becomes sleep) before it starts sshd in here
exec sleep infinity
