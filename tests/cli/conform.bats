#!/usr/bin/env bats
# ipc-scenario conform: the shipped conformance suite, the way it is used:
# here (every primitive works), under a seccomp filter that makes some
# calls fail with ENOSYS (those are missing, the rest still work), and with
# an LD_PRELOAD shim that breaks one documented behaviour (that primitive
# deviates, at the step that shows it).

load helpers

SCN=$B/bin/ipc-scenario
SUITE=scenarios/conformance
# SCENARIO.md's list, in its order
PRIMITIVES='["sysv-msg", "sysv-sem", "sysv-shm", "posix-mq", "posix-sem", "posix-sem-unnamed",
	"posix-shm", "fifo", "pipe", "unix-stream", "unix-dgram", "unix-seqpacket", "fd-pass",
	"eventfd", "timerfd", "signalfd", "memfd"]'

setup() {
	require_private_ns
}

@test "conform: one scenario per primitive of SCENARIO.md, each valid" {
	run jq -rn "$PRIMITIVES | .[]"
	local p
	for p in "${lines[@]}"; do
		[ -f "$SUITE/$p.yaml" ] || { echo "no scenario for $p"; false; }
		grep -q "^scenario: $p\$" "$SUITE/$p.yaml"
	done
	[ "$(ls "$SUITE"/*.yaml | wc -l)" -eq 17 ]
	run "$SCN" check "$SUITE"/*.yaml
	[ "$status" -eq 0 ]
}

@test "conform: every primitive works here, in SCENARIO.md's order, in well under 60 s" {
	local t0=$SECONDS
	run --separate-stderr "$SCN" conform --json
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	[ $((SECONDS - t0)) -lt 60 ]
	echo "$output" | jq -e --argjson want "$PRIMITIVES" '
		[.primitives[].name] == $want and
		all(.primitives[]; .result == "works" and .step == null and .expected == null and
			.observed == null) and
		(.system | (.kernel | type == "string") and (.uid | type == "number"))' ||
		{ echo "$output"; false; }
	# the table: one row each
	run "$SCN" conform
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 18 ]
	[[ "${lines[1]}" =~ ^sysv-msg\ +works ]]
	nothing_left --file '/tmp/ipckit-conform*'
}

@test "conform: the permission checks run as a second user (root) and are skipped where that cannot be" {
	[ "$(id -u)" = 0 ] && [ -z "${IPCKIT_USERNS:-}" ] || skip "needs real root to become nobody"
	# as root, nobody's EACCES is checked: with the mode opened up, the check fails
	mkdir "$BATS_TEST_TMPDIR/suite"
	sed 's/mode: "0600"/mode: "0666"/' "$SUITE/sysv-msg.yaml" >"$BATS_TEST_TMPDIR/suite/sysv-msg.yaml"
	run "$SCN" conform --json "$BATS_TEST_TMPDIR/suite"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.primitives == [{"name": "sysv-msg", "result": "deviates",
		"step": "intruder: a second user may not send on a queue of mode 0600 (send q) (line 56)",
		"expected": "EACCES", "observed": "succeeded"}]'
	# in a user namespace that maps root alone, nobody cannot be: the rest still works
	run --separate-stderr unshare -r "$SCN" conform --json
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	echo "$output" | jq -e 'all(.primitives[]; .result == "works") and
		([.primitives[] | select(.observed != null) | .name] ==
		 ["sysv-msg", "sysv-sem", "sysv-shm", "posix-mq", "posix-sem", "posix-shm", "fifo"]) and
		all(.primitives[] | select(.observed != null);
			.observed | test("^intruder ran no operation: cannot become user 65534"))' ||
		{ echo "$output"; false; }
	nothing_left --file '/tmp/ipckit-conform*'
}

@test "conform under seccomp: mq_open and eventfd2 fail with ENOSYS, those are missing, the rest works" {
	run --separate-stderr "$DENY" mq_open,eventfd2 "$SCN" conform --json
	# 3: something is not supported here, nothing deviates
	[ "$status" -eq 3 ] || { echo "$output $stderr"; false; }
	echo "$output" | jq -e --argjson want "$PRIMITIVES" '
		[.primitives[].name] == $want and
		(.system.seccomp == "filter") and
		([.primitives[] | select(.result == "missing") | .name] == ["posix-mq", "eventfd"]) and
		(.primitives[] | select(.name == "posix-mq") | .observed |
			test("function not implemented")) and
		([.primitives[] | select(.result == "works")] | length == 15)' || { echo "$output"; false; }
	# a step that meets ENOSYS inside a run is missing too: memfd_create made before
	# the run, signalfd4 denied
	run --separate-stderr "$DENY" signalfd4,timerfd_create "$SCN" conform --json
	[ "$status" -eq 3 ]
	echo "$output" | jq -e '[.primitives[] | select(.result != "works") | .name] ==
		["timerfd", "signalfd"] and all(.primitives[] | select(.result != "works"); .result == "missing")'
	nothing_left --file '/tmp/ipckit-conform*'
}

@test "conform with a shim that sends every mq message at priority 0: posix-mq deviates, at that step" {
	[[ "$B" != *san* ]] || export ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0
	local shim=$B/tests/mq-nopriority.so
	[ -f "$shim" ]
	run --separate-stderr env LD_PRELOAD="$PWD/$shim" "$SCN" conform --json
	[ "$status" -eq 1 ] || { echo "$output $stderr"; false; }
	echo "$output" | jq -e '
		([.primitives[] | select(.result != "works")] == [{"name": "posix-mq",
			"result": "deviates",
			"step": "order: recv q (line 23)",
			"expected": "data '"'"'high'"'"', that priority",
			"observed": "data '"'"'low-1'"'"'"}])' || { echo "$output"; false; }
	# the table names it too
	run --separate-stderr env LD_PRELOAD="$PWD/$shim" "$SCN" conform
	[ "$status" -eq 1 ]
	[[ "$output" =~ posix-mq\ +deviates\ +order:\ recv\ q ]]
	nothing_left --file '/tmp/ipckit-conform*'
}

@test "conform with a shim that drops SEM_UNDO: sysv-sem deviates at the undo, the rest works" {
	[[ "$B" != *san* ]] || export ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0
	local shim=$B/tests/sem-noundo.so
	[ -f "$shim" ]
	mkdir "$BATS_TEST_TMPDIR/suite"
	cp "$SUITE/sysv-sem.yaml" "$SUITE/pipe.yaml" "$SUITE/posix-sem.yaml" "$BATS_TEST_TMPDIR/suite/"
	run --separate-stderr env LD_PRELOAD="$PWD/$shim" "$SCN" conform --json "$BATS_TEST_TMPDIR/suite"
	[ "$status" -eq 1 ] || { echo "$output $stderr"; false; }
	echo "$output" | jq -e '.primitives == [
		{"name": "sysv-sem", "result": "deviates",
		 "step": "a: SEM_UNDO gives back what an ended process took (wait s) (line 32)",
		 "expected": "success", "observed": "ETIMEDOUT"},
		{"name": "posix-sem", "result": "works", "step": null, "expected": null, "observed": null},
		{"name": "pipe", "result": "works", "step": null, "expected": null, "observed": null}]' ||
		{ echo "$output"; false; }
	nothing_left --file '/tmp/ipckit-conform*'
}

@test "conform: a step with no timeout of its own that never ends is stopped by the stall" {
	mkdir "$BATS_TEST_TMPDIR/suite"
	# the reader waits for "late" with no timeout, and the writer never sends it
	sed -e 's/recv: { from: p, timeout: 5s, expect: late }/recv: { from: p, expect: late }/' \
		-e 's/^      - send: { to: p, data: late }$/      - sleep: 0/' \
		-e '/^      - close: p$/d' "$SUITE/pipe.yaml" >"$BATS_TEST_TMPDIR/suite/pipe.yaml"
	local t0=$SECONDS
	run "$SCN" conform --json "$BATS_TEST_TMPDIR/suite"
	[ "$status" -eq 1 ]
	[ $((SECONDS - t0)) -lt 10 ]
	echo "$output" | jq -e '.primitives[0] | .name == "pipe" and .result == "deviates" and
		.step == "reader: recv p" and .expected == "it completes" and
		(.observed | test("^blocked [0-9.]+ s$"))' || { echo "$output"; false; }
	nothing_left --file '/tmp/ipckit-conform*'
}

@test "conform: a primitive that hangs is stopped by its timeout, not the suite" {
	mkdir "$BATS_TEST_TMPDIR/suite"
	# the waker never posts: the wait's own timeout fails the step in 5 s at most
	sed 's/^      - post: count$/      - sleep: 0/' "$SUITE/eventfd.yaml" >"$BATS_TEST_TMPDIR/suite/eventfd.yaml"
	cp "$SUITE/pipe.yaml" "$BATS_TEST_TMPDIR/suite/"
	local t0=$SECONDS
	run "$SCN" conform --json "$BATS_TEST_TMPDIR/suite"
	[ "$status" -eq 1 ]
	[ $((SECONDS - t0)) -lt 15 ]
	echo "$output" | jq -e '
		(.primitives[] | select(.name == "eventfd") | .result == "deviates" and
			(.step | test("a blocked reader wakes on a write")) and .observed == "ETIMEDOUT") and
		(.primitives[] | select(.name == "pipe") | .result == "works")' || { echo "$output"; false; }
	nothing_left --file '/tmp/ipckit-conform*'
}
