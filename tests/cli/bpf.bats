#!/usr/bin/env bats
# The process scan through BPF iterators (lib/procs-bpf.c) against the one
# through /proc (--no-bpf): the same records on real objects held by real
# processes, --no-bpf keeps to /proc, and a kernel that refuses BPF is read
# through /proc without a word.

load helpers

T=$BATS_TEST_TMPDIR

# The scan reads BPF only where there are 400 processes or more (below,
# loading it costs more than /proc): this many sleep beside every test.
setup_file() {
	CROWD=()
	for _ in $(seq 420); do
		sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
		CROWD+=("$!")
	done
	export CROWD_PIDS="${CROWD[*]}"
}

teardown_file() {
	# shellcheck disable=SC2086
	kill $CROWD_PIDS 2>/dev/null || true
}

# listing NAME [OPTION...]: every object as ipc-ls --json prints it, into
# $T/NAME, less the listing process itself as a holder (each run is another
# process).  No subshell runs beside it: it would be a holder of its pipe.
listing() {
	local name=$1
	shift
	"$IPC_LS" --json "$@" >"$T/$name.raw" 2>"$T/$name.err" || return 1
	[ ! -s "$T/$name.err" ] || { cat "$T/$name.err"; return 1; }
	jq -S 'del(.objects[].holders[]? | select(.comm == "ipc-ls"))' "$T/$name.raw" >"$T/$name"
}

same() {
	cmp -s "$T/$1" "$T/$2" || { diff "$T/$1" "$T/$2" | head -40; false; }
}

# LeakSanitizer cannot run under ptrace: a sanitized ipc-ls traced by strace
# checks everything else.
traced() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace "$@"
}

# The system calls of one ipc-ls run, counted: "NAME COUNT" lines.
calls() {
	traced -f -qq -c -U name,calls -o "$BATS_TEST_TMPDIR/strace" "$IPC_LS" "$@" >/dev/null 2>&1
	awk 'NR > 2 && $1 !~ /^-/ && $1 != "total" { print $1, $2 }' "$BATS_TEST_TMPDIR/strace"
}

count() {
	calls "${@:2}" | awk -v c="$1" '$1 == c { n = $2 } END { print n + 0 }'
}

# Whether this system lets a process read others through BPF iterators,
# told by the system, not by ipc-ls: root of the first user namespace, the
# kernel's BTF, Linux 6.7 (the task_vma kfuncs), no lockdown.
require_bpf() {
	command -v strace >/dev/null || skip "strace is not installed"
	[ "$(id -u)" = 0 ] && [ -z "${IPCKIT_USERNS:-}" ] || skip "BPF needs root of the first user namespace"
	[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
	local v
	v=$(uname -r | awk -F. '{ print $1 * 1000 + $2 }')
	[ "$v" -ge 6007 ] || skip "Linux $(uname -r) is older than 6.7"
	if [ -r /sys/kernel/security/lockdown ]; then
		grep -q '\[none\]' /sys/kernel/security/lockdown || skip "the kernel is locked down"
	fi
}

# The listing read its processes through BPF: it created the iterators.
read_through_bpf() {
	traced -f -qq -e trace=bpf -e status=successful -o "$T/bpf.strace" \
		"$IPC_LS" "$@" >/dev/null 2>&1
	grep -q 'BPF_ITER_CREATE' "$T/bpf.strace" || { echo "no BPF iterator was read"; false; }
}

# The fixed set: every fd kind, a System V segment attached, a POSIX object
# mapped, a POSIX semaphore and a System V set and queue waited on, a pipe
# read from by a child blocked on it, memfds held, mapped and only mapped.
hold_fixed_set() {
	hold pipe data=100 split=1 pipe unix pair=1 data=hi unix path=/tmp/ipk-bpf-u connect=1 \
		eventfd value=5 share=1 semaphore=1 timerfd timerfd clock=realtime \
		signalfd signals=USR1,RTMIN memfd name=sealed seals=shrink,grow \
		memfd name=mapped size=8192 map=1 memfd name=only-mapped size=4096 map=only \
		fifo name=/tmp/ipk-bpf-fifo data=10 sysv-shm size=8192 attach=1 \
		posix-shm name=/ipk-bpf-shm size=4096 map=1 posix-sem name=/ipk-bpf-sem waiter=1 \
		posix-mq name=/ipk-bpf-mq send=2 sysv-sem nsems=2 waiter=0 sysv-msg receiver=1 \
		pidfd exited=1
	# the waiters are blocked by now
	sleep 0.2
}

@test "the BPF path and /proc give byte-identical JSON on every kind of a fixed set" {
	require_bpf
	hold_fixed_set
	# and a pipe held in an IPC namespace of its own: each holder's namespace is its own
	unshare --ipc "$FACTORY" --hold pipe >"$T/other-ns" 2>&1 </dev/null &
	HOLDERS+=("$!")
	until grep -q '^ready' "$T/other-ns"; do sleep 0.02; done
	# the first listing through /proc: what a listing changes (a queue's atime) has changed
	listing first --no-bpf
	listing before --no-bpf
	listing bpf
	listing after --no-bpf
	same before after
	same bpf after
	read_through_bpf --json
	# of the fixed set: each fd kind, an attach, mappings, waiters
	for kind in pipe unix eventfd timerfd signalfd memfd fifo pidfd sysv-shm posix-shm \
		posix-sem posix-mq sysv-sem sysv-msg; do
		jq -e --arg k "$kind" \
			'[.objects[] | select(.kind == $k and (.holders | length) > 0)] | length > 0' \
			"$T/bpf" >/dev/null || { echo "no $kind held"; false; }
	done
	[ "$(jq '[.objects[].holders[]? | select(.mode == "waiting")] | length' "$T/bpf")" -ge 4 ]
	jq -e '.objects[] | select(.kind == "sysv-shm") | .holders[] | select(.fd == null)' \
		"$T/bpf" >/dev/null
	[ "$(jq '[.objects[] | select(.kind == "pipe") | .ns] | unique | length' "$T/bpf")" -eq 2 ]
	# the fd kinds alone, as the benchmark lists them
	listing fd-bpf --kind "$FD_KINDS"
	listing fd-proc --kind "$FD_KINDS" --no-bpf
	same fd-bpf fd-proc
	# and the table
	"$IPC_LS" -o ref,holders,size,capacity,value --kind "$FD_KINDS,sysv-shm,posix-shm" \
		>"$T/table-bpf"
	"$IPC_LS" -o ref,holders,size,capacity,value --kind "$FD_KINDS,sysv-shm,posix-shm" \
		--no-bpf >"$T/table-proc"
	sed -i 's/,*ipc-ls\[[0-9]*\]//' "$T/table-bpf" "$T/table-proc"
	same table-bpf table-proc
}

@test "an armed timer's time left and a pipe's queue read through BPF are /proc's" {
	require_bpf
	# a pipe of three buffers: the ring is walked with the kernel's stride
	hold timerfd value=600000 interval=2500 pipe data=4000 timerfd value=90000 clock=realtime \
		pipe data=10000
	listing bpf --kind timerfd,pipe
	listing proc --kind timerfd,pipe --no-bpf
	# the time left differs by the time between the two listings only
	strip='del(.objects[] | select(.kind == "timerfd") | .value)'
	jq -S "$strip" "$T/bpf" >"$T/bpf.stripped"
	jq -S "$strip" "$T/proc" >"$T/proc.stripped"
	same bpf.stripped proc.stripped
	read_through_bpf --kind timerfd,pipe
	paste <(jq '.objects[] | select(.kind == "timerfd") | .value' "$T/bpf") \
		<(jq '.objects[] | select(.kind == "timerfd") | .value' "$T/proc") |
		awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1 || $1 < 80) bad = 1; n++ }
			END { exit bad || n < 2 }'
	jq -e '.objects[] | select(.kind == "pipe" and .size == 4000 and .capacity == 65536)' \
		"$T/bpf" >/dev/null
	jq -e '.objects[] | select(.kind == "pipe" and .size == 10000)' "$T/bpf" >/dev/null
}

@test "the BPF path sees the pids of the test's pid namespace, and no process outside it" {
	require_bpf
	hold_fixed_set
	listing bpf
	read_through_bpf
	pids=$(jq -r '[.objects[].holders[]?] | map("\(.pid) \(.comm)") | unique | .[]' "$T/bpf")
	[ -n "$pids" ]
	echo "$pids" | grep -q "^$HOLD_PID ipk-factory$"
	while read -r pid comm; do
		# every holder is a process of this namespace's /proc, by the name it has there
		[ "$(cut -c1-15 </proc/"$pid"/comm)" = "$comm" ] || { echo "pid $pid is not $comm here"; false; }
	done <<<"$pids"
	# and this /proc is the test's own pid namespace (its pid 1 is run-in-ns),
	# where the pids of the processes outside it do not exist: a listing with
	# those would have failed the check above
	[ "$(cat /proc/1/comm)" = run-in-ns ]
}

@test "a shared mapping of a file is read through BPF: its path told up to our root, not from /proc" {
	require_bpf
	hold posix-shm name=/ipk-bpf-map size=4096 map=1
	listing bpf --kind posix-shm
	listing proc --kind posix-shm --no-bpf
	same bpf proc
	jq -e --argjson p "$HOLD_PID" \
		'.objects[] | select(.name == "/ipk-bpf-map") | .holders[] | select(.pid == $p and .fd == null)' \
		"$T/bpf" >/dev/null
	# the holder's /proc directory is not opened: nothing of it is read from there
	traced -f -qq -e trace=openat -o "$T/maps.strace" "$IPC_LS" --kind posix-shm >/dev/null 2>&1
	! grep "openat([0-9]*, \"$HOLD_PID\"" "$T/maps.strace" || false
}

@test "--no-bpf reads /proc only: no bpf() call, every fd link read" {
	require_bpf
	hold pipe eventfd memfd
	[ "$(count bpf --kind pipe,eventfd,memfd --no-bpf)" -eq 0 ]
	[ "$(count readlinkat --kind pipe,eventfd,memfd --no-bpf)" -ge 3 ]
	# without it the iterators are read and no fd link is
	[ "$(count bpf --kind pipe,eventfd,memfd)" -gt 0 ]
	[ "$(count readlinkat --kind pipe,eventfd,memfd)" -eq 0 ]
}

@test "where bpf() is refused the listing is read through /proc, without a word" {
	require_bpf
	hold_fixed_set
	listing first --no-bpf
	listing proc --no-bpf
	"$DENY" bpf "$IPC_LS" --json >"$T/denied.raw" 2>"$T/denied.err"
	[ ! -s "$T/denied.err" ] || { cat "$T/denied.err"; false; }
	jq -S 'del(.objects[].holders[]? | select(.comm == "ipc-ls"))' "$T/denied.raw" >"$T/denied"
	same denied proc
	# and it did try: bpf() failed with ENOSYS, then every fd link was read
	traced -f -qq -e trace=bpf,readlinkat -o "$T/denied.strace" \
		"$DENY" bpf "$IPC_LS" --kind pipe >/dev/null 2>&1
	grep -q 'bpf(.*ENOSYS' "$T/denied.strace"
	grep -q 'readlinkat(' "$T/denied.strace"
}

@test "a listing of fewer than 400 processes reads /proc: the iterators' load would cost more" {
	require_bpf
	# the last test of the file: it stops the crowd of setup_file
	# shellcheck disable=SC2086
	kill $CROWD_PIDS
	# they are not ours to wait for: the namespace's init reaps them, a
	# moment after they die
	local tries=0
	while [ "$(ls /proc | grep -c '^[0-9]')" -ge 400 ] && [ $((tries += 1)) -le 100 ]; do
		sleep 0.1
	done
	[ "$(ls /proc | grep -c '^[0-9]')" -lt 400 ]
	calls --kind pipe >"$T/few"
	! grep -q '^bpf ' "$T/few" || { cat "$T/few"; false; }
	grep -q '^readlinkat ' "$T/few"
}
