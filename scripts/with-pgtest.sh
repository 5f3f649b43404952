#!/usr/bin/env bash
# with-pgtest.sh - run a command with a throwaway PostgreSQL cluster.
#
# Usage:
#   scripts/with-pgtest.sh CMD [ARGS...]
#   e.g. scripts/with-pgtest.sh go test ./...
#
# Starts a cluster in a fresh temporary directory (see pgtest.sh), exports
# ERPTEST_POSTGRES_URL for CMD, runs CMD, always stops and deletes the
# cluster afterwards, and exits with CMD's status.
#
# If no PostgreSQL server binaries are installed, pgtest.sh prints a skip
# line and CMD runs without ERPTEST_POSTGRES_URL, so the tests that need
# PostgreSQL skip themselves instead of failing.

set -euo pipefail

if (($# == 0)); then
    echo "usage: with-pgtest.sh CMD [ARGS...]" >&2
    exit 2
fi

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
pgtest=$here/pgtest.sh

dir=$(mktemp -d "${TMPDIR:-/tmp}/erp-pgtest-XXXXXX")

# Always tear the cluster down, whatever way we leave.
# shellcheck disable=SC2317  # only ever called from the trap
cleanup() {
    "$pgtest" stop "$dir" >&2 || echo "with-pgtest: could not clean up $dir" >&2
}
trap cleanup EXIT
# Until CMD runs, a signal simply ends the script (the EXIT trap cleans up).
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

status=0
url=$("$pgtest" start "$dir") || status=$?
case $status in
    0)
        export ERPTEST_POSTGRES_URL="$url"
        ;;
    3)
        # pgtest.sh has already printed the skip line on stderr.
        unset ERPTEST_POSTGRES_URL
        ;;
    *)
        echo "with-pgtest: starting PostgreSQL failed (status $status)" >&2
        exit "$status"
        ;;
esac

# Run CMD in the background so that signals sent to this script can be
# passed on to it; bash would otherwise hold them until CMD finished, and
# the cluster would outlive a cancelled job. "<&0" keeps CMD's stdin, and
# "trap - INT QUIT" undoes bash's habit of making background commands
# ignore Ctrl-C, so CMD reacts to it as if it ran in the foreground.
child=""
# shellcheck disable=SC2317  # only ever called from the traps
forward() {
    if [[ -n "$child" ]]; then
        kill -s "$1" "$child" 2>/dev/null || true
    fi
}
trap 'forward TERM' TERM
trap 'forward HUP' HUP
# Ctrl-C in a terminal already reaches CMD directly (same process group),
# so INT is not forwarded again; we just keep waiting for CMD to finish.
trap ':' INT

(
    trap - INT QUIT
    exec "$@"
) <&0 &
child=$!

# "wait" returns early when a trapped signal arrives; keep waiting while
# CMD is still alive.
status=0
while :; do
    if wait "$child"; then status=0; else status=$?; fi
    kill -0 "$child" 2>/dev/null || break
done
# If a signal cut the last wait short just as CMD exited, bash still knows
# CMD's real status; fetch it (127 here means it was not available).
if wait "$child" 2>/dev/null; then final=0; else final=$?; fi
if ((final != 127)); then
    status=$final
fi
exit "$status"
