# shellcheck shell=sh
# Waits (LOCK_WAIT seconds at most) for another run's lock to be let go, then lets go of it at once.
umask 077
refuse_untrusted
[ -f "$LOCK_FILE" ] || exit 0
exec 9>> "$LOCK_FILE"
flock -w "$LOCK_WAIT" 9 || mark locked
