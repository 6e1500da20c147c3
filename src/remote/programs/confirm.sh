# shellcheck shell=sh
# A fresh connection's confirmation of the run armed with --confirm-timeout (the host's last run):
# the armed revert finds `confirmed-ID` and undoes nothing.
umask 077
refuse_untrusted
if [ -f "$TXN_JOURNAL" ] && read -r _ id _ < "$TXN_JOURNAL"; then
  state=
  while read -r s _; do state=$s; done < "$TXN_JOURNAL"
  if [ "$state" = armed ]; then
    : > "$TXN_DIR/confirmed-$id"
    echo confirmed >> "$TXN_JOURNAL"
    mark confirmed
  else
    mark not-armed
    printf '%s\n' "$state"
  fi
else
  mark not-armed
fi
