# shellcheck shell=sh
# The rule for trusting the state folder (STATE_DIR: the lock, the record, the transaction's
# script and journal): whoever can write there can make root run anything. So it is used only
# when the user the run is (root) alone can write it and everything in it: owned by that user,
# not group- or world-writable, no symlinks, nothing but folders and files.

# check_state_dir: sets bad to the first thing that makes the state folder untrustworthy
# (`PATH owner USER mode MODE type T`), or to nothing; an absent folder is fine. One `find`,
# only when the folder exists (a file another run renames meanwhile is no finding; any error of
# find's is one); the rest are builtins.
check_state_dir() {
  bad=
  if [ -e "$STATE_DIR" ] || [ -L "$STATE_DIR" ]; then
    u=
    while read -r k _ b _; do
      if [ "$k" = Uid: ]; then u=$b; break; fi
    done < /proc/self/status
    bad=$(find "$STATE_DIR" -ignore_readdir_race -maxdepth 2 '(' -type l -o '!' -type d '!' -type f -o '!' -uid "${u:-0}" -o -perm /022 ')' -printf '%p owner %u mode %m type %y\n' -quit 2>&1)
    [ -d "$STATE_DIR" ] || bad=${bad:-"$STATE_DIR is not a folder"}
    # its first line only: a name may hold a newline
    bad=${bad%%'
'*}
  fi
}

# refuse_untrusted: ends the program (`@@untrusted WHAT`, then the exit status 75 as the
# transaction's) unless the state folder is trustworthy
refuse_untrusted() {
  check_state_dir
  if [ -n "$bad" ]; then
    mark untrusted "$bad"
    mark apply-exit
    echo 75
    exit 0
  fi
}
