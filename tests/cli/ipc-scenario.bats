#!/usr/bin/env bats
# ipc-scenario: check, run, the results, every way a run ends and what it
# leaves (nothing), list and conform.  Every scenario runs in the private
# namespace of tests/run-in-ns, on real kernel objects.

load helpers

SCN=$B/bin/ipc-scenario
T=tests/scenario

# complete_bash WORDS...: what the bash completion offers for the last word
complete_bash() {
	bash -c '
		source completions/bash/ipckit
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_ipckit
		printf "%s\n" "${COMPREPLY[@]}"' complete "$@"
}

# wait_for NAME: until a process of that command name runs (an actor has started).
wait_for() {
	local i
	for i in $(seq 300); do
		pgrep -x "$1" >/dev/null && return 0
		sleep 0.02
	done
	echo "no process $1 started" >&2
	return 1
}

@test "check: every invalid file gives its one FILE:LINE:COL message, exit 2" {
	local n=0
	for f in "$T"/bad/*.yaml; do
		run --separate-stderr "$SCN" check "$f"
		[ "$status" -eq 2 ] || { echo "$f: status $status"; false; }
		[ -z "$output" ] || { echo "$f: printed $output"; false; }
		[ "$stderr" = "$(cat "${f%.yaml}.err")" ] ||
			{ echo "$f: got '$stderr', want '$(cat "${f%.yaml}.err")'"; false; }
		[[ "$stderr" =~ ^$f:[0-9]+:[0-9]+:\ [a-z\'] ]] || { echo "$f: '$stderr'"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 40 ]
}

@test "run of an invalid file: the same message, exit 2, nothing made" {
	for f in "$T"/bad/*.yaml; do
		run --separate-stderr "$SCN" run "$f"
		[ "$status" -eq 2 ]
		[ "$stderr" = "$(cat "${f%.yaml}.err")" ]
	done
	nothing_left
}

@test "run --json of an invalid file: the document of a run, result invalid, exit 2" {
	local f ran
	ran=$("$SCN" run --json "$T"/ops/eventfd.yaml | jq -c keys)
	for f in "$T"/bad/*.yaml /nonexistent.yaml; do
		run --separate-stderr "$SCN" run --json "$f"
		[ "$status" -eq 2 ] || { echo "$f: status $status"; false; }
		# the message as without --json, the document beside it
		[ "$(lines_of "$stderr")" -eq 1 ] || { echo "$f: $stderr"; false; }
		echo "$output" | jq -e --arg f "$f" --arg why "$stderr" --argjson keys "$ran" '
			keys == $keys and .result == "invalid" and .file == $f and
			.reason == $why and .duration_s == 0 and .ops == [] and .expect == [] and
			.blocked == [] and .objects == [] and .kept == []' >/dev/null ||
			{ echo "$f: $output"; false; }
	done
	# its name: the file's stem, or what scenario: says when it gets that far
	run --separate-stderr "$SCN" run --json "$T"/bad/yaml-syntax.yaml
	echo "$output" | jq -e '.scenario == "yaml-syntax"'
	cat >"$BATS_TEST_TMPDIR/named.yaml" <<-'EOF'
	scenario: the-name
	actors:
	  a:
	    steps:
	      - repeat: -1
	        do: [sleep: 1ms]
	      - pst: x
	EOF
	run --separate-stderr "$SCN" run --json "$BATS_TEST_TMPDIR/named.yaml"
	[ "$status" -eq 2 ]
	[ "$(lines_of "$stderr")" -eq 2 ]
	echo "$output" | jq -e '.scenario == "the-name" and (.reason | endswith("(and 1 more)"))'
	# one document per file, the invalid ones too
	run --separate-stderr "$SCN" run --json "$T"/bad/loop-no-do.yaml "$T"/ops/eventfd.yaml
	[ "$status" -eq 2 ]
	echo "$output" | jq -se '[.[].result] == ["invalid", "pass"]'
	nothing_left
}

@test "a loop count below 0, known only as it runs: the run ends at once in error, naming it" {
	cat >"$BATS_TEST_TMPDIR/neg.yaml" <<-'EOF'
	objects:
	  s: { kind: posix-sem, name: /neg-repeat, value: 2 }
	actors:
	  a:
	    threads: 2
	    steps:
	      - get: { on: s, into: n }
	      - repeat: "{n - 5}"
	        do:
	          - post: s
	  b:
	    steps:
	      - sleep: 20s
	EOF
	local t0=$(date +%s%N)
	run --separate-stderr "$SCN" run --json --timeout 30s "$BATS_TEST_TMPDIR/neg.yaml"
	[ "$status" -eq 1 ]
	[ $((($(date +%s%N) - t0) / 1000000)) -lt 5000 ]
	[ "$stderr" = "ipc-scenario: $BATS_TEST_TMPDIR/neg.yaml: a.0: line 8: repeat: -3 is below 0: a loop runs 0 times or more" ]
	echo "$output" | jq -e '.result == "error" and (.reason | startswith("a.0: line 8: ")) and
		(.ops[] | select(.op == "post") | .count == 0)'
	nothing_left a b
	# nor one that cannot be worked out: 10 / n, n 0, is not 0 iterations
	sed -i 's/value: 2/value: 0/; s|{n - 5}|{10 / n}|' "$BATS_TEST_TMPDIR/neg.yaml"
	run --separate-stderr "$SCN" run --timeout 30s "$BATS_TEST_TMPDIR/neg.yaml"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *": a.0: line 8: repeat: cannot be worked out: division by zero" ]]
	nothing_left a b
}

@test "a step's numbers known only as it runs, out of range: the step fails as the kernel would" {
	run --separate-stderr "$SCN" run --json "$T"/late-numbers.yaml
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	echo "$output" | jq -e '[.ops[] | select(.op != "get") | .errors] | all(. == 0)'
	nothing_left
}

@test "check: good files say ok; several files, every problem" {
	run "$SCN" check "$T"/bounded-buffer.yaml "$T"/ops/pipe.yaml
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$T/bounded-buffer.yaml: ok" ]
	[ "${lines[1]}" = "$T/ops/pipe.yaml: ok" ]
	run --separate-stderr "$SCN" check "$T"/bad/step-unknown-op.yaml "$T"/ops/pipe.yaml \
		"$T"/bad/loop-no-do.yaml
	[ "$status" -eq 2 ]
	[ "$output" = "$T/ops/pipe.yaml: ok" ]
	[ "$(lines_of "$stderr")" -eq 2 ]
	# all problems of one file, not only the first
	cat >"$BATS_TEST_TMPDIR/two.yaml" <<-'EOF'
	objects:
	  p: { kind: pipe, size: 4K }
	actors:
	  a:
	    procs: 1
	    steps:
	      - send: p
	EOF
	run --separate-stderr "$SCN" check "$BATS_TEST_TMPDIR/two.yaml"
	[ "$status" -eq 2 ]
	[ "$(lines_of "$stderr")" -eq 2 ]
	[[ "$stderr" == *":2:20: a pipe takes no 'size'"* ]]
	[[ "$stderr" == *":5:5: unknown key 'procs'"* ]]
	run --separate-stderr "$SCN" check /nonexistent.yaml
	[ "$status" -eq 2 ]
	[ "$stderr" = "/nonexistent.yaml: cannot read it: no such file or directory" ]
}

@test "every shipped scenario and every test scenario is valid" {
	run "$SCN" check scenarios/*/*.yaml "$T"/*.yaml "$T"/ops/*.yaml tests/bench/*.yaml
	[ "$status" -eq 0 ]
}

@test "the bounded buffer of SCENARIO.md runs as written" {
	run --separate-stderr "$SCN" run --json "$T"/bounded-buffer.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.scenario == "bounded-buffer" and .result == "pass" and
		.duration_s > 0.2 and (.expect | length == 6 and all(.result == "pass")) and
		(.ops | length == 6) and
		(.ops[] | select(.actor == "consumer" and .op == "recv") |
			.object == "queue" and .count == 100 and .errors == 0 and
			(.latency_ns | .min <= .p50 and .p50 <= .p90 and .p90 <= .p99 and
			 .p99 <= .p999 and .p999 <= .max)) and
		(.ops[] | select(.actor == "producer" and .op == "send") | .count == 100 and
			.rate > 300 and .rate < 500) and
		.blocked == [] and
		([.objects[].ref] == ["posix-sem:/bb-slots", "posix-sem:/bb-items",
				      "posix-mq:/bb-queue"]) and
		(.objects[] | select(.object == "queue") | .messages == 0 and .maxmsg == 4)'
	nothing_left producer consumer
	# the table: a row per actor and operation, then the expectations
	run "$SCN" run "$T"/bounded-buffer.yaml
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "bounded-buffer: pass in "* ]]
	[[ "$output" == *"ACTOR    OP   OBJECT COUNT ERRORS"* ]]
	[[ "$output" == *"consumer.recv.count == 100 PASS   100"* ]]
}

@test "every operation of every kind runs in a test scenario, and holds" {
	local covered=$BATS_TEST_TMPDIR/covered
	: >"$covered"
	for f in "$T"/ops/*.yaml; do
		run --separate-stderr "$SCN" run --json "$f"
		[ "$status" -eq 0 ] || { echo "$f: $stderr"; false; }
		echo "$output" | jq -e '.result == "pass" and all(.ops[]; .errors == 0)' >/dev/null ||
			{ echo "$f: $output"; false; }
		echo "$output" | jq -r '(.objects | map({(.object): .scenario_kind}) | add) as $k |
			.ops[] | select(.count > 0) |
			"\(if .op == "signal" then "process" else $k[.object] end) \(.op)"' >>"$covered"
	done
	"$SCN" --complete=ops | cut -f1,2 | tr '\t' ' ' | sort -u >"$BATS_TEST_TMPDIR/all"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/all")" -ge 90 ]
	run comm -23 "$BATS_TEST_TMPDIR/all" <(sort -u "$covered")
	[ -z "$output" ] || { echo "never run: $output"; false; }
	nothing_left
}

@test "a deadlock is found within --stall: each philosopher and the fork it waits for" {
	local t0=$(date +%s%N)
	run --separate-stderr "$SCN" run --stall 500ms "$T"/philosophers-deadlock.yaml
	local ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$status" -eq 1 ]
	# the file's timeout is 20 s: the stall, not the timeout, ended it
	[ "$ms" -lt 5000 ]
	[[ "$stderr" == *"stalled: no operation ended for 0.5 s while 5 waited"* ]]
	for i in 0 1 2 3 4; do
		[[ "$output" =~ "philosopher.$i (pid "[0-9]+") blocked "[0-9.]+" s in wait fork$(((i + 1) % 5))" ]] ||
			{ echo "philosopher $i: $output"; false; }
	done
	run --separate-stderr "$SCN" run --json "$T"/philosophers-deadlock.yaml
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.result == "timeout" and (.blocked | length == 5) and
		all(.blocked[]; .actor == "philosopher" and .op == "wait" and .since_s >= 0.9 and
			.pid > 0 and .object == "fork\((.index + 1) % 5)")'
	nothing_left philosopher
	# the ordered version does not deadlock
	run "$SCN" run --json "$T"/philosophers-ordered.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.result == "pass" and (.expect | all(.result == "pass"))'
	nothing_left philosopher
}

@test "a wait with a timeout of its own, or a sleep, is no stall" {
	cat >"$BATS_TEST_TMPDIR/timed.yaml" <<-'EOF'
	stall: 200ms
	objects:
	  a: { kind: posix-sem, name: /timed-a }
	  b: { kind: posix-sem, name: /timed-b }
	actors:
	  patient:
	    steps:
	      - wait: { on: a, timeout: 600ms, expect: { error: ETIMEDOUT } }
	      - sleep: 400ms
	      - post: b
	  waiter:
	    steps:
	      - wait: b
	EOF
	run "$SCN" run --json "$BATS_TEST_TMPDIR/timed.yaml"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.result == "pass" and .duration_s >= 1'
	nothing_left
}

@test "a SysV array's waits name the semaphore" {
	cat >"$BATS_TEST_TMPDIR/forks.yaml" <<-'EOF'
	stall: 300ms
	objects:
	  forks: { kind: sysv-sem, nsems: 3, value: 1 }
	actors:
	  diner:
	    processes: 3
	    steps:
	      - wait: { on: forks, sem: "{index}" }
	      - barrier: seated
	      - wait: { on: forks, sem: "{(index + 1) % processes}" }
	EOF
	run --separate-stderr "$SCN" run "$BATS_TEST_TMPDIR/forks.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" =~ "diner.2 (pid "[0-9]+") blocked "[0-9.]+" s in wait forks[0]" ]]
	nothing_left diner
}

@test "expectations that must fail do: exit 1, each with what was observed" {
	run --separate-stderr "$SCN" run "$T"/fails.yaml
	[ "$status" -eq 1 ]
	[[ "$output" == *"producer.send.count == 3 PASS   3"* ]]
	[[ "$output" == *"producer.send.count == 4 FAIL   3"* ]]
	[[ "$output" == *"q.messages == 0          FAIL   3"* ]]
	[[ "$output" == *"s.value == [1,2,4]       FAIL   [1, 2, 3]"* ]]
	[[ "$output" == *"s.value[1] > 2           FAIL   2"* ]]
	[[ "$output" =~ "producer.send.max < 1ns  FAIL   "[0-9.]+(ns|us|ms) ]]
	# the first one that failed is the reason
	[ "$stderr" = "ipc-scenario: $T/fails.yaml: expectation failed: producer.send.count == 4 (observed 3)" ]
	run --separate-stderr "$SCN" run --json "$T"/fails.yaml
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.result == "fail" and
		([.expect[].result] == ["pass", "fail", "fail", "fail", "fail", "fail"]) and
		([.expect[].observed][0:5] == [3, 3, 3, [1, 2, 3], 2]) and
		(.expect[5].observed > 0)'
	nothing_left
}

@test "a step whose expect: does not hold fails the run, named with its line" {
	run --separate-stderr "$SCN" run "$T"/step-fails.yaml
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipc-scenario: $T/step-fails.yaml: a: recv q (line 10): expected data 'goodbye', got data 'hello'" ]
	[[ "$output" == *"expected data 'goodbye', got data 'hello'"* ]]
	nothing_left
}

@test "SIGINT to the runner: every object and process is gone, and it dies of SIGINT" {
	"$SCN" run "$T"/held.yaml >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	wait_for blocker
	wait_for sleeper
	# the objects exist while it runs
	[ -n "$(ipcs -q | awk '/^0x4e1d0001/')" ]
	[ -e /dev/shm/held.fifo ] && [ -S /dev/shm/held.sock ] && [ -e /dev/shm/sem.held-gate ]
	kill -INT "$pid"
	local status=0
	wait "$pid" || status=$?
	[ "$status" -eq 130 ]
	grep -q "interrupted: every process and object of the run is gone" "$BATS_TEST_TMPDIR/out"
	nothing_left blocker sleeper
}

@test "SIGTERM too" {
	"$SCN" run --json "$T"/held.yaml >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	wait_for blocker
	kill -TERM "$pid"
	local status=0
	wait "$pid" || status=$?
	[ "$status" -eq 143 ]
	nothing_left blocker sleeper
}

@test "an actor that crashes: the others are stopped, everything removed, exit 1" {
	"$SCN" run "$T"/crash.yaml >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	wait_for victim
	wait_for bystander
	local t0=$(date +%s%N)
	# SIGABRT (an assert), not SIGSEGV: AddressSanitizer turns a SEGV into an exit
	pkill -ABRT -x victim
	local status=0
	wait "$pid" || status=$?
	[ "$status" -eq 1 ]
	# at once, not at the timeout
	[ $((($(date +%s%N) - t0) / 1000000)) -lt 3000 ]
	grep -Eq "victim.0 \(pid [0-9]+\) was killed by signal 6 \(Aborted\)" \
		"$BATS_TEST_TMPDIR/out"
	nothing_left victim bystander
}

@test "the timeout stops the run with who was blocked, exit 1, nothing left" {
	run --separate-stderr "$SCN" run --timeout 300ms --json "$T"/held.yaml
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.result == "timeout" and (.reason | startswith("timeout")) and
		([.blocked[] | "\(.actor).\(.index) \(.op) \(.object)"] ==
		 ["blocker.0 wait gate", "blocker.1 wait gate"]) and
		(.objects[] | select(.object == "seg") | .nattch == 0)'
	nothing_left blocker sleeper
}

@test "a named object that exists already: exit 2 naming it, and it is left alone" {
	mk posix-mq name=/bb-queue >/dev/null
	run --separate-stderr "$SCN" run "$T"/bounded-buffer.yaml
	[ "$status" -eq 2 ]
	[ "$stderr" = "ipc-scenario: $T/bounded-buffer.yaml: object 'queue': posix-mq /bb-queue exists already (remove it, or say existing: reuse)" ]
	# it is there, and what the run made before it is gone
	[ -e "$IPCKIT_TEST_MQUEUE/bb-queue" ]
	[ -z "$(ls -A /dev/shm)" ]
	key=$(mk sysv-msg key=0x4e1d0001)
	rm -f "$IPCKIT_TEST_MQUEUE/bb-queue"
	run --separate-stderr "$SCN" run --timeout 200ms "$T"/held.yaml
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"object 'msg': sysv-msg key 0x4e1d0001 exists already"* ]]
	[ -n "$(ipcs -q | awk '/^0x4e1d0001/')" ]
	[ -z "$(ls -A /dev/shm)" ]
}

@test "an object that exists already: what the run made before it goes, even with --keep" {
	key=$(mk sysv-msg key=0x4e1d0021)
	cat >"$BATS_TEST_TMPDIR/late.yaml" <<-'EOF'
	objects:
	  first: { kind: posix-mq, name: /made-first }
	  second: { kind: posix-sem, name: /made-second }
	  there: { kind: sysv-msg, key: 0x4e1d0021 }
	actors:
	  a:
	    steps:
	      - send: { to: first, data: x }
	EOF
	run --separate-stderr "$SCN" run --keep "$BATS_TEST_TMPDIR/late.yaml"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"object 'there': sysv-msg key 0x4e1d0021 exists already"* ]]
	# an invalid run keeps nothing: no REF printed, nothing of it left
	[[ "$output" != *posix-mq:/made-first* ]]
	[ ! -e "$IPCKIT_TEST_MQUEUE/made-first" ]
	[ ! -e /dev/shm/sem.made-second ]
	[ -n "$(ipcs -q | awk '/^0x4e1d0021/')" ]
	run --separate-stderr "$SCN" run --json --keep "$BATS_TEST_TMPDIR/late.yaml"
	[ "$status" -eq 2 ]
	echo "$output" | jq -e '.result == "invalid" and .kept == []'
	[ ! -e "$IPCKIT_TEST_MQUEUE/made-first" ]
}

@test "existing: reuse uses the object and never removes it" {
	ref=$(mk posix-mq name=/reused maxmsg=4 msgsize=16)
	cat >"$BATS_TEST_TMPDIR/reuse.yaml" <<-'EOF'
	objects:
	  q: { kind: posix-mq, name: /reused, existing: reuse }
	  mine: { kind: posix-sem, name: /made-here }
	actors:
	  a:
	    steps:
	      - send: { to: q, data: left }
	expect:
	  - q.messages == 1
	EOF
	run "$SCN" run "$BATS_TEST_TMPDIR/reuse.yaml"
	[ "$status" -eq 0 ]
	[ -e "$IPCKIT_TEST_MQUEUE/reused" ]
	[ ! -e /dev/shm/sem.made-here ]
	"$IPC_LS" -i "$ref" --json | jq -e '.messages == 1'
	# absent, it is made for the run and removed after it, as the run's own
	"$IPC_RM" --yes "$ref"
	run "$SCN" run "$BATS_TEST_TMPDIR/reuse.yaml"
	[ "$status" -eq 0 ]
	[ ! -e "$IPCKIT_TEST_MQUEUE/reused" ]
	# a reused SysV object needs the key that finds it
	cat >"$BATS_TEST_TMPDIR/nokey.yaml" <<-'EOF'
	objects:
	  q: { kind: sysv-msg, existing: reuse }
	actors:
	  a:
	    steps:
	      - send: q
	EOF
	run --separate-stderr "$SCN" check "$BATS_TEST_TMPDIR/nokey.yaml"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"existing: reuse needs a key:"* ]]
}

@test "--keep leaves the named objects and prints their REFs" {
	run --separate-stderr "$SCN" run --keep "$T"/bounded-buffer.yaml
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tail -n 3)" = "$(printf 'posix-mq:/bb-queue\nposix-sem:/bb-items\nposix-sem:/bb-slots')" ]
	"$IPC_LS" -i posix-sem:/bb-slots --json | jq -e '.value == 4'
	"$IPC_LS" -i posix-mq:/bb-queue >/dev/null
	run "$SCN" run --json --keep "$T"/bounded-buffer.yaml
	[ "$status" -eq 2 ]
	ipc-rm --yes posix-mq:/bb-queue posix-sem:/bb-items posix-sem:/bb-slots
	run "$SCN" run --json --keep "$T"/bounded-buffer.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.kept | length == 3'
}

@test "--keep --json: the kept REFs are REFs ipc-rm takes back, a name with a backslash too" {
	cat >"$BATS_TEST_TMPDIR/slash.yaml" <<-'EOF'
	objects:
	  q: { kind: posix-mq, name: '/k\b' }
	actors:
	  a:
	    steps:
	      - send: { to: q, data: x }
	EOF
	run --separate-stderr "$SCN" run --json --keep "$BATS_TEST_TMPDIR/slash.yaml"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.kept[0]')" = 'posix-mq:/k\x5cb' ]
	run --separate-stderr ipc-rm "$(echo "$output" | jq -r '.kept[0]')"
	[ "$status" -eq 0 ]
	[ ! -e "$IPCKIT_TEST_MQUEUE/k\\b" ]
}

@test "--isolate: the run sees none of these objects and leaves none here" {
	mk posix-mq name=/bb-queue >/dev/null
	local before
	before=$("$IPC_LS" --kind msg,sem,shm,mq,psem,pshm --json | jq -c '[.objects[].ref]')
	run --separate-stderr "$SCN" run --isolate --json "$T"/bounded-buffer.yaml
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	echo "$output" | jq -e '.result == "pass"'
	[ "$("$IPC_LS" --kind msg,sem,shm,mq,psem,pshm --json | jq -c '[.objects[].ref]')" = "$before" ]
	# conform too
	run "$SCN" conform --isolate --json
	[ "$status" -eq 0 ]
	[ "$("$IPC_LS" --kind msg,sem,shm,mq,psem,pshm --json | jq -c '[.objects[].ref]')" = "$before" ]
}

@test "--isolate as another user: through a user namespace" {
	require_other_user
	# a file nobody may read: bats's own directories are root's alone
	local d
	d=$(mktemp -d /tmp/ipckit-scenario-XXXXXX)
	chmod 755 "$d"
	install -m 644 "$T"/bounded-buffer.yaml "$d/bb.yaml"
	run --separate-stderr as_nobody "$SCN" run --isolate --json "$d/bb.yaml"
	rm -rf "$d"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	# root of its own namespace, so ipc-mk's 0600 objects are its own
	echo "$output" | jq -e '.result == "pass" and .objects[0].uid == 0'
	nothing_left
}

@test "--trace: one JSON line per operation, to a file or standard output" {
	run "$SCN" run --trace "$BATS_TEST_TMPDIR/trace" "$T"/bounded-buffer.yaml
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/trace")" -eq 600 ]
	jq -e -s 'all(.[]; (keys | contains(["t_ns", "actor", "index", "pid", "op", "object",
		"result", "latency_ns"])) and .result == "ok" and .latency_ns >= 0) and
		([.[] | select(.actor == "producer") | .index] | unique == [0, 1]) and
		([.[] | .object] | unique == ["items", "queue", "slots"]) and
		(map(.t_ns) | . == sort)' "$BATS_TEST_TMPDIR/trace" ||
		jq -e -s 'length == 600' "$BATS_TEST_TMPDIR/trace"
	run --separate-stderr "$SCN" run --trace - --noheadings "$T"/step-fails.yaml
	[ "$status" -eq 1 ]
	echo "$output" | grep '^{' | jq -e -s '[.[].result] == ["ok", "mismatch", "EAGAIN"] and
		.[2].expected == true'
	run --separate-stderr "$SCN" run --trace /nonexistent/dir/t "$T"/bounded-buffer.yaml
	[ "$status" -eq 2 ]
	[[ "$stderr" == "ipc-scenario: cannot write '/nonexistent/dir/t': no such file or directory" ]]
}

@test "--set overrides vars, the timeout and the stall time; an unknown key is exit 2" {
	run "$SCN" run --json --set vars.n=7 --set word=bye "$T"/vars.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '(.ops[] | select(.op == "recv") | .count == 7) and
		.expect[0].expr == "reader.recv.count == 7"'
	run --separate-stderr "$SCN" run --set timeout=200ms "$T"/held.yaml
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"timeout: still running after 0.2 s"* ]]
	run --separate-stderr "$SCN" run --set vars.nope=1 "$T"/vars.yaml
	[ "$status" -eq 2 ]
	[ "$stderr" = "$T/vars.yaml: --set vars.nope: no such setting here (vars.n, vars.word, timeout, stall)" ]
	run --separate-stderr "$SCN" run --set novalue "$T"/vars.yaml
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"malformed --set 'novalue'"* ]]
}

@test "--slow and --step-delay stretch the run" {
	run "$SCN" run --json "$T"/timing.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.duration_s >= 0.2 and .duration_s < 0.6'
	run "$SCN" run --json --slow 3 "$T"/timing.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.duration_s >= 0.6 and .duration_s < 1.8'
	run "$SCN" run --json --step-delay 50ms "$T"/ops/posix-sem.yaml
	[ "$status" -eq 0 ]
	# eleven steps, each followed by 50 ms
	echo "$output" | jq -e '.duration_s >= 0.55'
	run --separate-stderr "$SCN" run --slow 0.5 "$T"/timing.yaml
	[ "$status" -eq 2 ]
	run --separate-stderr "$SCN" check --slow 2 "$T"/timing.yaml
	[ "$status" -eq 2 ]
}

@test "rate: an open loop counts its lateness as latency (coordinated omission)" {
	run "$SCN" run --json "$T"/paced.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.expect | all(.result == "pass")'
	# the same waits, not paced: only the first is long
	sed -e '/rate:/d' -e '/p50 > 100ms/d' "$T"/paced.yaml >"$BATS_TEST_TMPDIR/closed.yaml"
	run "$SCN" run --json "$BATS_TEST_TMPDIR/closed.yaml"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.ops[] | select(.op == "wait") | .latency_ns.p50 < 50000000'
}

@test "threads: every thread of every process runs the steps; cpu: pins them" {
	run "$SCN" run --json --trace "$BATS_TEST_TMPDIR/trace" "$T"/threads.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.result == "pass"'
	jq -e -s '[.[] | "\(.index).\(.thread)"] | unique ==
		["0.0", "0.1", "0.2", "1.0", "1.1", "1.2"]' "$BATS_TEST_TMPDIR/trace"
	cat >"$BATS_TEST_TMPDIR/nocpu.yaml" <<-'EOF'
	actors:
	  a:
	    cpu: 1000
	    steps:
	      - sleep: 1ms
	EOF
	run --separate-stderr "$SCN" run "$BATS_TEST_TMPDIR/nocpu.yaml"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"a.0: cannot run on CPU 1000: invalid argument"* ]]
}

@test "signal: a signalfd reads what a step sends; a scripted kill is not a crash" {
	cat >"$BATS_TEST_TMPDIR/kill.yaml" <<-'EOF'
	objects:
	  gate: { kind: posix-sem, name: /kill-gate }
	actors:
	  victim:
	    processes: 2
	    steps:
	      - wait: gate
	  killer:
	    steps:
	      - sleep: 50ms
	      - signal: { to: victim, signal: KILL }
	EOF
	run "$SCN" run --json "$BATS_TEST_TMPDIR/kill.yaml"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.result == "pass"'
	nothing_left victim
}

@test "JSON: the shape of SCENARIO.md, numbers as numbers" {
	run "$SCN" run --json "$T"/ops/eventfd.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '
		(.scenario | type == "string") and (.result | type == "string") and
		(.duration_s | type == "number") and (.blocked | type == "array") and
		(.ops | all(
			(.actor | type == "string") and (.op | type == "string") and
			(.object | type == "string") and (.count | type == "number") and
			(.errors | type == "number") and (.rate | type == "number") and
			(.latency_ns | keys == ["max", "mean", "min", "p50", "p90", "p99", "p999"]))) and
		(.expect | all((.expr | type == "string") and (.result == "pass"))) and
		(.objects[0] | .object == "e" and .kind == "eventfd" and .value == 9)'
}

@test "--raw and --noheadings: exact numbers, no headline" {
	run "$SCN" run --raw "$T"/vars.yaml
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "ACTOR OP OBJECT COUNT ERRORS RATE P50 P99 MAX FIRST-ERROR" ]]
	[[ "${lines[1]}" =~ ^writer\ send\ p\ 5\ 0\ [0-9.]+\ [0-9]+\ [0-9]+\ [0-9]+\ -$ ]]
	run "$SCN" run --noheadings "$T"/vars.yaml
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == writer* ]]
}

@test "usage errors: exit 2 with a pointer to --help" {
	for args in "" "frob x.yaml" "run" "check" "list --set a=1" "run --stall x $T/vars.yaml" \
		"run --timeout 0 $T/vars.yaml" "run --bogus $T/vars.yaml" "conform a b" \
		"list --keep"; do
		run --separate-stderr "$SCN" $args
		[ "$status" -eq 2 ] || { echo "'$args': $status"; false; }
		[[ "$stderr" == "ipc-scenario: "* ]]
		[ "$(lines_of "$stderr")" -eq 1 ]
	done
}

@test "list on a narrow terminal: the descriptions keep width, a file keeps its name" {
	command -v script >/dev/null || skip "script(1) is not installed"
	export LC_ALL=C.UTF-8
	run script -qec "stty cols 80; $SCN list" /dev/null
	[ "$status" -eq 0 ]
	local row
	row=$(echo "$output" | tr -d '\r' | grep '^eventfd ')
	[ "$(echo "$row" | wc -L)" -le 80 ] || { echo "$row"; false; }
	# the description is cut where it must, not squeezed to its header
	echo "$row" | grep -qE '^eventfd +eventfd counters: a .{5,}… '
	# a path is cut at its start: the file is told
	echo "$row" | grep -qE ' …[^ ]*/conformance/eventfd\.yaml$'
	# and never inside an escape: "…01\x01/x.yaml" would be another path
	local dir
	dir=$BATS_TEST_TMPDIR/$(printf '\001%.0s' $(seq 30))
	mkdir "$dir"
	cp "$T/ops/pipe.yaml" "$dir/x.yaml"
	for cols in 60 61 62 63; do
		run script -qec "stty cols $cols; $SCN list '$dir'" /dev/null
		[ "$status" -eq 0 ]
		row=$(echo "$output" | tr -d '\r' | grep '^ops-pipe ')
		echo "$row" | grep -qE ' …(\\x01)+/x\.yaml$' || { echo "$cols: $row"; false; }
	done
}

@test "list: the scenarios of the source tree, of a directory, of an install" {
	run "$SCN" list
	[ "$status" -eq 0 ]
	[[ "$output" == *"bounded-buffer"* && "$output" == *"philosophers-deadlock"* ]]
	[[ "$output" == *"$PWD/scenarios/conformance/pipe.yaml"* ]]
	run "$SCN" list --json "$T/ops"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '(.scenarios | length) == 15 and
		(.scenarios[] | select(.name == "ops-pipe") | .file == "tests/scenario/ops/pipe.yaml")'
	run --separate-stderr "$SCN" list /nonexistent
	[ "$status" -eq 1 ]
	mkdir "$BATS_TEST_TMPDIR/empty"
	run --separate-stderr "$SCN" list "$BATS_TEST_TMPDIR/empty"
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipc-scenario: no scenarios there" ]
	IPCKIT_SCENARIO_PATH=$T/ops run "$SCN" list
	[ "$status" -eq 0 ]
	[[ "$output" == *"ops-fifo"* && "$output" != *"bounded-buffer"* ]]
	[[ "$B" != *san* ]] || skip "the installed binary of the sanitizer build needs its runtime"
	local dest=$BATS_TEST_TMPDIR/dest
	make -s B="$B" install DESTDIR="$dest" PREFIX=/opt/ipckit >/dev/null
	run "$dest/opt/ipckit/bin/ipc-scenario" list --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg d "$dest/opt/ipckit/share/ipckit/scenarios" \
		--argjson n "$(ls scenarios/*/*.yaml | wc -l)" '
		.scenarios | length == $n and all(.file | startswith($d)) and
		any(.file | endswith("/teaching/sleeping-barber.yaml")) and
		any(.file | endswith("/conformance/memfd.yaml"))'
	# the source tree's list has every shipped file too
	run "$SCN" list --json
	echo "$output" | jq -e --argjson n "$(ls scenarios/*/*.yaml | wc -l)" '.scenarios | length == $n'
	# and the installed conform finds its suite there
	run "$dest/opt/ipckit/bin/ipc-scenario" conform --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '(.primitives | length == 17) and all(.primitives[]; .result == "works")'
	nothing_left
}

@test "conform: a row per primitive found, JSON with the system" {
	mkdir "$BATS_TEST_TMPDIR/suite"
	cp scenarios/conformance/pipe.yaml scenarios/conformance/eventfd.yaml "$BATS_TEST_TMPDIR/suite/"
	run "$SCN" conform --json "$BATS_TEST_TMPDIR/suite"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '
		([.primitives[].name] == ["pipe", "eventfd"]) and
		all(.primitives[]; .result == "works" and .step == null) and
		(.system | (.kernel | type == "string") and (.libc | startswith("glibc")) and
			(.seccomp | type == "string") and (.uid | type == "number"))'
	run "$SCN" conform "$BATS_TEST_TMPDIR/suite"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "PRIMITIVE RESULT"* ]]
	nothing_left
}

@test "conform: a primitive that behaves otherwise deviates, with its step" {
	mkdir "$BATS_TEST_TMPDIR/suite"
	cp scenarios/conformance/pipe.yaml "$BATS_TEST_TMPDIR/suite/"
	sed 's/expect: "one,two,"/expect: "two,one,"/' scenarios/conformance/pipe.yaml \
		>"$BATS_TEST_TMPDIR/suite/fifo.yaml"
	sed -i 's/^scenario: pipe/scenario: fifo/' "$BATS_TEST_TMPDIR/suite/fifo.yaml"
	run "$SCN" conform --json "$BATS_TEST_TMPDIR/suite"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.primitives == [
		{"name": "fifo", "result": "deviates",
		 "step": "reader: bytes come in the order written (recv p) (line 68)",
		 "expected": "data '"'"'two,one,'"'"'", "observed": "data '"'"'one,two,'"'"'"},
		{"name": "pipe", "result": "works", "step": null, "expected": null, "observed": null}]'
}

@test "conform: a primitive the system lacks is missing (ENOSYS)" {
	command -v strace >/dev/null || skip "strace is not installed"
	mkdir "$BATS_TEST_TMPDIR/suite"
	cp scenarios/conformance/posix-mq.yaml scenarios/conformance/pipe.yaml "$BATS_TEST_TMPDIR/suite/"
	# LeakSanitizer cannot run under ptrace
	ASAN_OPTIONS=detect_leaks=0 run strace -f -qq -o /dev/null -e trace=mq_open \
		-e inject=mq_open:error=ENOSYS \
		"$SCN" conform --json "$BATS_TEST_TMPDIR/suite"
	[ "$status" -eq 3 ]
	echo "$output" | jq -e '
		(.primitives[] | select(.name == "posix-mq") | .result == "missing" and
			(.observed | test("function not implemented"))) and
		(.primitives[] | select(.name == "pipe") | .result == "works")'
	nothing_left
}

@test "actors die with the runner, even of SIGKILL; only then are names left" {
	"$SCN" run "$T"/held.yaml >/dev/null 2>&1 &
	local pid=$!
	wait_for blocker
	kill -KILL "$pid"
	wait "$pid" || true
	local i
	for i in $(seq 100); do pgrep -x blocker >/dev/null || break; sleep 0.02; done
	! pgrep -x blocker || false
	! pgrep -x sleeper || false
	# what ipc-scenario(1) says SIGKILL leaves
	[ -e /dev/shm/sem.held-gate ]
}

@test "completion: commands, files, and the --set keys of the file on the line" {
	run complete_bash ipc-scenario c
	[ "$output" = "$(printf 'check\nconform')" ]
	run complete_bash ipc-scenario run "$T"/va
	[ "$output" = "$T/vars.yaml" ]
	run complete_bash ipc-scenario run "$T"/vars.yaml --set v
	[ "$output" = "$(printf 'vars.n=\nvars.word=')" ]
	run complete_bash ipc-scenario run --set ""
	[ -z "$output" ]
	run complete_bash ipc-scenario --isol
	[ "$output" = "--isolate" ]
	if command -v fish >/dev/null; then
		cp completions/fish/ipckit.fish "$BATS_TEST_TMPDIR/ipc-scenario.fish"
		run fish -c "set -x PATH $BINDIR \$PATH; source $BATS_TEST_TMPDIR/ipc-scenario.fish
			complete -C 'ipc-scenario co'; complete -C 'ipc-scenario run $T/vars.yaml --set '"
		[[ "$output" == *conform* && "$output" == *vars.word=* ]]
	fi
}

@test "ipc-scenario(5) has every operation of every kind, with its parameters" {
	local page=$BATS_TEST_TMPDIR/page
	# "TYPE OP KEY; PARAMS" from the page's .SS and .BR lines, as the tables give them
	sed 's/\\-/-/g' man/ipc-scenario.5 | awk '
		/^\.SH OPERATIONS/ { on = 1; next }
		/^\.SH/ { on = 0 }
		on && /^\.SS / { type = $2 }
		on && /^\.BR / {
			op = $2; rest = $0; sub(/^[^"]*" \(/, "", rest); sub(/\)"$/, "", rest)
			gsub(/, /, " ", rest); print type "\t" op "\t" rest
		}' >"$page"
	"$SCN" --complete=ops | awk -F'\t' '{
		print $1 "\t" $2 "\t" ($3 == "-" ? "" : $3 ":; ") $4 }' | sed 's/:; /:;/' >"$BATS_TEST_TMPDIR/tables"
	sed -i 's/:; /:;/' "$page"
	run diff "$BATS_TEST_TMPDIR/tables" "$page"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# and every object type with its attributes
	for t in $("$SCN" --complete=types | cut -f1); do
		[ "$t" = process ] && continue
		grep -q "^\.B $t\$" man/ipc-scenario.5 || { echo "no $t"; false; }
	done
}

@test "user: a second user meets mode 0600; without it the check fails; unmapped, it is skipped" {
	run --separate-stderr "$SCN" run --json "$T"/user.yaml
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	echo "$output" | jq -e '.result == "pass" and .notes == [] and
		(.ops[] | select(.actor == "other") | .count == 1 and .errors == 0)'
	sed '/user: nobody/d' "$T"/user.yaml >"$BATS_TEST_TMPDIR/root.yaml"
	run --separate-stderr "$SCN" run "$BATS_TEST_TMPDIR/root.yaml"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"expected EACCES, got succeeded"* ]]
	# a user namespace that maps only root: the actor runs nothing, and says so
	run --separate-stderr unshare -r "$SCN" run --json "$T"/user.yaml
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.result == "pass" and
		(.notes | length == 1 and (.[0] | test("^other ran no operation: cannot become user nobody")))'
	nothing_left other owner
}

@test "rlimits: nofile is ulimit -n: FIFOs opened one after another meet EMFILE" {
	run --separate-stderr "$SCN" run "$T"/rlimits.yaml
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	run --separate-stderr "$SCN" run --set vars.nofile=64 "$T"/rlimits.yaml
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"opener: open f{i} (line 24): expected until: EMFILE, got no EMFILE in 8 iterations" ]]
	nothing_left opener
}

@test "until: a loop ends at its errno (the rest of its body skipped); one that never meets it fails" {
	run --separate-stderr "$SCN" run --json "$T"/until.yaml
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	# 16 sends of 4 KiB fill a 64 KiB pipe; the 17th is the EAGAIN that ends it
	echo "$output" | jq -e '.ops[] | select(.actor == "filler" and .op == "send") |
		.count == 17 and .errors == 0'
	run --separate-stderr "$SCN" run --set vars.n=3 "$T"/until.yaml
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"filler: send p (line 17): expected until: EAGAIN, got no EAGAIN in 3 iterations" ]]
	# the EAGAIN of a loop inside ends the until: loop around it at once
	run --separate-stderr "$SCN" run "$T"/until-nested.yaml
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	nothing_left
}

@test "vars from sysctl: the kernel's value, read at load" {
	cat >"$BATS_TEST_TMPDIR/sysctl.yaml" <<-'EOF'
	vars:
	  mx: { sysctl: kernel.msgmax }
	  qlen: { sysctl: net/unix/max_dgram_qlen }
	objects:
	  q: { kind: sysv-msg }
	actors:
	  a:
	    steps:
	      - send: { to: q, type: 1, size: "{mx}" }
	      - send: { to: q, type: 1, size: "{mx + 1}", expect: { error: EINVAL } }
	      - recv: { from: q, size: "{mx}" }
	      - send: { to: q, type: 2, size: "{qlen}" }
	      - recv: { from: q, type: 2, size: "{qlen}" }
	expect:
	  - a.send.count == 3
	EOF
	run --separate-stderr "$SCN" run "$BATS_TEST_TMPDIR/sysctl.yaml"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	nothing_left
}

@test "expect min and max: a value in a range" {
	cat >"$BATS_TEST_TMPDIR/range.yaml" <<-'EOF'
	objects:
	  e: { kind: eventfd, value: 5 }
	actors:
	  a:
	    steps:
	      - get: { on: e, expect: { min: 4, max: 6 } }
	      - get: { on: e, expect: { min: 6 } }
	EOF
	run --separate-stderr "$SCN" run "$BATS_TEST_TMPDIR/range.yaml"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"(line 7): expected a value >= 6, got value 5" ]]
}
