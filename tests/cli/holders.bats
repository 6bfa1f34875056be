#!/usr/bin/env bats
# Issue 3: what processes hold.  The fd kinds (pipe, fifo, unix, eventfd,
# timerfd, signalfd, memfd), holders of the named kinds, --pid, --orphan,
# processes that cannot be read, and what lsfd and a real program say.

load helpers


# ls ARGS...: ipc-ls with the note about unreadable processes left out
ls_() {
	"$IPC_LS" "$@" 2>/dev/null
}

# field REF FIELD: one field of one object, from its JSON record
field() {
	ls_ -i "$1" --json | jq -c ".$2"
}

teardown() {
	clean_ns
	rm -f /tmp/ipk-fifo* /tmp/ipk.sock
}

@test "every fd kind is listed with what the kernel says of it" {
	hold pipe data=5 fifo name=/tmp/ipk-fifo data=3 unix pair=1 data=hey \
		unix path=@ipk-abstract connect=1 backlog=7 eventfd value=7 semaphore=1 \
		timerfd value=5000 interval=1500 signalfd signals=USR1,RTMIN \
		memfd name=frames size=8192 seals=shrink,grow
	mapfile -t refs <<<"$HOLD_REFS"
	[ "${#refs[@]}" -eq 8 ]

	# timerfd first, while little of its 5 s has run (a loaded machine is
	# slow): seconds to the next expiry, interval, clock, ticks
	ls_ -i "${refs[5]}" --json | jq -e '.value > 2 and .value <= 5'
	[ "$(field "${refs[5]}" interval)" = 1.5 ]
	[ "$(field "${refs[5]}" clock)" = '"monotonic"' ]
	[ "$(field "${refs[5]}" ticks)" = 0 ]

	# pipe: inode, bytes queued and capacity
	[ "$(field "${refs[0]}" size)" = 5 ]
	[ "$(field "${refs[0]}" capacity)" = 65536 ]
	[ "$(field "${refs[0]}" inode)" = "${refs[0]#pipe:}" ]
	# fifo: path and the same figures
	[ "$(field "${refs[1]}" name)" = '"/tmp/ipk-fifo"' ]
	[ "$(field "${refs[1]}" size)" = 3 ]
	[ "$(field "${refs[1]}" perms)" = '"0600"' ]
	# unix: type, state, peer, queues; abstract names as @name
	[ "$(field "${refs[2]}" type)" = '"stream"' ]
	[ "$(field "${refs[2]}" state)" = '"connected"' ]
	[ "$(field "${refs[2]}" recvq)" = 3 ]
	[[ "$(field "${refs[2]}" peer)" =~ ^\"unix:[0-9]+\"$ ]]
	[ "$(field "${refs[3]}" name)" = '"@ipk-abstract"' ]
	[ "$(field "${refs[3]}" state)" = '"listening"' ]
	[ "$(field "${refs[3]}" sendq)" = 7 ]
	ls_ -i "${refs[3]}" --json | jq -e '.status | index("listening")'
	# eventfd: counter and semaphore mode
	[ "$(field "${refs[4]}" value)" = 7 ]
	ls_ -i "${refs[4]}" --json | jq -e '.status | index("semaphore")'
	# signalfd: the signals, by name
	[ "$(field "${refs[6]}" signals)" = '["SIGUSR1","SIGRTMIN"]' ]
	# memfd: name, size, seals
	[ "$(field "${refs[7]}" name)" = '"frames"' ]
	[ "$(field "${refs[7]}" size)" = 8192 ]
	[ "$(field "${refs[7]}" seals)" = '["shrink","grow"]' ]
	# every one of them held by the factory, with its fd
	for ref in "${refs[@]}"; do
		ls_ -i "$ref" --json | jq -e --argjson p "$HOLD_PID" \
			'[.holders[] | select(.pid == $p and (.fd | type == "number"))] | length > 0'
	done
}

@test "a pipe shows both ends: who writes, who reads" {
	hold pipe data=2 split=1
	ref=$HOLD_REFS
	run --separate-stderr "$IPC_LS" -o ref,holders --noheadings "$ref"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^$ref\ +ipk-factory\[$HOLD_PID\]\(w\),ipk-factory\[[0-9]+\]\(r\)$ ]]
	ls_ -i "$ref" --json | jq -e '[.holders[].mode] | sort == ["r", "w"]'
	ls_ -i "$ref" --json | jq -e '[.holders[].pid] | unique | length == 2'
}

@test "a socketpair shows both ends, each the other's peer" {
	hold unix pair=1 split=1
	ref=$HOLD_REFS
	peer=$(field "$ref" peer | tr -d '"')
	[ "$(field "$peer" peer | tr -d '"')" = "$ref" ]
	# the two ends are held by two processes
	a=$(ls_ -i "$ref" --json | jq '.holders[0].pid')
	b=$(ls_ -i "$peer" --json | jq '.holders[0].pid')
	[ "$a" = "$HOLD_PID" ]
	[ "$b" != "$HOLD_PID" ]
}

@test "fds of one eventfd in several processes are one object" {
	hold eventfd value=1 share=1
	ref=$HOLD_REFS
	[[ "$ref" =~ ^eventfd:[0-9]+$ ]] || skip "this kernel prints no eventfd-id"
	ls_ -i "$ref" --json | jq -e '[.holders[].pid] | unique | length == 2'
	[ "$(ls_ -o ref --noheadings --kind eventfd --pid "$HOLD_PID" | grep -c "^$ref$")" -eq 1 ]
}

@test "a FIFO nobody holds is found by its path, anything else is not" {
	mkfifo -m 0640 /tmp/ipk-fifo
	run --separate-stderr "$IPC_LS" -o ref,name,size,holders,perms --numeric-perms --noheadings \
		fifo:/tmp/ipk-fifo
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^fifo:/tmp/ipk-fifo\ +/tmp/ipk-fifo\ +0B\ +-\ +0640$ ]]
	# nobody holds it: it is not in a listing
	[ -z "$(ls_ --kind fifo -o ref --noheadings | grep ipk-fifo)" ]
	touch /tmp/ipk-fifo.file
	ln -s /tmp/ipk-fifo /tmp/ipk-fifo.link
	run "$IPC_LS" -i fifo:/tmp/ipk-fifo.file
	[ "$status" -eq 1 ]
	run "$IPC_LS" -i fifo:/tmp/ipk-fifo.link
	[ "$status" -eq 1 ]
	run "$IPC_LS" -i fifo:relative/path
	[ "$status" -eq 2 ]
	rm -f /tmp/ipk-fifo.file /tmp/ipk-fifo.link
}

@test "sockets held by no process are listed, as orphans" {
	hold unix inflight=1
	ref=$HOLD_REFS
	run --separate-stderr "$IPC_LS" -i "$ref" --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.holders == [] and (.status | index("orphan"))'
	ls_ --orphan --kind unix -o ref --noheadings | grep -qx "$ref"
}

@test "holders of the named kinds: attaches, mappings, fds, NATTCH" {
	hold sysv-shm attach=1 posix-shm name=/mapped map=1 posix-sem name=/held value=1 \
		posix-mq name=/held
	mk posix-shm name=/nobody >/dev/null
	for ref in $(echo "$HOLD_REFS"); do
		ls_ -i "$ref" --json | jq -e --argjson p "$HOLD_PID" \
			'[.holders[].pid] | index($p) != null'
	done
	shm=$(echo "$HOLD_REFS" | head -1)
	ls_ -i "$shm" --json | jq -e '.nattch == 1 and .holders[0].fd == null'
	# a POSIX object mapped and held by an fd: one process, NATTCH 1
	ls_ -i posix-shm:/mapped --json | jq -e '.nattch == 1 and (.holders | length == 2)'
	ls_ -i posix-shm:/nobody --json | jq -e '.nattch == 0 and .holders == [] and (.status | index("orphan"))'
}

@test "--pid lists what one process holds; --orphan what nobody holds" {
	hold posix-shm name=/a map=1 pipe eventfd
	mk posix-shm name=/b >/dev/null
	mk sysv-shm >/dev/null
	run --separate-stderr "$IPC_LS" --pid "$HOLD_PID" -o ref --noheadings
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c .)" -eq 3 ]
	echo "$output" | grep -qx posix-shm:/a
	run --separate-stderr "$IPC_LS" --orphan --kind $NAMED -o ref --noheadings
	[ "$(echo "$output" | grep -c .)" -eq 2 ]
	echo "$output" | grep -qx posix-shm:/b
	echo "$output" | grep -q '^sysv-shm:'
	run "$IPC_LS" --pid nope
	[ "$status" -eq 2 ]
	# a pid nothing runs as: not "holds nothing", which nobody could know
	run --separate-stderr "$IPC_LS" --pid 999999999
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "ipc-ls: cannot read process '999999999': no such process" ]
}

@test "--pid of a process that cannot be read: said, exit 1, not an empty success" {
	require_other_user
	hold posix-shm name=/held map=1 pipe
	for args in "" "--json" "--summary" "--tree"; do
		# shellcheck disable=SC2086
		run --separate-stderr as_nobody "$IPC_LS" $args --pid "$HOLD_PID"
		[ "$status" -eq 1 ] || { echo "--pid $args: exit $status"; false; }
		[[ "$stderr" == *"ipc-ls: cannot read process '$HOLD_PID': permission denied"* ]]
		[ "$(echo "$stderr" | grep -c "process '$HOLD_PID'")" -eq 1 ]
	done
	# ipc-rm selects with the same filter: it says so too, and removes nothing
	run --separate-stderr as_nobody "$IPC_RM" --pid "$HOLD_PID" --yes
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"cannot read process '$HOLD_PID': permission denied"* ]]
	[ -e /dev/shm/held ]
	# root reads it: what it holds, and no message
	run --separate-stderr "$IPC_LS" --pid "$HOLD_PID" -o ref --noheadings
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	echo "$output" | grep -qx posix-shm:/held
}

@test "a SysV object whose creator and users are gone is flagged" {
	mk sysv-shm >/dev/null	# the factory exits: its creator is gone
	hold sysv-shm attach=1
	mk sysv-msg send=1 >/dev/null
	run --separate-stderr "$IPC_LS" --kind shm,msg -o ref,status --noheadings
	[ "$(echo "$output" | grep -c 'orphan,gone')" -eq 2 ]
	# attached: used, whoever made it
	echo "$output" | grep -E "^$HOLD_REFS +-$"
}

@test "processes that cannot be read are counted, not errors" {
	require_other_user
	hold pipe eventfd
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$IPC_LS" --kind unix,pipe,eventfd
	[ "$status" -eq 0 ]
	[[ "$stderr" =~ ^ipc-ls:\ [0-9]+\ process(es)?\ not\ readable\;\ run\ as\ root\ for\ a\ complete\ view$ ]]
	[ "$(echo "$stderr" | grep -c .)" -eq 1 ]
	# root's pipes are not visible to nobody; nothing garbled is printed
	! echo "$output" | grep -q "ipk-factory\[$HOLD_PID\]" || false
}

@test "where processes cannot be read, ipc-ls and ipc-rm agree: no POSIX object is an orphan" {
	require_other_user
	hold posix-shm name=/held map=1
	as_nobody "$IPC_MK" pshm /maybe >/dev/null
	sysv=$(as_nobody "$IPC_MK" shm --size 4K)
	# nobody cannot read root's processes: the holder of /held among them
	run --separate-stderr as_nobody "$IPC_LS" --kind pshm,shm -o ref,status --noheadings
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk '$2 ~ /orphan/ { print $1 }')" = "$sysv" ]
	[[ "$stderr" =~ ^ipc-ls:\ [0-9]+\ process(es)?\ not\ readable ]]
	run --separate-stderr as_nobody "$IPC_LS" --kind pshm --json
	echo "$output" | jq -e '[.objects[] | select(.status | index("orphan"))] == []'
	# --orphan lists what ipc-rm --orphan would remove, and says why the rest is not there
	run --separate-stderr as_nobody "$IPC_LS" --orphan --kind pshm,shm -o ref --noheadings
	[ "$status" -eq 0 ]
	[ "$output" = "$sysv" ]
	[[ "$stderr" == *"not readable; run as root for a complete view" ]]
	run --separate-stderr as_nobody "$IPC_LS" --orphan --kind pshm -o ref --noheadings
	[ -z "$output" ]
	[[ "$stderr" == *"not readable; run as root for a complete view" ]]
	run --separate-stderr as_nobody "$IPC_RM" --orphan --dry-run
	[ "$status" -eq 1 ]
	[ "$output" = "would remove $sysv" ]
	[[ "$stderr" == *"'posix-shm:/maybe': not known to be an orphan"* ]]
	[[ "$stderr" == *"'posix-shm:/held': not known to be an orphan"* ]]
	# root reads every process: the one nothing holds is an orphan again
	run --separate-stderr "$IPC_LS" --orphan --kind pshm -o ref --noheadings
	[ "$output" = posix-shm:/maybe ]
	[ -z "$stderr" ]
}

@test "processes exiting during a listing break nothing" {
	# a churn of short-lived holders while ipc-ls lists
	( for i in $(seq 150); do
		"$FACTORY" --hold pipe eventfd unix pair=1 memfd </dev/null >/dev/null &
		p=$!; sleep 0.01; kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true
	done ) &
	churn=$!
	for i in $(seq 40); do
		run --separate-stderr "$IPC_LS" --kind $FD_KINDS --json
		[ "$status" -eq 0 ]
		echo "$output" | jq -e '.objects | type == "array"' >/dev/null
	done
	wait "$churn"
}

@test "agrees with lsfd on pipes, unix sockets, memfds and anonymous inodes" {
	command -v lsfd >/dev/null || skip "lsfd is not installed"
	hold pipe data=1 unix pair=1 eventfd value=2 memfd name=ipkmem size=12345 signalfd timerfd value=9000
	theirs=$(lsfd -p "$HOLD_PID" --json -o ASSOC,TYPE,INODE,NAME,MODE,SIZE)
	ours=$("$IPC_LS" --json --pid "$HOLD_PID" 2>/dev/null)
	jq -e -n --argjson t "$theirs" --argjson o "$ours" --argjson pid "$HOLD_PID" '
		def holder($ref; $fd): [$o.objects[] | select(.ref == $ref) | .holders[] |
			select(.pid == $pid and .fd == $fd)] | length == 1;
		def mode: if . == "r--" then "r" elif . == "-w-" then "w" else null end;
		[$t.lsfd[] | select(.assoc | test("^[0-9]+$")) | (.assoc | tonumber) as $fd |
		 if (.name | startswith("pipe:")) then
			holder("pipe:\(.inode)"; $fd) and
			([$o.objects[] | select(.ref == "pipe:\(.inode)") | .holders[] |
			  select(.fd == $fd) | .mode][0] == (.mode | mode))
		 elif (.name | startswith("UNIX")) then
			holder("unix:\(.inode)"; $fd) and
			([$o.objects[] | select(.ref == "unix:\(.inode)") | .type][0] ==
			 (.name | capture("UNIX-(?<t>[A-Z]+)").t | ascii_downcase))
		 elif (.name | startswith("/memfd:")) then
			holder("memfd:\(.inode)"; $fd) and
			([$o.objects[] | select(.ref == "memfd:\(.inode)") |
			  [.name, .size]][0] == [(.name | capture("/memfd:(?<n>[^ ]+)").n), .size])
		 elif (.name | test("anon_inode:\\[(eventfd|timerfd|signalfd)\\]")) then
			(.name | capture("\\[(?<k>[a-z]+)\\]").k) as $kind |
			[$o.objects[] | select(.kind == $kind) | .holders[] | select(.fd == $fd)] |
			length == 1
		 else empty end] as $checks |
		($checks | length) >= 7 and ($checks | all)'
}

@test "a real program: Python's multiprocessing.shared_memory" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	python3 -c 'import multiprocessing.shared_memory' 2>/dev/null || skip "no multiprocessing"
	out=$BATS_TEST_TMPDIR/py
	python3 -c '
import sys, time
from multiprocessing import shared_memory
owner = shared_memory.SharedMemory(name="ipk_py", create=True, size=100000)
owner.buf[:5] = b"hello"
user = shared_memory.SharedMemory(name="ipk_py")
print("ready", flush=True)
time.sleep(30)
' >"$out" 2>&1 &
	HOLDERS+=("$!")
	py=$!
	for i in $(seq 100); do grep -q ready "$out" && break; sleep 0.05; done
	run --separate-stderr "$IPC_LS" -i posix-shm:/ipk_py --json
	[ "$status" -eq 0 ]
	# Python rounds nothing: the size asked for; one process, two mappings
	echo "$output" | jq -e '.size == 100000'
	echo "$output" | jq -e --argjson p "$py" '[.holders[].pid] | unique == [$p]'
	echo "$output" | jq -e '.nattch == 1'
	echo "$output" | jq -e '[.holders[] | select(.fd == null)] | length >= 1'
}

@test "--ns all: every IPC namespace, each object with its NS" {
	require_other_user
	mk sysv-shm size=1000 posix-mq name=/outer posix-shm name=/shared >/dev/null
	inner sysv-shm size=2000 attach=1 posix-mq name=/inner
	own=$(stat -L -c %i /proc/self/ns/ipc)
	run --separate-stderr "$IPC_LS" --ns all --kind shm,mq,pshm --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --argjson own "$own" --argjson in "$INNER_NS" '
		[.objects[] | select(.kind == "sysv-shm") | [.ns, .size]] | sort ==
		([[$own, 1000], [$in, 2000]] | sort)'
	echo "$output" | jq -e --argjson in "$INNER_NS" \
		'.objects[] | select(.name == "/inner") | .ns == $in and .ref == "posix-mq:/inner@ns:\($in)"'
	# the SysV segment of the inner namespace is held there
	echo "$output" | jq -e --argjson in "$INNER_NS" --argjson p "$INNER_PID" \
		'.objects[] | select(.kind == "sysv-shm" and .ns == $in) | .holders[0].pid == $p'
	# /dev/shm is shared by both: its files are listed once
	[ "$(echo "$output" | jq '[.objects[] | select(.ref == "posix-shm:/shared")] | length')" -eq 1 ]
	# a table says which namespace
	run --separate-stderr "$IPC_LS" --ns all --kind shm
	[[ "${lines[0]}" =~ NS$ ]]
}

@test "--ns PID: that process's namespace, for listings and -i" {
	require_other_user
	mk sysv-shm size=1000 >/dev/null
	inner sysv-shm size=2000 posix-mq name=/inner
	run --separate-stderr "$IPC_LS" --ns "$INNER_PID" --kind shm,mq -o ref,size --bytes --noheadings
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr -s ' ')" = "$(printf 'sysv-shm:0 2000\nposix-mq:/inner 0')" ]
	run --separate-stderr "$IPC_LS" --ns "$INNER_PID" -i sysv-shm:0 --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --argjson in "$INNER_NS" '.size == 2000 and .ns == $in'
	run --separate-stderr "$IPC_LS" -i sysv-shm:0 --json
	echo "$output" | jq -e '.size == 1000'
}

@test "--ns without privilege or with a bad value: a clear message" {
	require_other_user
	inner sysv-shm
	mk sysv-shm >/dev/null
	# only its own namespace, and a note why
	run --separate-stderr as_nobody "$IPC_LS" --ns all --kind shm -o ref,ns --noheadings
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c .)" -eq 1 ]
	[[ "$stderr" =~ ^ipc-ls:\ [0-9]+\ processes\ not\ readable\;\ run\ as\ root\ for\ a\ complete\ view$ ]]
	run as_nobody "$IPC_LS" --ns "$INNER_PID"
	[ "$status" -eq 1 ]
	[[ "$output" == "ipc-ls: cannot find the IPC namespace of '$INNER_PID': permission denied" ]]
	run "$IPC_LS" --ns nope
	[ "$status" -eq 2 ]
	run "$IPC_LS" --ns 999999999
	[ "$status" -eq 1 ]
	[ "$(lines_of "$output")" -eq 1 ]
}

@test "an eventfd counter is a u64: shown whole past INT64_MAX" {
	hold eventfd add=18446744073709551614
	run --separate-stderr "$IPC_LS" -o value --noheadings "$HOLD_REFS"
	[ "$output" = 18446744073709551614 ]
	# jq's numbers are doubles: the text of the JSON itself carries every digit
	"$IPC_LS" --json -i "$HOLD_REFS" | grep -q '"value": 18446744073709551614'
}

@test "pidfd: a handle on a process, its target, gone once the target is reaped" {
	hold pidfd pidfd exited=1
	mapfile -t refs <<<"$HOLD_REFS"
	run --separate-stderr "$IPC_LS" -o ref,target,holders,status --noheadings "${refs[0]}"
	[[ "$output" =~ ^${refs[0]}\ +$HOLD_PID\ ipk-factory\[$HOLD_PID\]\ +-$ ]]
	run --separate-stderr "$IPC_LS" -o target,status --noheadings "${refs[1]}"
	[[ "$output" =~ ^\ *-1\ gone$ ]]
	[ "$("$IPC_LS" --json -i "${refs[0]}" | jq .target)" = "$HOLD_PID" ]
	run "$IPC_RM" "${refs[0]}"
	[ "$status" -eq 1 ]
	[[ "$output" == *"a pidfd has no name to remove"* ]]
}

@test "processes blocked in an IPC call are holders, waiting: no orphan, no removal without --force" {
	# the last sender exited; a receiver waits in msgrcv
	hold sysv-msg send=1 sender=exited receiver=1 sysv-sem nsems=2 waiter=1 \
		posix-mq name=/w pipe
	mapfile -t refs <<<"$HOLD_REFS"
	msg=${refs[0]} sem=${refs[1]}
	sleep 0.2
	run --separate-stderr "$IPC_LS" -o ref,holders,status --noheadings "$msg"
	[[ "$output" =~ ^$msg\ +ipk-factory\[[0-9]+\]\(waiting\)\ +-$ ]] || { echo "$output"; false; }
	[ "$("$IPC_LS" --json -i "$msg" | jq -r '.holders[0].mode')" = waiting ]
	run --separate-stderr "$IPC_LS" -o holders --noheadings "$sem"
	[[ "$output" =~ ipk-factory\[[0-9]+\]\(waiting\) ]]
	# in use: not an orphan, not gone, and not removed without --force
	[ -z "$("$IPC_LS" --orphan --kind msg,sem -o ref --noheadings)" ]
	run --separate-stderr "$IPC_RM" --orphan --kind msg --yes
	[ "$status" -eq 0 ]
	run --separate-stderr "$IPC_RM" "$msg"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "ipc-rm: cannot remove '$msg': in use: waited on by ipk-factory["*"](waiting) (--force removes it anyway)" ]]
	"$IPC_LS" "$msg" >/dev/null
	run "$IPC_RM" --force "$msg"
	[ "$status" -eq 0 ]
}

@test "--ns all: each REF names one object; KIND:ARG@ns:INODE works in every command" {
	require_other_user
	own=$(mk sysv-shm size=1000)
	inner sysv-shm size=2000 posix-mq name=/inner
	# the same id in two namespaces: the other's is qualified
	run --separate-stderr "$IPC_LS" --ns all --kind shm,mq -o ref --noheadings
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sort)" = "$(printf '%s\n' "$own" "sysv-shm:0@ns:$INNER_NS" \
		"posix-mq:/inner@ns:$INNER_NS" | sort)" ]
	[ "$(echo "$output" | sort | uniq -d)" = "" ]
	# a qualified REF is that namespace's object, with or without --ns
	run --separate-stderr "$IPC_LS" -o size --bytes --noheadings "sysv-shm:0@ns:$INNER_NS"
	[ "$(echo $output)" = 2000 ]
	[ "$("$IPC_LS" --json -i "sysv-shm:0@ns:$INNER_NS" | jq -r .ref)" = "sysv-shm:0@ns:$INNER_NS" ]
	# a plain REF beside --ns all is ours
	run --separate-stderr "$IPC_LS" --ns all -o size --bytes --noheadings "$own"
	[ "$(echo $output)" = 1000 ]
	# a namespace nobody is in any more: no such object
	run "$IPC_LS" sysv-shm:0@ns:1
	[ "$status" -eq 1 ]
}

@test "a name ending in @ns:DIGITS is listed with its own namespace, never as another's object" {
	require_other_user
	inner posix-mq name=/jobs
	ns=$(stat -L -c %i /proc/self/ns/ipc)
	# planted here: names that read as the inner namespace's objects
	run --separate-stderr "$IPC_MK" mq "/jobs@ns:$INNER_NS"
	[ "$output" = "posix-mq:/jobs@ns:$INNER_NS@ns:$ns" ]
	"$IPC_MK" pshm "/data@ns:$INNER_NS" >/dev/null
	run --separate-stderr "$IPC_LS" --kind mq,pshm -o ref --noheadings
	[ "$output" = "$(printf '%s\n' "posix-mq:/jobs@ns:$INNER_NS@ns:$ns" "posix-shm:/data@ns:$INNER_NS@ns:$ns")" ]
	run --separate-stderr "$IPC_LS" --ns all --kind mq -o ref,name --noheadings
	[ "$(echo "$output" | awk '{ print $1 }' | sort | uniq -d)" = "" ]
	[[ "$output" == *"posix-mq:/jobs@ns:$INNER_NS "*"/jobs"* ]]
	# each REF is the object listed: the inner queue, held there, and ours
	run --separate-stderr "$IPC_LS" --json -i "posix-mq:/jobs@ns:$INNER_NS"
	echo "$output" | jq -e --argjson in "$INNER_NS" '.name == "/jobs" and .ns == $in'
	run --separate-stderr "$IPC_LS" --json -i "posix-mq:/jobs@ns:$INNER_NS@ns:$ns"
	echo "$output" | jq -e --argjson ns "$ns" '.ns == $ns'
	run --separate-stderr "$IPC_RM" --dry-run "posix-shm:/data@ns:$INNER_NS"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"no such object" ]]
	run --separate-stderr "$IPC_RM" --dry-run "posix-mq:/jobs@ns:$INNER_NS"
	[[ "$stderr" == *"held by ipk-factory[$INNER_PID]"* ]]
	run --separate-stderr "$IPC_RM" --yes "posix-mq:/jobs@ns:$INNER_NS@ns:$ns" "posix-shm:/data@ns:$INNER_NS@ns:$ns"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ -z "$(ls -A /dev/shm)" ] && [ -z "$(ls -A "$IPCKIT_TEST_MQUEUE")" ]
	"$IPC_LS" "posix-mq:/jobs@ns:$INNER_NS" >/dev/null
}
