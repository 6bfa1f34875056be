# Shared by every bats file: where the binaries are, the namespace guard,
# cleaning between tests, and holders that keep objects busy.

bats_require_minimum_version 1.5.0

B=${BUILD:-build}
IPC_LS=$B/bin/ipc-ls
IPC_MK=$B/bin/ipc-mk
IPC_RM=$B/bin/ipc-rm

# The kinds of the registry, as the binary tells them: name, alias, family
# (sysv, posix, fd) and how ipc-mk names a new one (key, name, path, -).
KIND_TABLE=$("$IPC_LS" --complete=kind-table)
# The named kinds (System V and POSIX): the pipes and sockets of bats itself
# are fd-kind objects too, so tests of what they create list these only.
NAMED=$(echo "$KIND_TABLE" | awk -F'\t' '$3 != "fd" { print $1 }' | paste -sd, -)
# The kinds that live only in processes.
FD_KINDS=$(echo "$KIND_TABLE" | awk -F'\t' '$3 == "fd" { print $1 }' | paste -sd, -)
FACTORY=$B/tests/ipk-factory
DENY=$B/tests/deny-syscalls
case $B in
/*) BINDIR=$B/bin ;;
*) BINDIR=$PWD/$B/bin ;;
esac
export PATH="$BINDIR:$PATH"

# Refuse to run anywhere but the private namespace of tests/run-in-ns: the
# cleanup below removes every IPC object it can see.
require_private_ns() {
	if [ -z "${IPCKIT_TEST_NS:-}" ] || [ "$(readlink /proc/self/ns/ipc)" != "$IPCKIT_TEST_NS" ]; then
		echo "not in the private test namespace: run through tests/run-in-ns" >&2
		return 1
	fi
	if [ -z "${IPCKIT_HOST_NS:-}" ] || [ "$IPCKIT_HOST_NS" = "$IPCKIT_TEST_NS" ]; then
		echo "the test namespace is the host's: refusing" >&2
		return 1
	fi
}

clean_ns() {
	local held
	for held in "${HOLDERS[@]:-}"; do
		[ -n "$held" ] && kill "$held" 2>/dev/null && wait "$held" 2>/dev/null
	done
	HOLDERS=()
	ipcrm --all 2>/dev/null || true
	find /dev/shm -mindepth 1 -delete 2>/dev/null || true
	find "$IPCKIT_TEST_MQUEUE" -mindepth 1 -delete 2>/dev/null || true
}

setup() {
	require_private_ns || return 1
	clean_ns
}

teardown() {
	clean_ns
}

# Whether a second user exists here: not in the user namespace that
# tests/run-in-ns makes for a non-root caller, where only uid 0 is mapped.
have_other_user() {
	[ -z "${IPCKIT_USERNS:-}" ]
}

require_other_user() {
	have_other_user || skip "only uid 0 exists in this user namespace (run as root for this test)"
}

# as_nobody COMMAND...: runs COMMAND as uid and gid 65534.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# nothing_left [--file GLOB]... [COMMAND...]: nothing of a run is left in
# the test's namespace: no IPC object, no POSIX name, no file matching a
# GLOB, no process of a COMMAND; what is left is shown.
nothing_left() {
	[ -z "$(ipcs -q | awk '/^0x/')" ] || { ipcs -q; return 1; }
	[ -z "$(ipcs -s | awk '/^0x/')" ] || { ipcs -s; return 1; }
	[ -z "$(ipcs -m | awk '/^0x/')" ] || { ipcs -m; return 1; }
	[ -z "$(ls -A /dev/shm)" ] || { ls -la /dev/shm; return 1; }
	[ -z "$(ls -A "$IPCKIT_TEST_MQUEUE")" ] || { ls -la "$IPCKIT_TEST_MQUEUE"; return 1; }
	while [ "${1:-}" = --file ]; do
		! compgen -G "$2" >/dev/null || { ls -ld $2; return 1; }
		shift 2
	done
	local a
	for a in "$@"; do
		! pgrep -x "$a" >/dev/null || { ps -ef; return 1; }
	done
}

# mk KIND [PARAM=VALUE...]: creates one object, prints its REF.
mk() {
	"$FACTORY" "$@"
}

# hold KIND [PARAM=VALUE...]: creates objects held by a background
# process; sets HOLD_PID and HOLD_REFS.  clean_ns stops it.
hold() {
	local out=$BATS_TEST_TMPDIR/hold.$RANDOM
	"$FACTORY" --hold "$@" >"$out" 2>&1 </dev/null &
	HOLDERS+=("$!")
	HOLD_PID=$!
	local i
	for i in $(seq 1 200); do
		grep -q '^ready' "$out" 2>/dev/null && break
		kill -0 "$HOLD_PID" 2>/dev/null || { cat "$out" >&2; return 1; }
		sleep 0.02
	done
	HOLD_REFS=$(grep -v '^ready' "$out")
}

# The one line of stderr a failing command printed, for message checks.
lines_of() {
	printf '%s\n' "$1" | grep -c .
}

# inner KIND...: objects made in a new IPC namespace, held there; sets
# INNER_PID (the holder) and INNER_NS (the namespace's inode).
inner() {
	local out=$BATS_TEST_TMPDIR/inner
	unshare --ipc "$FACTORY" --hold "$@" >"$out" 2>&1 </dev/null 3>&- &
	HOLDERS+=("$!")
	for i in $(seq 200); do grep -q '^ready' "$out" && break; sleep 0.02; done
	INNER_PID=$(sed -n 's/^ready //p' "$out")
	INNER_NS=$(stat -L -c %i "/proc/$INNER_PID/ns/ipc")
	INNER_REFS=$(grep -v '^ready' "$out")
}

# on_tty COMMAND...: runs COMMAND on a terminal (script(1)) until it asks
# "Remove them?"; answer() replies and waits.  Output in $TTY_OUT.
on_tty() {
	TTY_OUT=$BATS_TEST_TMPDIR/tty.out
	local in=$BATS_TEST_TMPDIR/tty.in cmd
	cmd=$(printf '%q ' "$@")
	rm -f "$in"
	mkfifo "$in"
	script -qec "$cmd" /dev/null <"$in" >"$TTY_OUT" 2>&1 3>&- &
	TTY_PID=$!
	exec 5>"$in"
	for _ in $(seq 250); do
		grep -q 'Remove them?' "$TTY_OUT" && return 0
		kill -0 "$TTY_PID" 2>/dev/null || break
		sleep 0.02
	done
	cat "$TTY_OUT" >&2
	return 1
}

answer() {
	echo "$1" >&5
	TTY_STATUS=0
	wait "$TTY_PID" || TTY_STATUS=$?
	exec 5>&-
}
