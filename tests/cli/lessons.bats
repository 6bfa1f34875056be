#!/usr/bin/env bats
# The lessons of scenarios/teaching: each runs in the private namespace,
# holds its expectations (the deadlock one reports its deadlock), leaves
# nothing behind, and says what to watch and at what pace.

load helpers

SCN=$B/bin/ipc-scenario
LESSONS=scenarios/teaching

setup() {
	require_private_ns
}

@test "lessons: every one is valid, has a description and says what to watch" {
	run "$SCN" check "$LESSONS"/*.yaml
	[ "$status" -eq 0 ]
	local f n=0
	for f in "$LESSONS"/*.yaml; do
		grep -q '^description:' "$f" || { echo "$f: no description"; false; }
		grep -qi 'watch' "$f" || { echo "$f: says nothing of what to watch"; false; }
		# a pace --slow can stretch: a rate, a sleep or a blocking wait with a timeout
		grep -Eq 'rate:|sleep:|timeout: [0-9]+m?s' "$f" || { echo "$f: no pace"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 18 ]
	# list finds them, with their descriptions
	run "$SCN" list "$LESSONS"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleeping-barber"*"One barber, a waiting room"* ]]
}

@test "lessons: each one holds its expectations and leaves nothing" {
	local f
	for f in "$LESSONS"/*.yaml; do
		[ "$(basename "$f")" = philosophers-deadlock.yaml ] && continue
		run --separate-stderr "$SCN" run --json "$f"
		[ "$status" -eq 0 ] || { echo "$f: $stderr"; false; }
		echo "$output" | jq -e '.result == "pass" and all(.expect[]; .result == "pass") and
			(.expect | length > 0 or ($f | test("philosophers")))' --arg f "$f" >/dev/null ||
			{ echo "$f: $output"; false; }
		nothing_left --file '/tmp/ipckit-*' || { echo "after $f"; false; }
	done
}

@test "lessons: the producer/consumer table, one latency per transport, as ipc-bench names them" {
	local f out=$BATS_TEST_TMPDIR/table
	: >"$out"
	for f in "$LESSONS"/pc-*.yaml; do
		run --separate-stderr "$SCN" run --json "$f"
		[ "$status" -eq 0 ] || { echo "$f: $stderr"; false; }
		echo "$output" | jq -r '.scenario as $s | .ops[] |
			select(.actor == "producer" and (.op == "recv" or .op == "wait")) |
			"\($s | ltrimstr("pc-")) \(.latency_ns.p50)"' >>"$out"
	done
	[ "$(wc -l <"$out")" -eq 8 ]
	local method p50
	while read -r method p50; do
		# each names a method of ipc-bench, and the handoff took some time
		"$B"/bin/ipc-bench --help | grep -qw -- "$method" || { echo "no method $method"; false; }
		[ "$p50" -gt 0 ]
		tr "\n" " " <"$LESSONS/pc-$method.yaml" | tr -s " " | grep -q "ipc-bench --method $method "
	done <"$out"
	nothing_left --file '/tmp/ipckit-*'
}

@test "lessons: the deadlocking philosophers are reported, each with the fork it waits for" {
	run --separate-stderr "$SCN" run --json "$LESSONS"/philosophers-deadlock.yaml
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.result == "timeout" and
		([.blocked[] | "\(.actor).\(.index) \(.op) \(.object)"] | sort ==
		 ["philosopher.0 wait fork1", "philosopher.1 wait fork2", "philosopher.2 wait fork3",
		  "philosopher.3 wait fork4", "philosopher.4 wait fork0"])' || { echo "$output"; false; }
	[[ "$stderr" == *"philosopher.3 (pid "*") blocked "*" s in wait fork4"* ]] || { echo "$stderr"; false; }
	nothing_left --file '/tmp/ipckit-*'
	# the ordered table eats
	run "$SCN" run "$LESSONS"/philosophers-ordered.yaml
	[ "$status" -eq 0 ]
}

@test "lessons: the starving writer and the fair one; the FIFO supervisor meets ulimit -n" {
	run --separate-stderr "$SCN" run --json "$LESSONS"/readers-writers-starve.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.ops[] | select(.actor == "writer") | .count == 1 and .errors == 0'
	run --separate-stderr "$SCN" run --json "$LESSONS"/readers-writers-fair.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '[.ops[] | select(.actor == "writer" and .op == "post")][0] |
		.count == 10 and .errors == 0'
	# with a higher limit the supervisor is not stopped: the lesson's point fails
	sed 's/nofile: 12/nofile: 64/' "$LESSONS"/init-fifo.yaml >"$BATS_TEST_TMPDIR/init.yaml"
	run --separate-stderr "$SCN" run "$BATS_TEST_TMPDIR/init.yaml"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"expected until: EMFILE, got no EMFILE in 8 iterations" ]]
	nothing_left --file '/tmp/ipckit-*'
}

@test "lessons: --slow stretches a lesson for a class" {
	run --separate-stderr "$SCN" run --json --slow 3 "$LESSONS"/init-socket.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.duration_s > 2'
	nothing_left --file '/tmp/ipckit-*'
}
