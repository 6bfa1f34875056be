#!/usr/bin/env bats
# ipc-bench: every method measured briefly, sane figures, every error, and
# nothing left behind.  Sanity only: timing figures are the business of
# `make bench-compare`, not of tests.

load helpers

IPC_BENCH=$B/bin/ipc-bench
# Short runs: the figures mean nothing, the checks everything.
QUICK=(--count 200 --warmup 20)

methods() {
	"$IPC_BENCH" --complete=spec | awk -F'\t' '$1 == "--method" { sub("words:", "", $4); print $4 }'
}

ncpus() {
	taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' |
		while IFS=- read -r a z; do seq "$a" "${z:-$a}"; done | wc -l
}

@test "every method, both placements: sane, ordered percentiles, checked messages" {
	run "$IPC_BENCH" "${QUICK[@]}" --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.not_measured == []'
	places=same
	[ "$(ncpus)" -ge 2 ] && places="same cross"
	for p in $places; do
		for m in $(methods); do
			echo "$output" | jq -e --arg m "$m" --arg p "$p" '
				[.results[] | select(.method == $m and .placement == $p)] | length == 1'
		done
	done
	# every result: counts as asked, percentiles in order, a stream checked
	echo "$output" | jq -e '.results | all(
		.count == 200 and
		(.rtt_ns | .min > 0 and .min <= .p50 and .p50 <= .p90 and .p90 <= .p99 and
			.p99 <= .p999 and .p999 <= .max and .mean >= .min and .mean <= .max) and
		(if .method == "cacheline" then .msgs_per_s == null and .size == 8
		 else .msgs_per_s > 0 and .mb_per_s > 0 and .stream_count == 200 and .size == 64 end))'
	echo "$output" | jq -e '[.results[] | select(.method == "cacheline") | .vs_cacheline] | all(. == 1)'
	nothing_left --file "${TMPDIR:-/tmp}/ipckit-bench-*" ipc-bench
}

@test "every method carries 1-byte and 4 KiB messages" {
	run "$IPC_BENCH" --count 50 --warmup 5 --size 1,4K --placement same --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.not_measured == []'
	for m in $(methods); do
		[ "$m" = cacheline ] && continue
		echo "$output" | jq -e --arg m "$m" '
			[.results[] | select(.method == $m) | .size] == [1, 4096]'
	done
}

@test "the table: one per placement, the cacheline first, P50/CL" {
	run "$IPC_BENCH" "${QUICK[@]}" -m pipe,shm-spin --placement same
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == Machine:* ]]
	[[ "${lines[1]}" == Clock:*CLOCK_MONOTONIC*" ns a read"* ]]
	[[ "${lines[2]}" == Run:*"200 round trips"* ]]
	echo "$output" | grep -q '^same CPU: client and server on CPU'
	echo "$output" | grep -E '^METHOD +SIZE +P50 +P99 +P99\.9 +MAX +MSG/S +MB/S +CPU/RT +P50/CL$'
	echo "$output" | grep -A1 '^METHOD' | tail -1 | grep -E '^cacheline +8B .* 1\.00$'
	echo "$output" | grep -E '^pipe +64B '
	echo "$output" | grep -E '^shm-spin +64B '
	! echo "$output" | grep -q '^cross CPU' || false
}

@test "--csv and --raw: every column, exact numbers" {
	run "$IPC_BENCH" "${QUICK[@]}" -m pipe --placement same --csv
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "METHOD,SIZE,PLACEMENT,CLIENT-CPU,SERVER-CPU,COUNT,MIN,MEAN,P50,P90,P99,P99.9,MAX,MSG/S,MB/S,CPU/RT,P50/CL" ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[2]}" =~ ^pipe,64,same,[0-9]+,[0-9]+,200,[0-9]+,[0-9.]+,[0-9]+, ]]
	run "$IPC_BENCH" "${QUICK[@]}" -m pipe --placement same --raw --noheadings
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(echo "${lines[1]}" | wc -w)" -eq 17 ]
}

@test "JSON validates: types of every field, and the machine" {
	run "$IPC_BENCH" "${QUICK[@]}" -m unix-dgram,posix-mq --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '
		(keys == ["machine", "not_measured", "results"]) and
		(.results | length > 0) and
		(.results | all(
			(.method | type == "string") and (.size | type == "number") and
			(.placement == "same" or .placement == "cross") and
			(.pin | type == "array" and length == 2 and all(type == "number")) and
			(.count | type == "number") and
			(.rtt_ns | keys == ["max", "mean", "min", "p50", "p90", "p99", "p999"] and
				all(.[]; type == "number")) and
			(.msgs_per_s | type == "number" or type == "null") and
			(.mb_per_s | type == "number" or type == "null") and
			(.cpu_ns_per_rtt | type == "number") and (.steal_ns | type == "number"))) and
		(.machine | (.cpus | type == "number") and (.clock == "CLOCK_MONOTONIC") and
			(.clock_cost_ns | type == "number") and (.kernel | type == "string") and
			(.loadavg | length == 3))'
	# same placement pins one CPU twice, cross two
	echo "$output" | jq -e '.results | all(if .placement == "same" then .pin[0] == .pin[1]
					      else .pin[0] != .pin[1] end)'
}

@test "--pin and --placement choose the CPUs" {
	run "$IPC_BENCH" "${QUICK[@]}" -m pipe --pin 0,0 --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '[.results[].placement] | unique == ["same"]'
	echo "$output" | jq -e '[.results[].pin] | unique == [[0, 0]]'
	run "$IPC_BENCH" "${QUICK[@]}" -m pipe --placement same --json
	echo "$output" | jq -e '[.results[].placement] | unique == ["same"]'
	[ "$(ncpus)" -ge 2 ] || skip "one CPU: no cross placement"
	run "$IPC_BENCH" "${QUICK[@]}" -m pipe --placement cross --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '[.results[].placement] | unique == ["cross"]'
	echo "$output" | jq -e '.results | all(.pin[0] != .pin[1])'
}

@test "--duration times each phase instead of counting" {
	run "$IPC_BENCH" -m eventfd --placement same --duration 50ms --warmup 10 --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.results | all(.count > 0 and .rtt_ns.p50 > 0)'
	echo "$output" | jq -e '[.results[] | select(.method == "eventfd") | .stream_count > 0] == [true]'
}

@test "--no-throughput: round trips only" {
	run "$IPC_BENCH" "${QUICK[@]}" -m tcp --placement same --no-throughput --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.results | all(.msgs_per_s == null and .stream_count == 0)'
}

@test "a damaged message fails the method instead of giving a number" {
	run "$IPC_BENCH" "${QUICK[@]}" -m pipe,shm-spin --placement same --fault corrupt --json
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '[.results[].method] == ["cacheline"]' 2>/dev/null ||
		echo "$output" | grep -q 'did not check'
	[[ "$output" == *"cannot measure 'pipe' (64B, same CPU): "*"did not check (message 21): bad message"* ]]
	[[ "$output" == *"cannot measure 'shm-spin' (64B, same CPU): "*"did not check"* ]]
	nothing_left --file "${TMPDIR:-/tmp}/ipckit-bench-*" ipc-bench
}

@test "a peer that hangs is stopped by the timeout, and nothing is left" {
	run timeout 20 "$IPC_BENCH" "${QUICK[@]}" -m sysv-msg,shm-sysv-sem --placement same \
		--fault hang --timeout 300ms
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot measure 'sysv-msg' (64B, same CPU): no end after 0.3 s: stopped"* ]]
	[[ "$output" == *"cannot measure 'shm-sysv-sem'"* ]]
	nothing_left --file "${TMPDIR:-/tmp}/ipckit-bench-*" ipc-bench
}

@test "SIGINT mid-run: every process and object is gone, and it dies of SIGINT" {
	"$IPC_BENCH" -m sysv-msg,posix-mq,shm-sysv-sem,shm-posix-sem,fifo --placement same \
		--duration 1s >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	pid=$!
	HOLDERS+=("$pid")
	# the cacheline comes first: wait until the run's System V queue exists
	for i in $(seq 1 500); do
		[ -n "$(ipcs -q | awk '/^0x/')" ] && break
		sleep 0.02
	done
	[ -n "$(ipcs -q | awk '/^0x/')" ]
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	grep -q 'interrupted' "$BATS_TEST_TMPDIR/err"
	nothing_left --file "${TMPDIR:-/tmp}/ipckit-bench-*" ipc-bench
}

@test "SIGTERM while two processes spin: nothing left either" {
	"$IPC_BENCH" -m shm-spin --duration 1s >/dev/null 2>&1 3>&- &
	pid=$!
	HOLDERS+=("$pid")
	sleep 1.5
	pgrep -x ipc-bench >/dev/null
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	nothing_left --file "${TMPDIR:-/tmp}/ipckit-bench-*" ipc-bench
}

@test "bad input: clear message, exit 2" {
	run "$IPC_BENCH" --method pipe,carrier-pigeon
	[ "$status" -eq 2 ]
	[ "$output" = "ipc-bench: unknown method 'carrier-pigeon' (see 'ipc-bench --help')" ]

	max=$(cat /proc/sys/fs/mqueue/msgsize_max)
	run "$IPC_BENCH" --method posix-mq --size $((max + 1))
	[ "$status" -eq 2 ]
	[[ "$output" == "ipc-bench: posix-mq carries at most "*" here (fs.mqueue.msgsize_max), not "* ]]

	run "$IPC_BENCH" --pin 0,4096
	[ "$status" -eq 2 ]
	[[ "$output" == "ipc-bench: no CPU 4096 here for --pin"* ]]

	run "$IPC_BENCH" --size 0
	[ "$status" -eq 2 ]
	[[ "$output" == *"malformed size '0'"* ]]
	run "$IPC_BENCH" --size 12Q
	[ "$status" -eq 2 ]
	run "$IPC_BENCH" --count -5
	[ "$status" -eq 2 ]
	[[ "$output" == *"malformed count '-5'"* ]]
	run "$IPC_BENCH" --duration soon
	[ "$status" -eq 2 ]
	run "$IPC_BENCH" --count 10 --duration 1s
	[ "$status" -eq 2 ]
	[[ "$output" == *"--count and --duration exclude each other"* ]]
	run "$IPC_BENCH" --pin 0,0 --placement same
	[ "$status" -eq 2 ]
	run "$IPC_BENCH" --pin 0
	[ "$status" -eq 2 ]
	run "$IPC_BENCH" --placement sideways
	[ "$status" -eq 2 ]
	run "$IPC_BENCH" pipe
	[ "$status" -eq 2 ]
	[[ "$output" == *"unexpected operand 'pipe'"* ]]
	run "$IPC_BENCH" --sysroot /
	[ "$status" -eq 2 ]
	nothing_left --file "${TMPDIR:-/tmp}/ipckit-bench-*" ipc-bench
}

@test "a size beyond a limit skips that method when none was named" {
	max=$(cat /proc/sys/fs/mqueue/msgsize_max)
	run "$IPC_BENCH" --count 20 --warmup 2 --placement same --size $((max * 2)) --json
	[ "$status" -eq 0 ]
	[[ "$output" == *"ipc-bench: skipping posix-mq at "*": it carries at most"* ]]
	echo "$output" | grep -v '^ipc-bench:' | jq -e '[.results[].method] | index("posix-mq") == null'
	echo "$output" | grep -v '^ipc-bench:' | jq -e '[.results[].method] | index("pipe") != null'
}

@test "a method out of a resource is reported, the run goes on, exit 1" {
	old=$(cat /proc/sys/kernel/msgmni)
	echo 0 >/proc/sys/kernel/msgmni || skip "cannot set kernel.msgmni here"
	run "$IPC_BENCH" "${QUICK[@]}" -m sysv-msg,pipe --placement same --json
	echo "$old" >/proc/sys/kernel/msgmni
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot measure 'sysv-msg' (64B, same CPU): msgget: no space left on device (out of a resource)"* ]]
	echo "$output" | grep -v '^ipc-bench:' | jq -e '.not_measured[0] | .method == "sysv-msg" and .status == "no-resource"'
	echo "$output" | grep -v '^ipc-bench:' | jq -e '[.results[].method] == ["cacheline", "pipe"]'
}

@test "a method the system lacks is unsupported; only that one asked: exit 3" {
	command -v unshare >/dev/null || skip "no unshare"
	unshare --net true 2>/dev/null || skip "cannot make a network namespace"
	# a new network namespace: its loopback is down
	run unshare --net "$IPC_BENCH" "${QUICK[@]}" -m tcp --placement same
	[ "$status" -eq 3 ]
	[[ "$output" == *"cannot measure 'tcp' (64B, same CPU): "*"127.0.0.1: "*"(not supported here)"* ]]
	run unshare --net "$IPC_BENCH" "${QUICK[@]}" -m tcp,pipe --placement same --json
	[ "$status" -eq 0 ]
	echo "$output" | grep -v '^ipc-bench:' | jq -e '.not_measured[0].status == "unsupported"'
}

@test "--histogram draws each distribution, and JSON carries the buckets" {
	run "$IPC_BENCH" "${QUICK[@]}" -m eventfd --placement same --histogram
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^eventfd, 64B, same CPU: 200 round trips$'
	echo "$output" | grep -Eq '^ +[0-9.]+[nu]s - [0-9.]+[nu]s +\|#+ *\| +[0-9.]+%$'
	run "$IPC_BENCH" "${QUICK[@]}" -m eventfd --placement same --histogram --json
	echo "$output" | jq -e '.results | all(([.histogram[][2]] | add) == .count)'
	echo "$output" | jq -e '.results | all(.histogram | all(.[0] <= .[1]))'
}

@test "--baseline: the same table as ratios to an earlier run" {
	"$IPC_BENCH" "${QUICK[@]}" -m pipe --placement same --json >"$BATS_TEST_TMPDIR/base.json"
	run "$IPC_BENCH" "${QUICK[@]}" -m pipe,eventfd --placement same --baseline "$BATS_TEST_TMPDIR/base.json"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^Ratios:  to '
	echo "$output" | grep -E '^pipe +64B +[0-9.]+x +[0-9.]+x +[0-9.]+x +[0-9.]+x +[0-9.]+x +[0-9.]+x '
	echo "$output" | grep -E '^eventfd +64B +new +new '
	run "$IPC_BENCH" "${QUICK[@]}" -m pipe --placement same --baseline "$BATS_TEST_TMPDIR/base.json" --json
	echo "$output" | jq -e '.results[] | select(.method == "pipe") | .vs_baseline.p50 > 0'

	echo '{"results": [' >"$BATS_TEST_TMPDIR/bad.json"
	run "$IPC_BENCH" --baseline "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"is not the JSON of an ipc-bench run (line 2)"* ]]
	run "$IPC_BENCH" --baseline "$BATS_TEST_TMPDIR/none.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot read '$BATS_TEST_TMPDIR/none.json': no such file or directory"* ]]
}

@test "--limits: what the kernel allows, found by trying" {
	run "$IPC_BENCH" --limits --json
	[ "$status" -eq 0 ]
	msgsize=$(cat /proc/sys/fs/mqueue/msgsize_max)
	msg_max=$(cat /proc/sys/fs/mqueue/msg_max)
	msgmax=$(cat /proc/sys/kernel/msgmax)
	echo "$output" | jq -e --argjson s "$msgsize" --argjson n "$msg_max" '
		.limits[] | select(.method == "posix-mq") |
		.max_msg == $s and .limit == "fs.mqueue.msgsize_max" and
		.queued_msgs == ([$n, 10] | min) and .when_full == "EAGAIN"'
	echo "$output" | jq -e --argjson m "$msgmax" '
		.limits[] | select(.method == "sysv-msg") | .max_msg == $m and .when_full == "EAGAIN"'
	echo "$output" | jq -e '.limits[] | select(.method == "pipe") |
		.max_msg == null and .queued_bytes == 65536 and .partial_write == true'
	echo "$output" | jq -e '.limits[] | select(.method == "unix-dgram") | .max_msg > 0 and .queued_msgs > 0'
	methods=$("$IPC_BENCH" --complete=spec | sed -n 's/^--method\t-m\tMETHODS\twords:\([^\t]*\)\t.*/\1/p')
	echo "$output" | jq -e --argjson n "$(echo "$methods" | wc -w)" \
		'[.limits[].method] | index("cacheline") == null and length == $n - 1'
	run "$IPC_BENCH" --limits
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^METHOD +MAX-MSG +LIMIT +QUEUED +BYTES +FULL +PARTIAL +NOTE'
	nothing_left --file "${TMPDIR:-/tmp}/ipckit-bench-*" ipc-bench
}

@test "completion knows the methods and placements" {
	run "$IPC_BENCH" --complete=spec
	[ "$status" -eq 0 ]
	# every method of the library's table, the floor first
	words=$(echo "$output" | sed -n 's/^--method\t-m\tMETHODS\twords:\([^\t]*\)\t.*/\1/p')
	[[ "$words" == "cacheline pipe "* ]]
	for m in $words; do "$IPC_BENCH" --help | grep -qE "^ $m +[^ ]"; done
	echo "$output" | grep -P '^--placement\t-\tWHERE\twords:same cross both\t'
	! echo "$output" | grep -q -- '--sysroot' || false
	! echo "$output" | grep -q -- '--fault' || false
}

@test "an empty --method, or an empty name in it, is a usage error, not every method" {
	for m in "" "," "pipe," ",pipe" "pipe,,tcp"; do
		run --separate-stderr "$IPC_BENCH" --method "$m" --count 10 --warmup 0 --placement same
		[ "$status" -eq 2 ] || { echo "--method '$m': exit $status"; false; }
		[ -z "$output" ]
		[ "$stderr" = "ipc-bench: --method '$m' has an empty method name (METHOD,METHOD...) (see 'ipc-bench --help')" ]
	done
	nothing_left --file "${TMPDIR:-/tmp}/ipckit-bench-*" ipc-bench
}

@test "--pin beyond any CPU number names the CPU typed, and the CPUs there are" {
	n=$(nproc)
	first=$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')
	for pin in 4294967296,0 0,4294967296 0,99999999999 0,100000; do
		run --separate-stderr "$IPC_BENCH" --pin "$pin" -m pipe --count 10
		[ "$status" -eq 2 ]
		cpu=${pin#0,}; cpu=${cpu%,0}
		[ "$stderr" = "ipc-bench: no CPU $cpu here for --pin ($n CPU$([ "$n" -gt 1 ] && echo s) this process may use, the first $first) (see 'ipc-bench --help')" ]
	done
}

@test "--limits with a size a method cannot carry: one line with the size and the limit" {
	run --separate-stderr "$IPC_BENCH" --limits --size 1G -m posix-mq,pipe
	[ "$status" -eq 1 ]
	max=$(cat /proc/sys/fs/mqueue/msgsize_max)
	[ "$(lines_of "$stderr")" -eq 1 ]
	[[ "$stderr" =~ ^ipc-bench:\ cannot\ probe\ \'posix-mq\'\ with\ 1G\ messages:\ it\ carries\ at\ most\ [0-9.]+[KMG]?\ here\ \(fs\.mqueue\.msgsize_max\)$ ]]
	# the other method is still probed
	echo "$output" | grep -q '^pipe '
	nothing_left --file "${TMPDIR:-/tmp}/ipckit-bench-*" ipc-bench
}
