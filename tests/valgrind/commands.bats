#!/usr/bin/env bats
# The commands under valgrind: no error and no leak in any mode.  Slow, so
# not in make check: make valgrind runs this (and CI runs make valgrind).

load ../cli/helpers

IPC_MK=$BINDIR/ipc-mk
IPC_RM=$BINDIR/ipc-rm

setup() {
	require_private_ns || return 1
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	[[ "$B" != *san* ]] || skip "the sanitizer build cannot run under valgrind"
	clean_ns
}

teardown() {
	clean_ns
	rm -rf /tmp/ipk-rm-vg
}

# refs: the REFs ipc-ls lists of the named kinds
refs() {
	"$IPC_LS" --kind "$NAMED" "$@" -o ref --noheadings 2>/dev/null
}

@test "valgrind finds no error and no leak in any mode" {
	hold sysv-shm attach=1 sysv-sem nsems=3 values=1,2,3 waiter=0 posix-mq name=/q send=1 \
		posix-sem name=/s value=2 posix-shm name=/m sysv-msg send=1
	sem=$("$IPC_LS" -o ref --noheadings --kind sem)
	for args in "" "--json" "--tree" "--tree --json" "--limits" "--summary --json" \
		"-i $sem" "-i $sem --json" "--pairs" "--raw -o +name,holders"; do
		run valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
			"$IPC_LS" $args
		[ "$status" -eq 0 ] || { echo "ipc-ls $args: $output"; false; }
	done
}

@test "valgrind finds no error and no leak in ipc-mk and ipc-rm" {
	vg() {
		valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 "$@"
	}
	for args in "msg --key 0x5 --qbytes 1024" "msg --key 0x5" "sem --values 1,2" \
		"shm --size 4K --json" "mq /q --maxmsg 3" "psem /s" "pshm /p --size 1K" \
		"fifo /tmp/ipk-rm-vg" "mq /big --msgsize 1G" "pipe"; do
		run vg "$IPC_MK" $args
		[ "$status" -ne 99 ] || { echo "ipc-mk $args: $output"; false; }
	done
	hold posix-shm name=/held map=1 pipe
	run vg "$IPC_RM" --dry-run --kind "$NAMED,fifo,pipe" --all
	[ "$status" -eq 1 ]
	run vg "$IPC_RM" --json --yes posix-shm:/held posix-mq:/none $HOLD_REFS
	[ "$status" -eq 1 ]
	run vg "$IPC_RM" --yes --kind "$NAMED,fifo" --all
	[ "$status" -eq 1 ]
	[ "$(refs)" = posix-shm:/held ]
}

@test "valgrind finds no error and no leak in ipc-scenario, runner and actors" {
	local SCN=$BINDIR/ipc-scenario
	# valgrind's own warnings (an unhandled system call) are "--" lines; errors "==PID=="
	run --separate-stderr valgrind -q --leak-check=full --error-exitcode=99 "$SCN" conform --json
	[ "$status" -eq 0 ] || { echo "conform: $stderr"; false; }
	[[ "$stderr" != *"=="* ]] || { echo "$stderr"; false; }
	echo "$output" | jq -e 'all(.primitives[]; .result == "works")'
	run --separate-stderr valgrind -q --leak-check=full --error-exitcode=99 "$SCN" run \
		scenarios/teaching/sleeping-barber.yaml
	[ "$status" -eq 0 ] || { echo "barber: $stderr"; false; }
	# a deadlock, stopped and cleaned up
	run --separate-stderr valgrind -q --leak-check=full --error-exitcode=99 "$SCN" run \
		scenarios/teaching/philosophers-deadlock.yaml
	[ "$status" -eq 1 ] || { echo "deadlock: $stderr"; false; }
	[[ "$stderr" != *"=="* ]] || { echo "$stderr"; false; }
}

@test "valgrind finds no error and no leak in ipc-top --batch" {
	hold sysv-shm attach=1 sysv-sem nsems=3 values=1,2,3 posix-mq name=/q send=1 \
		posix-sem name=/s value=2 posix-shm name=/m
	for args in "" "-t" "-s SIZE -o +MSG/S,HOLD/S" "--owner root -s OPS/S"; do
		run valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
			"$BINDIR/ipc-top" --batch -n 2 -d 1 --kind "$NAMED" $args
		[ "$status" -eq 0 ] || { echo "ipc-top $args: $output"; false; }
	done
}
