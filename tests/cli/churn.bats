#!/usr/bin/env bats
# Listings while everything comes and goes: short-lived processes holding
# pipes, eventfds, FIFOs, sockets and memfds, processes that exit during
# the walk of /proc, SysV and POSIX objects created and removed.  Every
# listing must still exit 0, and every JSON one be valid JSON: what
# vanishes is skipped, not an error.  Bounded in time: CHURN_SECONDS
# (default 20).

load helpers

IPC_MK=$BINDIR/ipc-mk
IPC_RM=$BINDIR/ipc-rm

teardown() {
	stop_churn
	clean_ns
}

# Background loops, each until the deadline; their pids in CHURN.
start_churn() {
	local deadline=$1 dir=$BATS_TEST_TMPDIR
	CHURN=()
	# processes holding fd kinds, killed soon after they are ready
	( i=0; while [ "$(date +%s)" -lt "$deadline" ]; do
		i=$((i + 1))
		"$FACTORY" --hold pipe data=3 eventfd value=2 fifo name="$dir/fifo.$((i % 8))" \
			unix pair=1 memfd name=churn </dev/null >/dev/null 2>&1 &
		p=$!
		sleep 0.0$((i % 5))
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		rm -f "$dir/fifo.$((i % 8))"
	done; true ) 3>&- &
	CHURN+=("$!")
	# processes that exit at once, while the listings walk /proc
	( while [ "$(date +%s)" -lt "$deadline" ]; do
		for _ in 1 2 3 4 5 6 7 8; do /bin/true & done
		wait
	done; true ) 3>&- &
	CHURN+=("$!")
	# named objects of every family made and removed
	( i=0; while [ "$(date +%s)" -lt "$deadline" ]; do
		i=$((i + 1))
		shm=$("$IPC_MK" sysv-shm --size 4K 2>/dev/null)
		msg=$("$IPC_MK" sysv-msg 2>/dev/null)
		sem=$("$IPC_MK" sysv-sem --nsems 2 2>/dev/null)
		"$IPC_MK" posix-mq "/churn.$((i % 4))" >/dev/null 2>&1
		"$IPC_MK" posix-shm "/churn.$((i % 4))" --size 1K >/dev/null 2>&1
		"$IPC_MK" posix-sem "/churn.$((i % 4))" >/dev/null 2>&1
		ipcrm ${shm:+-m "${shm#*:}"} ${msg:+-q "${msg#*:}"} ${sem:+-s "${sem#*:}"} 2>/dev/null
		rm -f /dev/shm/churn.* /dev/shm/sem.churn.* "$IPCKIT_TEST_MQUEUE"/churn.*
	done; true ) 3>&- &
	CHURN+=("$!")
}

stop_churn() {
	local p
	for p in "${CHURN[@]:-}"; do
		[ -z "$p" ] || kill "$p" 2>/dev/null || true
	done
	for p in "${CHURN[@]:-}"; do
		[ -z "$p" ] || wait "$p" 2>/dev/null || true
	done
	CHURN=()
}

@test "listings under churn: every run exits 0, every JSON is valid" {
	seconds=${CHURN_SECONDS:-20}
	# what the filter of ipc-rm --dry-run finds, whatever else comes and goes
	"$IPC_MK" posix-shm /stable --size 4K >/dev/null
	"$IPC_MK" sysv-msg --key 0x57ab1e >/dev/null
	deadline=$(($(date +%s) + seconds))
	start_churn "$deadline"
	log=$BATS_TEST_TMPDIR/failures
	: >"$log"
	runs=0 failed=0
	while [ "$(date +%s)" -lt "$deadline" ]; do
		for cmd in "$IPC_LS" "$IPC_LS --json" "$IPC_LS --orphan" \
			"$IPC_RM --dry-run --force --name /stable"; do
			runs=$((runs + 1))
			rc=0
			out=$($cmd 2>"$BATS_TEST_TMPDIR/err") || rc=$?
			ok=1
			[ "$rc" -eq 0 ] || ok=0
			case $cmd in
			*--json) printf '%s' "$out" | jq -e '.objects | type == "array"' >/dev/null 2>&1 ||
				ok=0 ;;
			*--dry-run*) [ "$out" = "$(printf 'would remove posix-shm:/stable')" ] || ok=0 ;;
			esac
			if [ "$ok" = 0 ]; then
				failed=$((failed + 1))
				echo "$cmd: exit $rc: $(head -c 300 "$BATS_TEST_TMPDIR/err")" >>"$log"
			fi
		done
	done
	stop_churn
	echo "# churn: $runs listings in ${seconds}s, $failed failed" >&3
	[ "$runs" -ge 40 ]
	if [ "$failed" -gt 0 ]; then
		sort "$log" | uniq -c | sort -rn | head -20
		false
	fi
	# the dry runs removed nothing
	"$IPC_LS" -i posix-shm:/stable >/dev/null
	[ "$("$IPC_LS" --kind msg --key 0x57ab1e -o key --noheadings)" = 0x0057ab1e ]
}
