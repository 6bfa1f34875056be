#!/usr/bin/env bats
# ipc-watch against real objects: every event of every kind that changes,
# identity (an id or name taken again is a remove and a create), glibc's
# temporary semaphore name, JSON lines, --until, --count, --timeout,
# filters, signals.

load helpers

POKE=$B/tests/ipk-poke

# watch ARGS...: ipc-watch in the background, lines in $OUT; returns once
# its first look is done (the --stats start line).
watch() {
	OUT=$BATS_TEST_TMPDIR/watch.out
	ERR=$BATS_TEST_TMPDIR/watch.err
	: >"$OUT"
	ipc-watch --stats --interval 100ms "$@" >"$OUT" 2>"$ERR" </dev/null 3>&- &
	WATCH=$!
	HOLDERS+=("$WATCH")
	local i
	for i in $(seq 300); do
		grep -q 'stats: start' "$ERR" && return 0
		kill -0 "$WATCH" 2>/dev/null || { cat "$ERR" >&2; return 1; }
		sleep 0.02
	done
	echo "ipc-watch did not start" >&2
	return 1
}

# seen PATTERN [N]: waits until N (default 1) lines of $OUT match PATTERN.
seen() {
	local i n=${2:-1}
	for i in $(seq 300); do
		[ "$(grep -c -E -- "$1" "$OUT")" -ge "$n" ] && return 0
		sleep 0.02
	done
	echo "--- not seen: $1 (x$n); output:" >&2
	cat "$OUT" >&2
	return 1
}

# quiet_for_polls [PATTERN]: four polls pass with no new line (matching PATTERN).
quiet_for_polls() {
	local before
	before=$(wc -l <"$OUT")
	sleep 0.4
	if tail -n +$((before + 1)) "$OUT" | grep -q -E -- "${1:-.}"; then
		echo "--- unexpected:" >&2
		tail -n +$((before + 1)) "$OUT" >&2
		return 1
	fi
}

# poke [--hold] OP ARGS: ipk-poke, held in the background with --hold.
poke_hold() {
	local out=$BATS_TEST_TMPDIR/poke.$RANDOM
	"$POKE" --hold "$@" >"$out" 2>&1 </dev/null 3>&- &
	HOLDERS+=("$!")
	POKE_PID=$!
	local i
	for i in $(seq 200); do grep -q '^ready' "$out" && return 0; sleep 0.02; done
	cat "$out" >&2
	return 1
}

stop_watch() {
	kill -TERM "$WATCH"
	wait "$WATCH"
}

@test "POSIX queues: create, messages, holders, mode, remove; each once" {
	watch --kind posix-mq
	ipc-mk posix-mq /jobs --maxmsg 10 >/dev/null
	seen '^[0-9:.]+ \+ posix-mq:/jobs root 0600 maxmsg 10$'
	"$POKE" mq-send /jobs 3
	seen '~ posix-mq:/jobs .*messages 0 → 3'
	poke_hold mq-open /jobs
	seen "~ posix-mq:/jobs .*holders \\+ipk-poke\\[$POKE_PID\\]"
	kill "$POKE_PID"
	seen "~ posix-mq:/jobs .*holders -ipk-poke\\[$POKE_PID\\]"
	chmod 0640 "$IPCKIT_TEST_MQUEUE/jobs"
	seen '~ posix-mq:/jobs perms 0600 → 0640'
	"$POKE" mq-recv /jobs 2
	seen '~ posix-mq:/jobs .*messages 3 → 1'
	ipc-rm --force posix-mq:/jobs >/dev/null
	seen '^[0-9:.]+ - posix-mq:/jobs$'
	quiet_for_polls
	stop_watch
	[ "$(grep -c '+ posix-mq:/jobs' "$OUT")" -eq 1 ]
	[ "$(grep -c -- '- posix-mq:/jobs' "$OUT")" -eq 1 ]
}

@test "POSIX semaphores: sem_open's temporary name is never reported; values and removal are" {
	watch --kind posix-sem,posix-shm
	mk posix-sem name=/lock value=1 >/dev/null
	seen '\+ posix-sem:/lock root 0600 value 1$'
	"$POKE" sem-post /lock 2
	seen '~ posix-sem:/lock value 1 → 3'
	"$POKE" sem-wait /lock
	seen '~ posix-sem:/lock value 3 → 2'
	rm /dev/shm/sem.lock
	seen '- posix-sem:/lock'
	quiet_for_polls
	stop_watch
	# one semaphore, one create: no sem.XXXXXX, no posix-shm coming and going
	[ "$(grep -c '+ posix-sem:' "$OUT")" -eq 1 ]
	[ "$(grep -c -- '- posix-sem:' "$OUT")" -eq 1 ]
	! grep -v 'posix-sem:/lock' "$OUT" || false
	! grep -q 'posix-shm' "$OUT" || false
}

@test "many semaphores made at once: one create each, never a temporary name" {
	watch --kind posix-sem,posix-shm
	mk --count 50 posix-sem name=/many%d value=0 >/dev/null
	seen '\+ posix-sem:/many' 50
	quiet_for_polls
	stop_watch
	[ "$(grep -c '+ posix-sem:/many[0-9]*' "$OUT")" -eq 50 ]
	[ "$(wc -l <"$OUT")" -eq 50 ]
}

@test "POSIX shared memory: create, resize, mode, holders, a name made again is another object" {
	watch --kind posix-shm
	mk posix-shm name=/seg size=4096 >/dev/null
	seen '\+ posix-shm:/seg root 0600'
	truncate -s 16384 /dev/shm/seg
	seen '~ posix-shm:/seg size 4K → 16K'
	chmod 0644 /dev/shm/seg
	seen '~ posix-shm:/seg perms 0600 → 0644'
	poke_hold shm-open /seg
	seen "~ posix-shm:/seg .*holders \\+ipk-poke\\[$POKE_PID\\]"
	kill "$POKE_PID"
	seen "~ posix-shm:/seg .*holders -ipk-poke\\[$POKE_PID\\]"
	# unlinked and made again under the same name: a remove and a create
	rm /dev/shm/seg
	mk posix-shm name=/seg size=4096 >/dev/null
	seen '- posix-shm:/seg'
	seen '\+ posix-shm:/seg' 2
	stop_watch
	! grep -q '~ posix-shm:/seg.*inode' "$OUT" || false
}

@test "System V queues, arrays and segments: create, change, remove" {
	watch --kind msg,sem,shm
	msg=$(mk sysv-msg)
	sem=$(mk sysv-sem nsems=3 values=1,2,3)
	shm=$(mk sysv-shm size=8192 key=0x1234)
	seen "\\+ $msg root 0600"
	seen "\\+ $sem root 0600 nsems 3 value 1,2,3"
	seen "\\+ $shm root 0600 key 0x00001234 size 8K"
	"$POKE" msg-send "${msg#*:}" 2
	seen "~ $msg .*messages 0 → 2"
	"$POKE" msg-chmod "${msg#*:}" 0640
	seen "~ $msg .*perms 0600 → 0640"
	"$POKE" sem-op "${sem#*:}" 0 -1
	seen "~ $sem .*value 1,2,3 → 0,2,3"
	"$POKE" sem-set "${sem#*:}" 2 7
	seen "~ $sem .*value 0,2,3 → 0,2,7"
	poke_hold shm-attach "${shm#*:}"
	seen "~ $shm .*nattch 0 → 1"
	kill "$POKE_PID"
	seen "~ $shm .*nattch 1 → 0"
	ipcrm -q "${msg#*:}" -s "${sem#*:}" -m "${shm#*:}"
	seen "^[0-9:.]+ - $msg"
	seen "^[0-9:.]+ - $sem"
	seen "^[0-9:.]+ - $shm \\(key 0x00001234\\)"
	stop_watch
}

@test "System V objects polled unchanged: a waiter coming and going, moves within one second, an exit" {
	watch --kind msg,sem
	msg=$(mk sysv-msg)
	sem=$(mk sysv-sem nsems=1 values=5)
	seen "\\+ $msg"
	seen "\\+ $sem"
	quiet_for_polls
	# a receiver that starts waiting changes nothing of the queue's own record
	"$POKE" msg-wait "${msg#*:}" </dev/null 3>&- &
	waiter=$!
	HOLDERS+=("$waiter")
	seen "~ $msg .*holders \\+ipk-poke\\[$waiter\\]"
	kill "$waiter"
	seen "~ $msg .*holders -ipk-poke\\[$waiter\\]"
	# semop sets otime in whole seconds: three moves within about one are three changes
	for v in 4 3 2; do
		"$POKE" sem-op "${sem#*:}" 0 -1
		seen "~ $sem .*value $((v + 1)) → $v"
	done
	# the queue's last sender ends: gone, with nothing of the queue moved
	poke_hold msg-send "${msg#*:}"
	seen "~ $msg .*messages 0 → 1"
	quiet_for_polls
	kill "$POKE_PID"
	seen "~ $msg status - → orphan,gone"
	quiet_for_polls
	stop_watch
}

@test "a segment removed while attached changes (dest, key), then goes with its last detach" {
	watch --kind shm
	shm=$(mk sysv-shm size=4096 key=0x42)
	seen "\\+ $shm"
	poke_hold shm-attach "${shm#*:}"
	seen "~ $shm .*nattch 0 → 1"
	ipcrm -m "${shm#*:}"
	seen "~ $shm .*status - → dest"
	! grep -q -- "- $shm" "$OUT" || false
	kill "$POKE_PID"
	seen "- $shm"
	stop_watch
	[ "$(grep -c "+ $shm" "$OUT")" -eq 1 ]
}

@test "an id removed and taken again (shm_next_id) is a remove and a create, never a change" {
	watch --kind shm
	echo 4242 >/proc/sys/kernel/shm_next_id
	a=$(mk sysv-shm size=4096)
	[ "$a" = sysv-shm:4242 ]
	seen "\\+ $a"
	# removed and made again within one poll: same id, same key, same owner
	ipcrm -m 4242
	echo 4242 >/proc/sys/kernel/shm_next_id
	b=$(mk sysv-shm size=4096)
	[ "$b" = "$a" ]
	seen "^[0-9:.]+ - $a"
	seen "\\+ $a" 2
	quiet_for_polls
	stop_watch
	! grep -q "~ $a" "$OUT" || false
	# the remove comes before the create
	[ "$(grep -n -- "- $a" "$OUT" | cut -d: -f1)" -lt "$(grep -n "+ $a" "$OUT" | tail -1 | cut -d: -f1)" ]
}

@test "a socket no process holds (in flight in a message) is told, a poll after it is first seen" {
	watch --kind unix
	# a socket sent over another and closed: held by nobody, queued in the kernel
	python3 -c '
import array, os, socket, sys, time
a, b = socket.socketpair()
x, y = socket.socketpair()
ino = os.fstat(x.fileno()).st_ino
a.sendmsg([b"."], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [x.fileno()]))])
x.close()
sys.stdout.write("%d\n" % ino); sys.stdout.flush(); time.sleep(30)' >"$BATS_TEST_TMPDIR/py" &
	HOLDERS+=("$!")
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/py" ] && break; sleep 0.05; done
	ino=$(cat "$BATS_TEST_TMPDIR/py")
	seen "^[0-9:.]+ \\+ unix:$ino( |$)"
	# told once, with no holder: nothing came or went
	! grep -E "unix:$ino( |$)" "$OUT" | grep -q 'held by' || false
	[ "$(grep -cE "unix:$ino( |$)" "$OUT")" -eq 1 ]
}

@test "fd kinds: created with their holder, changed, gone the moment it exits" {
	watch --kind eventfd,pipe,memfd,unix,timerfd,signalfd,fifo
	hold eventfd value=5 pipe memfd name=wl size=8192 unix pair=1 timerfd value=60000 \
		signalfd signals=USR1 fifo name=$BATS_TEST_TMPDIR/w.fifo
	ev=$(echo "$HOLD_REFS" | grep ^eventfd:)
	pipe=$(echo "$HOLD_REFS" | grep ^pipe:)
	memfd=$(echo "$HOLD_REFS" | grep ^memfd:)
	timer=$(echo "$HOLD_REFS" | grep ^timerfd:)
	for ref in $HOLD_REFS; do seen "\\+ $ref "; done
	"$POKE" eventfd-add "$HOLD_PID" "$(fd_of "$HOLD_PID" eventfd)" 3
	seen "~ $ev value 5 → 8"
	"$POKE" fd-write "$HOLD_PID" "$(fd_of "$HOLD_PID" pipe)" 100
	seen "~ $pipe size 0B → 100B"
	# a timer counting down is not a change; the pipes and sockets of bats itself are not ours
	quiet_for_polls "$(echo "$HOLD_REFS" | paste -sd'|' | sed 's/[.]/\\./g')"
	! grep -q "~ $timer" "$OUT" || false
	kill "$HOLD_PID"
	for ref in $HOLD_REFS; do seen "^[0-9:.]+ - $ref .*last held by ipk-factory\\[$HOLD_PID\\]"; done
	stop_watch
	grep -q "exits seen at once [1-9]" "$ERR"
}

# fd_of PID KIND: an fd of process PID that is KIND (eventfd; pipe: its write end)
fd_of() {
	local l n
	for l in /proc/$1/fd/*; do
		n=${l##*/}
		case $(readlink "$l") in
		*"[$2]"*) echo "$n"; return 0 ;;
		"$2":*) grep -q '^flags:.*1$' "/proc/$1/fdinfo/$n" && { echo "$n"; return 0; } ;;
		esac
	done
	return 1
}

@test "--json: one object per line, each flushed at once, jq parses every one" {
	watch --json --kind posix-mq,sysv-shm
	ipc-mk posix-mq /j >/dev/null
	seen '"event": "create"'
	"$POKE" mq-send /j 2
	seen '"event": "change"'
	shm=$(mk sysv-shm size=4096)
	seen '"kind": "sysv-shm"'
	ipcrm -m "${shm#*:}"
	seen '"event": "remove"'
	stop_watch
	while read -r line; do
		echo "$line" | jq -e '.time and .event and .kind and .ref and (.changes | type == "object") and (.object | type == "object")' >/dev/null
	done <"$OUT"
	run jq -r 'select(.event == "change") | .changes.messages.new' "$OUT"
	[ "$output" = 2 ]
	run jq -r 'select(.event == "create" and .kind == "posix-mq") | .object.maxmsg' "$OUT"
	[ "$output" = 10 ]
	jq -r .time "$OUT" | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$'
}

@test "--json holders: who came and who went" {
	watch --json --kind posix-shm
	mk posix-shm name=/h >/dev/null
	seen '"event": "create"'
	poke_hold shm-open /h
	seen '"came": \[\{"pid": '"$POKE_PID"
	kill "$POKE_PID"
	seen '"went": \[\{"pid": '"$POKE_PID"
	stop_watch
}

@test "--count N exits 0 after N events" {
	watch --count 2 --kind posix-shm
	"$FACTORY" --count 3 posix-shm name=/c%d >/dev/null
	st=0
	timeout 20 tail --pid="$WATCH" -f /dev/null || st=$?
	[ "$st" -eq 0 ]
	wait "$WATCH" || st=$?
	[ "$st" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 2 ]
	grep -q '+ posix-shm:/c0' "$OUT"
}

@test "--until: gone:REF, REF.FIELD>=N, orphans>0 exit 0 once they hold" {
	ipc-mk posix-mq /u >/dev/null
	( sleep 0.5; ipc-rm --yes posix-mq:/u >/dev/null ) 3>&- &
	run timeout 20 ipc-watch --interval 100ms --kind sysv-shm --until gone:posix-mq:/u
	[ "$status" -eq 0 ]
	[ -z "$output" ]	# posix-mq is watched for the condition, not reported
	ipc-mk posix-mq /u >/dev/null
	( sleep 0.3; "$POKE" mq-send /u 4 ) 3>&- &
	run timeout 20 ipc-watch --interval 100ms --until 'posix-mq:/u.messages>=4'
	[ "$status" -eq 0 ]
	run timeout 20 ipc-watch --interval 100ms --until 'orphans>0' --timeout 5s
	[ "$status" -eq 0 ]	# the queue is held by nobody
	# a condition that holds at once exits at once
	run timeout 5 ipc-watch --until exists:posix-mq:/u
	[ "$status" -eq 0 ]
}

@test "--timeout: exit 1 when --until never held, 0 when nothing was asked" {
	run timeout 20 ipc-watch --interval 100ms --until gone:posix-mq:/never-there-x --timeout 0.1s
	[ "$status" -eq 0 ]	# never there: gone at once
	ipc-mk posix-mq /stays >/dev/null
	SECONDS=0
	run timeout 20 ipc-watch --interval 100ms --until gone:posix-mq:/stays --timeout 1s
	[ "$status" -eq 1 ]
	[ "$SECONDS" -lt 5 ]
	run timeout 20 ipc-watch --interval 100ms --count 5 --timeout 500ms --kind sysv-msg
	[ "$status" -eq 1 ]
	run timeout 20 ipc-watch --interval 100ms --timeout 500ms --kind sysv-msg
	[ "$status" -eq 0 ]
}

@test "filters apply to events: --name, --owner, --key, --min-size, --pid" {
	require_other_user
	watch --kind posix-shm,sysv-shm --name 'keep*' --owner root
	mk posix-shm name=/keep1 >/dev/null
	mk posix-shm name=/drop1 >/dev/null
	as_nobody "$FACTORY" posix-shm name=/keep2 >/dev/null
	seen '\+ posix-shm:/keep1'
	quiet_for_polls
	stop_watch
	! grep -q drop1 "$OUT" || false
	! grep -q keep2 "$OUT" || false
	watch --kind sysv-shm --key 0x77
	other=$(mk sysv-shm key=0x76)
	k=$(mk sysv-shm key=0x77)
	seen "\\+ $k"
	quiet_for_polls
	stop_watch
	# its creator may be seen running, then gone: a change of $k, never a line of $other
	! grep -q -E -- "$other( |\$)" "$OUT" || { cat "$OUT"; false; }
	[ "$(grep -c -- ' + ' "$OUT")" -eq 1 ]
	mk posix-shm name=/big size=4096 >/dev/null
	watch --kind posix-shm --min-size 1M
	truncate -s 2M /dev/shm/big
	seen '~ posix-shm:/big size 4K → 2M'
	truncate -s 3M /dev/shm/keep1
	seen '~ posix-shm:/keep1 size 4K → 3M'
	mk posix-shm name=/small >/dev/null
	quiet_for_polls
	stop_watch
	! grep -q small "$OUT" || false
}

@test "--pid: events of what one process holds" {
	hold posix-shm name=/mine map=1
	mine=$HOLD_PID
	hold posix-shm name=/theirs map=1
	watch --kind posix-shm,eventfd --pid "$mine"
	kill "$HOLD_PID"
	kill "$mine"
	seen "~ posix-shm:/mine .*holders -ipk-factory\\[$mine\\]"
	quiet_for_polls
	stop_watch
	! grep -q theirs "$OUT" || false
}

@test "--initial reports every object first; --fields narrows what a change says" {
	mk posix-shm name=/a size=4096 >/dev/null
	ref=$(mk sysv-sem nsems=2)
	watch --initial --kind posix-shm,sysv-sem --fields value
	seen '\+ posix-shm:/a'
	seen "\\+ $ref"
	truncate -s 8192 /dev/shm/a
	"$POKE" sem-set "${ref#*:}" 1 5
	seen "~ $ref value 0,0 → 0,5$"
	quiet_for_polls
	stop_watch
	! grep -q '~ posix-shm:/a' "$OUT" || false
}

@test "--ns all: objects of another IPC namespace, with their own events" {
	inner sysv-msg posix-mq name=/inner
	watch --ns all --kind sysv-msg,posix-mq --initial
	seen "\\+ posix-mq:/inner"
	seen "\\+ sysv-msg:"
	# the namespace goes with its last process, and its objects with it
	kill "$INNER_PID"
	seen "- posix-mq:/inner"
	seen "- sysv-msg:"
	stop_watch
}

@test "SIGINT and SIGTERM: exit 0, every line written" {
	watch --kind posix-shm
	mk --count 20 posix-shm name=/s%d >/dev/null
	seen '\+ posix-shm:/s' 20
	kill -INT "$WATCH"
	st=0
	wait "$WATCH" || st=$?
	[ "$st" -eq 0 ]
	[ "$(grep -c '+ posix-shm:/s' "$OUT")" -eq 20 ]
	watch --kind posix-shm
	kill -TERM "$WATCH"
	wait "$WATCH" || st=$?
	[ "$st" -eq 0 ]
}

@test "colour on a terminal only, never under NO_COLOR; never in a pipe" {
	command -v script >/dev/null || skip "script (bsdutils) is not installed"
	mk posix-shm name=/col >/dev/null
	run script -qec "timeout 2 $BINDIR/ipc-watch --initial --kind posix-shm --count 1" /dev/null
	[[ "$output" == *$'\033[32m+'* ]]
	run script -qec "NO_COLOR=1 timeout 2 $BINDIR/ipc-watch --initial --kind posix-shm --count 1" /dev/null
	[[ "$output" != *$'\033['* ]]
	[[ "$output" == *"+ posix-shm:/col"* ]]
	run timeout 2 ipc-watch --initial --kind posix-shm --count 1
	[[ "$output" != *$'\033['* ]]
}

@test "churn: objects made and removed fast: every create and remove once, never a change" {
	watch --kind posix-shm,posix-mq,sysv-msg
	# gone before any look, or seen coming and going: either is the truth
	for i in $(seq 100); do
		: >/dev/shm/churn$i
		rm /dev/shm/churn$i
	done
	for i in $(seq 50); do ipcrm -q "$(ipcmk -Q | awk '{print $NF}')"; done
	# 100 queues at once, then all removed at once: inotify must lose none
	"$FACTORY" --count 100 posix-mq name=/cq%d >/dev/null
	seen '\+ posix-mq:/cq' 100
	find "$IPCKIT_TEST_MQUEUE" -name 'cq*' -delete
	seen '- posix-mq:/cq' 100
	sleep 0.3
	stop_watch
	! grep -q '^[^ ]* ~' "$OUT" || false
	[ "$(grep -c '+ posix-mq:/cq' "$OUT")" -eq 100 ]
	[ "$(grep -c -- '- posix-mq:/cq' "$OUT")" -eq 100 ]
	for ref in $(grep -o -- '- [a-z-]*:[^ ]*' "$OUT" | cut -c3-); do
		[ "$(grep -c "+ $ref\$" "$OUT")" -eq 1 ] || [ "$(grep -c "+ $ref " "$OUT")" -eq 1 ] ||
			{ echo "remove without one create: $ref"; false; }
	done
}

@test "usage errors: one line, exit 2" {
	for args in "--interval x" "--interval 0" "--count 0" "--until nonsense" \
		"--until posix-mq:/x.nosuchfield>1" "--until sysv-shm:1.size>=abc" "--fields bogus" \
		"--timeout never" "--kind nope" "operand"; do
		run ipc-watch $args
		[ "$status" -eq 2 ] || { echo "$args: $status"; false; }
		[ "$(lines_of "$output")" -eq 1 ] || { echo "$args: $output"; false; }
		[[ "$output" == ipc-watch:* ]]
	done
}

@test "valgrind: a watch through creates, changes and removes leaks nothing" {
	[[ "$B" != *san* ]] || skip "valgrind does not run under AddressSanitizer"
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	OUT=$BATS_TEST_TMPDIR/vg.out
	valgrind --quiet --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
		"$BINDIR/ipc-watch" --stats --interval 100ms --kind posix-shm,sysv-sem,eventfd \
		>"$OUT" 2>"$BATS_TEST_TMPDIR/vg.err" 3>&- &
	VG=$!
	HOLDERS+=("$VG")
	for i in $(seq 500); do grep -q 'stats: start' "$BATS_TEST_TMPDIR/vg.err" && break; sleep 0.02; done
	mk posix-shm name=/v >/dev/null
	sem=$(mk sysv-sem)
	"$POKE" sem-set "${sem#*:}" 0 3
	hold eventfd
	seen "\\+ eventfd:"
	kill "$HOLD_PID"
	seen "- eventfd:"
	rm /dev/shm/v
	seen '- posix-shm:/v'
	kill -INT "$VG"
	st=0
	wait "$VG" || st=$?
	cat "$BATS_TEST_TMPDIR/vg.err"
	[ "$st" -eq 0 ]
}
