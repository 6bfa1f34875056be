#!/usr/bin/env bats
# Issue 4: ipc-rm removes what it is told, and nothing else: every kind,
# every refusal, --dry-run, confirmation, filters, other users' objects,
# reused ids and the hazards of /dev/shm.

load helpers

IPC_MK=$BINDIR/ipc-mk
IPC_RM=$BINDIR/ipc-rm

teardown() {
	clean_ns
	rm -rf /tmp/ipk-rm-*
}

# refs [ARGS...]: the REFs ipc-ls lists of the named kinds (or ARGS)
refs() {
	"$IPC_LS" --kind "$NAMED" "$@" -o ref --noheadings 2>/dev/null
}


@test "a socket file nobody listens on any more is removed; a listening one is refused" {
	hold unix path=/tmp/ipk-rm.sock
	run "$IPC_RM" unix:/tmp/ipk-rm.sock
	[ "$status" -eq 1 ]
	[[ "$output" == "ipc-rm: cannot remove '$HOLD_REFS': in use: a listening socket is bound to it, held by ipk-factory[$HOLD_PID] (--force removes it anyway)" ]]
	[ -S /tmp/ipk-rm.sock ]
	kill "$HOLD_PID"
	wait "$HOLD_PID" || true
	# the server died without unlinking: a stale file, an orphan
	"$IPC_LS" unix:/tmp/ipk-rm.sock -o ref,state,status --noheadings | grep -q 'unbound *orphan'
	run "$IPC_RM" unix:/tmp/ipk-rm.sock
	[ "$status" -eq 0 ]
	[ "$output" = "removed unix:/tmp/ipk-rm.sock" ]
	[ ! -e /tmp/ipk-rm.sock ]
	# a path that is not a socket is no socket object
	: >/tmp/ipk-rm-file
	run "$IPC_RM" unix:/tmp/ipk-rm-file
	[ "$status" -eq 1 ]
	[ -e /tmp/ipk-rm-file ]
}

@test "nothing selected, --all without --kind, --kind alone, abbreviations: exit 2, nothing removed" {
	"$IPC_MK" shm --size 4K >/dev/null
	"$IPC_MK" pshm /keep >/dev/null
	before=$(refs)
	for args in "" "--all" "--kind shm" "--kind shm --force --yes" "--al --kind shm" \
		"--kind shm --a" "--all --kind" "--yes" "--dry-run" "--force" \
		"sysv-shm:0 --kind shm" "sysv-shm:0 --all --kind shm" "posix-shm:/keep --orphan" \
		"-a" "-y --all --kind shm" "nokind:1" "sysv-shm:x"; do
		run --separate-stderr "$IPC_RM" $args
		[ "$status" -eq 2 ] || { echo "ipc-rm $args: $status $stderr"; false; }
		[ "${#stderr_lines[@]}" -eq 1 ] || { echo "ipc-rm $args: $stderr"; false; }
		[ -z "$output" ]
	done
	[ "$(refs)" = "$before" ]
	run "$IPC_RM"
	[[ "$output" == "ipc-rm: nothing selected: "* ]]
	run "$IPC_RM" --all
	[[ "$output" == "ipc-rm: --all needs --kind KINDS: objects of every kind are never removed at once"* ]]
	run "$IPC_RM" --kind shm
	[[ "$output" == *"add --all to mean it"* ]]
	run "$IPC_RM" --al --kind shm
	[[ "$output" == "ipc-rm: unknown option '--al' (options are spelled in full here)"* ]]
}

@test "more than one object needs --yes without a terminal; nothing goes without it" {
	a=$("$IPC_MK" msg)
	b=$("$IPC_MK" msg)
	run --separate-stderr "$IPC_RM" "$a" "$b" </dev/null
	[ "$status" -eq 2 ]
	[ "$stderr" = "ipc-rm: 2 objects selected: removing more than one needs --yes (--dry-run lists them)" ]
	[ -z "$output" ]
	[ "$(refs | wc -l)" -eq 2 ]
	run "$IPC_RM" --yes "$a" "$b"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'removed %s\nremoved %s' "$a" "$b")" ]
	[ -z "$(refs)" ]
	# one object needs no confirmation
	c=$("$IPC_MK" msg)
	run "$IPC_RM" --kind msg --all </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "removed $c" ]
}

@test "on a terminal more than one object is listed and confirmed first" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	a=$("$IPC_MK" pshm /one)
	b=$("$IPC_MK" pshm /two)
	on_tty "$IPC_RM" --kind pshm --all
	grep -q "about to remove 2 objects" "$TTY_OUT"
	grep -q "^  $a" "$TTY_OUT"
	answer n
	[ "$TTY_STATUS" -eq 1 ]
	grep -q "nothing removed" "$TTY_OUT"
	[ "$(refs | wc -l)" -eq 2 ]
	on_tty "$IPC_RM" --kind pshm --all
	answer y
	[ "$TTY_STATUS" -eq 0 ]
	grep -q "removed $a" "$TTY_OUT"
	grep -q "removed $b" "$TTY_OUT"
	[ -z "$(refs)" ]
}

@test "a SysV id reused while ipc-rm waits is skipped, never removed" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	old=$("$IPC_MK" msg --key 0x111)
	other=$("$IPC_MK" msg --key 0x222)
	on_tty "$IPC_RM" --kind msg --all
	# meanwhile the queue goes and a new one takes its id
	ipcrm -q "${old#sysv-msg:}"
	echo "${old#sysv-msg:}" >/proc/sys/kernel/msg_next_id
	[ "$("$IPC_MK" msg --key 0x333)" = "$old" ]
	answer y
	[ "$TTY_STATUS" -eq 1 ]
	grep -q "skipped '$old': the id now names another object (key 0x00000333, was 0x00000111)" "$TTY_OUT"
	grep -q "removed $other" "$TTY_OUT"
	# the new queue is still there
	[ "$("$IPC_LS" --key 0x333 -o ref --noheadings)" = "$old" ]
	[ "$(refs)" = "$old" ]
}

@test "a reused id with the same key is told apart by creator, mode, size or ctime" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	old=$("$IPC_MK" shm --size 4K)
	other=$("$IPC_MK" shm --size 4K)
	on_tty "$IPC_RM" --kind shm --all
	ipcrm -m "${old#sysv-shm:}"
	echo "${old#sysv-shm:}" >/proc/sys/kernel/shm_next_id
	# private both, made at once: only the mode differs
	[ "$("$IPC_MK" shm --size 4K --mode 0640)" = "$old" ]
	answer y
	[ "$TTY_STATUS" -eq 1 ]
	grep -q "skipped '$old': it changed since it was selected, or the id names another object now" "$TTY_OUT"
	grep -q "removed $other" "$TTY_OUT"
	[ "$(refs)" = "$old" ]
}

@test "an object changed or gone since it was selected is skipped" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	"$IPC_MK" pshm /a >/dev/null
	"$IPC_MK" pshm /b >/dev/null
	"$IPC_MK" pshm /c >/dev/null
	on_tty "$IPC_RM" --kind pshm --all
	rm /dev/shm/a
	rm /dev/shm/b && : >/dev/shm/b		# the same name, another file
	answer y
	[ "$TTY_STATUS" -eq 1 ]
	grep -q "skipped 'posix-shm:/a': gone since it was selected" "$TTY_OUT"
	grep -q "skipped 'posix-shm:/b': the name now belongs to another file" "$TTY_OUT"
	grep -q "removed posix-shm:/c" "$TTY_OUT"
	[ -e /dev/shm/b ]
}

@test "--dry-run prints what would go and why the rest would not; removes nothing" {
	"$IPC_MK" msg >/dev/null
	hold sysv-shm attach=1
	shm=$HOLD_REFS
	before=$(refs)
	run --separate-stderr "$IPC_RM" --dry-run --kind msg,shm --all
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^would\ remove\ sysv-msg:[0-9]+$ ]]
	[[ "$stderr" == "ipc-rm: cannot remove '$shm': in use: attached 1 time, by ipk-factory[$HOLD_PID] (--force removes it anyway)" ]]
	run "$IPC_RM" --dry-run --force --kind msg,shm --all
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '^would remove')" -eq 2 ]
	[ "$(refs)" = "$before" ]
}

@test "objects in use are refused, naming who uses them, unless --force" {
	hold sysv-shm attach=1 posix-shm name=/mapped map=1 posix-sem name=/held \
		posix-mq name=/q fifo name=/tmp/ipk-rm-fifo open=r sysv-msg send=1
	mapfile -t held <<<"$HOLD_REFS"
	for ref in "${held[@]}"; do
		run --separate-stderr "$IPC_RM" "$ref"
		[ "$status" -eq 1 ] || { echo "$ref: $status"; false; }
		[[ "$stderr" == "ipc-rm: cannot remove '$ref': in use: "*"(--force removes it anyway)" ]]
		case $ref in
		sysv-msg:*) [[ "$stderr" == *"ipk-factory[$HOLD_PID], its last sender, still runs"* ]] ;;
		sysv-shm:*) [[ "$stderr" == *"attached 1 time, by ipk-factory[$HOLD_PID]"* ]] ;;
		*) [[ "$stderr" == *"held by ipk-factory[$HOLD_PID]"* ]] ;;
		esac
	done
	[ "$(refs | wc -l)" -eq 5 ]
	[ -p /tmp/ipk-rm-fifo ]
	run "$IPC_RM" --force --yes "${held[@]}"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '^removed')" -eq 6 ]
	# an attached segment lives on, keyless, until its last detach
	[ -z "$("$IPC_LS" --kind msg,sem,mq,psem,pshm -o ref --noheadings)" ]
	"$IPC_LS" --kind shm -o status --noheadings | grep -q dest
	[ ! -e /tmp/ipk-rm-fifo ]
}

@test "waiters keep a semaphore, a notification keeps a queue" {
	hold sysv-sem waiter=0 posix-sem name=/w waiter=1 posix-mq name=/n notify=1
	mapfile -t held <<<"$HOLD_REFS"
	run "$IPC_RM" "${held[0]}"
	[[ "$output" == *"in use: 1 process waits on semaphore 0"* ]]
	run "$IPC_RM" "${held[1]}"
	[[ "$output" == *"in use:"* ]]
	run "$IPC_RM" "${held[2]}"
	[[ "$output" == *"in use:"* ]]
	[ "$(refs | wc -l)" -eq 3 ]
	kill "$HOLD_PID"
	wait "$HOLD_PID" || true
	# with the waiter gone, nothing keeps them
	run "$IPC_RM" --yes "${held[@]}"
	[ "$status" -eq 0 ]
	[ -z "$(refs)" ]
}

@test "--yes: every object is checked right before it goes, in use or not" {
	# nothing asks between selection and removal: the checks run once, at removal
	hold sysv-msg receiver=1 sysv-sem waiter=0 sysv-shm attach=1 posix-shm name=/mapped map=1
	"$IPC_MK" msg >/dev/null
	"$IPC_MK" sem --nsems 4 >/dev/null
	"$IPC_MK" shm --size 4096 >/dev/null
	run --separate-stderr "$IPC_RM" --kind msg,sem,shm,pshm --all --yes
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | grep -c '^removed sysv-')" -eq 3 ]
	[ "$(echo "$stderr" | grep -c "in use: .*(--force removes it anyway)")" -eq 4 ]
	[[ "$stderr" == *"waited on by ipk-factory"* ]]
	[[ "$stderr" == *"in use: 1 process waits on semaphore 0"* ]]
	[[ "$stderr" == *"attached 1 time, by ipk-factory[$HOLD_PID]"* ]]
	[[ "$stderr" == *"'posix-shm:/mapped': in use: held by ipk-factory[$HOLD_PID]"* ]]
	[ "$(refs | wc -l)" -eq 4 ]
}

@test "kinds with nothing to remove say so and name their holders" {
	hold pipe eventfd timerfd value=60000 signalfd signals=USR1 memfd name=m \
		unix pair=1 unix path=@ipk-abstract
	mapfile -t fds <<<"$HOLD_REFS"
	for ref in "${fds[@]}"; do
		run --separate-stderr "$IPC_RM" "$ref"
		[ "$status" -eq 1 ] || { echo "$ref: $status"; false; }
		[[ "$stderr" == "ipc-rm: cannot remove '$ref': "*": it goes when these close it: ipk-factory[$HOLD_PID]"* ]] ||
			{ echo "$stderr"; false; }
	done
	run "$IPC_RM" "${fds[0]}"
	[[ "$output" == *"a pipe has no name to remove"* ]]
	run "$IPC_RM" "${fds[6]}"
	[[ "$output" == *"an abstract socket has no file to remove"* ]]
	kill -0 "$HOLD_PID"
}

@test "filters select as ipc-ls's do: --name, --owner, --key, --pid, --orphan" {
	"$IPC_MK" pshm /app.data >/dev/null
	"$IPC_MK" pshm /app.log >/dev/null
	"$IPC_MK" pshm /other >/dev/null
	k=$("$IPC_MK" msg --key 0xabc)
	# a queue whose last sender has exited: an orphan
	mk sysv-msg key=0xdef send=1 >/dev/null
	hold posix-shm name=/held map=1 sysv-shm attach=1
	run "$IPC_RM" --name 'app.*' --yes
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'removed posix-shm:/app.data\nremoved posix-shm:/app.log')" ]
	run "$IPC_RM" --key 0xabc
	[ "$output" = "removed $k" ]
	# --pid selects what it holds; in use, so refused without --force
	run "$IPC_RM" --pid "$HOLD_PID" --yes
	[ "$status" -eq 1 ]
	[ "$(refs --pid "$HOLD_PID" | wc -l)" -eq 2 ]
	# orphans: nothing holds /other or the 0xdef queue (its maker exited)
	run "$IPC_RM" --orphan --yes
	[ "$status" -eq 0 ]
	[[ "$output" == *"removed posix-shm:/other"* ]]
	[[ "$output" == *"removed sysv-msg:"* ]]
	[ "$(refs)" = "$(refs --pid "$HOLD_PID")" ]
	run "$IPC_RM" --owner root --older-than 1d --yes
	[ "$status" -eq 0 ]
	[ "$(refs | wc -l)" -eq 2 ]
	run "$IPC_RM" --name 'nothing-*'
	[ "$status" -eq 0 ]
}

@test "/dev/shm: only regular files; never a directory, a link, a FIFO or a stranger" {
	mkdir /dev/shm/dir
	: >/dev/shm/dir/inner
	"$IPC_MK" pshm /target >/dev/null
	ln -s /dev/shm/target /dev/shm/link
	ln -s /etc/passwd /dev/shm/sem.link
	mkfifo /dev/shm/fifo
	printf 'not a semaphore' >/dev/shm/sem.bogus
	"$IPC_MK" psem /real >/dev/null
	# not objects at all: never listed, never found
	for ref in posix-shm:/dir posix-shm:/link posix-shm:/fifo posix-sem:/link; do
		run "$IPC_RM" "$ref"
		[ "$status" -eq 1 ] || { echo "$ref: $status"; false; }
		[ "$output" = "ipc-rm: cannot remove '$ref': no such object" ]
	done
	# nor is anything inside a directory: a name is one component
	run "$IPC_RM" posix-shm:/dir/inner
	[ "$status" -eq 2 ]
	run "$IPC_RM" posix-sem:/bogus
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a semaphore: 15 bytes"* ]]
	run "$IPC_RM" --kind pshm,psem --all --yes
	[ "$status" -eq 1 ]
	[[ "$output" == *"removed posix-shm:/target"* ]]
	[[ "$output" == *"removed posix-sem:/real"* ]]
	[ -d /dev/shm/dir ] && [ -e /dev/shm/dir/inner ]
	[ -L /dev/shm/link ] && [ -L /dev/shm/sem.link ] && [ -p /dev/shm/fifo ]
	[ -f /dev/shm/sem.bogus ]
	[ -s /etc/passwd ]
}

@test "/dev/shm: a name swapped for a directory or a link after selection is left alone" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	"$IPC_MK" pshm /a >/dev/null
	"$IPC_MK" pshm /b >/dev/null
	"$IPC_MK" pshm /c >/dev/null
	on_tty "$IPC_RM" --kind pshm --all
	rm /dev/shm/a && mkdir /dev/shm/a && : >/dev/shm/a/inner
	: >/tmp/ipk-rm-target
	rm /dev/shm/b && ln -s /tmp/ipk-rm-target /dev/shm/b
	answer y
	[ "$TTY_STATUS" -eq 1 ]
	grep -q "skipped 'posix-shm:/a': gone since it was selected" "$TTY_OUT"
	grep -q "skipped 'posix-shm:/b': gone since it was selected" "$TTY_OUT"
	grep -q "removed posix-shm:/c" "$TTY_OUT"
	[ -e /dev/shm/a/inner ] && [ -L /dev/shm/b ] && [ -e /tmp/ipk-rm-target ]
}

@test "a process that takes hold while ipc-rm waits keeps the object" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	"$IPC_MK" pshm /a >/dev/null
	"$IPC_MK" pshm /b >/dev/null
	on_tty "$IPC_RM" --kind pshm --all
	sleep 300 </dev/shm/a &
	HOLDERS+=("$!")
	sleep 0.1
	answer y
	[ "$TTY_STATUS" -eq 1 ]
	grep -q "cannot remove 'posix-shm:/a': in use: held by sleep\[$!\]" "$TTY_OUT"
	grep -q "removed posix-shm:/b" "$TTY_OUT"
	[ -e /dev/shm/a ]
}

@test "a socket file another network namespace listens on is not taken for stale" {
	out=$BATS_TEST_TMPDIR/netns
	unshare --net "$FACTORY" --hold unix path=/tmp/ipk-rm-netns.sock >"$out" 2>&1 </dev/null 3>&- &
	HOLDERS+=("$!")
	for _ in $(seq 200); do grep -q '^ready' "$out" && break; sleep 0.02; done
	# this network namespace sees no socket bound to it
	"$IPC_LS" unix:/tmp/ipk-rm-netns.sock -o state --noheadings | grep -q unbound
	run "$IPC_RM" unix:/tmp/ipk-rm-netns.sock
	[ "$status" -eq 1 ]
	[[ "$output" == *"in use: a process of another network namespace answers on it"* ]]
	[ -S /tmp/ipk-rm-netns.sock ]
}

@test "filter values that match everything are --all in disguise: refused" {
	"$IPC_MK" pshm /keep >/dev/null
	set -f	# the globs are for ipc-rm, not for the shell
	for args in "--older-than 0" "--older-than 0s" "--min-size 0" "--name *" "--name /*" \
		"--kind pshm --name **"; do
		run "$IPC_RM" $args --yes
		[ "$status" -eq 2 ] || { echo "ipc-rm $args: $status"; false; }
		[[ "$output" == *"matches every object: to mean it, say --kind KINDS --all"* ]]
	done
	[ -e /dev/shm/keep ]
}

@test "other users' objects: permission denied names the owner; nothing else is touched" {
	require_other_user
	mine=$("$IPC_MK" msg --mode 0666)
	"$IPC_MK" pshm /rootfile --mode 0666 >/dev/null
	theirs=$(as_nobody "$IPC_MK" msg)
	as_nobody "$IPC_MK" pshm /nobodyfile >/dev/null
	run --separate-stderr as_nobody "$IPC_RM" "$mine"
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipc-rm: cannot remove '$mine': permission denied (owner root)" ]
	run --separate-stderr as_nobody "$IPC_RM" posix-shm:/rootfile
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipc-rm: cannot remove 'posix-shm:/rootfile': permission denied (owner root)" ]
	# a dry run knows it too
	run --separate-stderr as_nobody "$IPC_RM" --dry-run --kind msg,pshm --all
	[ "$status" -eq 1 ]
	[ "$(lines_of "$output")" -eq 2 ]
	[[ "$stderr" == *"cannot remove '$mine': permission denied (owner root)"* ]]
	# its own go, others' stay, and the run goes on past the failures
	run --separate-stderr as_nobody "$IPC_RM" --kind msg,pshm --all --yes
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'removed %s\nremoved posix-shm:/nobodyfile' "$theirs")" ]
	[ "$(refs | sort)" = "$(printf '%s\nposix-shm:/rootfile' "$mine" | sort)" ]
	# root may remove anyone's
	theirs=$(as_nobody "$IPC_MK" shm --size 4K)
	run "$IPC_RM" "$theirs"
	[ "$status" -eq 0 ]
}

@test "--orphan where processes cannot be read: POSIX objects are not known orphans" {
	require_other_user
	as_nobody "$IPC_MK" pshm /maybe >/dev/null
	shm=$(as_nobody "$IPC_MK" shm --size 4K)
	# nobody cannot read root's processes: one of them could map /maybe
	run --separate-stderr as_nobody "$IPC_RM" --orphan --yes
	[ "$status" -eq 1 ]
	[ "$output" = "removed $shm" ]
	[[ "$stderr" == *"cannot remove 'posix-shm:/maybe': not known to be an orphan: "*" could not be read, and may hold it (--force removes it anyway)"* ]]
	[ -e /dev/shm/maybe ]
	run as_nobody "$IPC_RM" --orphan --force --yes
	[ "$status" -eq 0 ]
	[ ! -e /dev/shm/maybe ]
}

@test "--json: every object, what was done and why" {
	a=$("$IPC_MK" msg)
	hold posix-shm name=/busy map=1
	run --separate-stderr "$IPC_RM" --json --yes "$a" posix-shm:/busy posix-mq:/none pipe:1
	[ "$status" -eq 1 ]
	echo "$output" | jq -e --arg a "$a" '.objects == [
		{"ref": $a, "kind": "sysv-msg", "result": "removed", "reason": null},
		{"ref": "posix-shm:/busy", "kind": "posix-shm", "result": "refused",
		 "reason": (.objects[1].reason)},
		{"ref": "posix-mq:/none", "kind": null, "result": "not-found", "reason": "no such object"},
		{"ref": "pipe:1", "kind": null, "result": "not-found", "reason": "no such object"}]'
	echo "$output" | jq -e '.objects[1].reason | startswith("in use: held by ipk-factory")'
	run "$IPC_RM" --json --dry-run --kind pshm --all --force
	echo "$output" | jq -e '.objects == [{"ref": "posix-shm:/busy", "kind": "posix-shm",
		"result": "would-remove", "reason": null}]'
	[ -e /dev/shm/busy ]
}

@test "--ns PID: objects of another IPC namespace are removed there" {
	require_other_user
	own=$("$IPC_MK" msg --key 0x42)
	inner sysv-msg key=0x42 posix-mq name=/inner
	run "$IPC_RM" --ns "$INNER_PID" --kind msg,mq --all --yes --force
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '^removed')" -eq 2 ]
	[ -z "$("$IPC_LS" --ns "$INNER_PID" --kind msg,mq -o ref --noheadings 2>/dev/null)" ]
	# ours, of the same id and key, is untouched
	[ "$(refs --kind msg)" = "$own" ]
}

@test "--ns all: every object removed in its own namespace, each reported once" {
	require_other_user
	own=$("$IPC_MK" shm --size 4K)
	inner sysv-shm size=8K sysv-msg
	run --separate-stderr "$IPC_RM" --ns all --kind shm,msg --all --yes --force
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(echo "$output" | sort)" = "$(printf '%s\n' "removed $own" "removed sysv-shm:0@ns:$INNER_NS" \
		"removed sysv-msg:0@ns:$INNER_NS" | sort)" ]
	[ -z "$("$IPC_LS" --ns all --kind shm,msg -o ref --noheadings)" ]
}

@test "a REF of another namespace removes that object only, with or without --ns" {
	require_other_user
	own=$("$IPC_MK" shm --size 4K)
	inner sysv-shm size=8K
	run --separate-stderr "$IPC_RM" "sysv-shm:0@ns:$INNER_NS"
	[ "$status" -eq 0 ]
	[ "$output" = "removed sysv-shm:0@ns:$INNER_NS" ]
	[ "$(refs --kind shm)" = "$own" ]
	# a plain REF beside --ns all is ours
	inner sysv-shm size=8K
	run --separate-stderr "$IPC_RM" --ns all "$own"
	[ "$status" -eq 0 ]
	[ -z "$(refs --kind shm)" ]
	[ -n "$("$IPC_LS" --ns all --kind shm -o ref --noheadings)" ]
}

@test "a REF named twice, however typed, is removed and reported once" {
	shm=$(mk sysv-shm)
	mk posix-mq name=/jobs >/dev/null
	id=${shm#*:}
	run --separate-stderr "$IPC_RM" --yes "$shm" "shm:$id" "sysv-shm:0$id" mq:/jobs posix-mq:jobs \
		posix-mq:/jobs
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$output" = "$(printf 'removed %s\nremoved posix-mq:/jobs' "$shm")" ]
	[ -z "$stderr" ]
}

@test "a REF qualified with the namespace looked at is that object, as ipc-ls takes it" {
	own=$("$IPC_MK" shm --size 4K)
	q=$("$IPC_MK" mq /q)
	ns=$(stat -L -c %i /proc/self/ns/ipc)
	[ "$("$IPC_LS" -o ref --noheadings "$own@ns:$ns")" = "$own" ]
	run --separate-stderr "$IPC_RM" --dry-run "$own@ns:$ns"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$output" = "would remove $own" ]
	# named both ways, it is one object: removed once, nothing "gone since"
	run --separate-stderr "$IPC_RM" "$own@ns:$ns" "$own" "$q@ns:$ns" --yes
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(echo "$output" | sort)" = "$(printf 'removed %s\n' "$q" "$own" | sort)" ]
	[ -z "$stderr" ]
	[ -z "$(refs --kind shm,mq)" ]
	# with --ns PID, the namespace of that process
	require_other_user
	inner sysv-shm size=8K
	run --separate-stderr "$IPC_RM" --ns "$INNER_PID" "sysv-shm:0@ns:$INNER_NS"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ -z "$("$IPC_LS" --ns all --kind shm -o ref --noheadings)" ]
}

@test "--ns PID: a refusal there names the owner (a crash before)" {
	require_other_user
	# nobody's queue in another namespace; root without CAP_FOWNER may not unlink it
	local out=$BATS_TEST_TMPDIR/inner
	unshare --ipc setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$FACTORY" --hold posix-mq name=/theirs >"$out" 2>&1 </dev/null 3>&- &
	HOLDERS+=("$!")
	for i in $(seq 200); do grep -q '^ready' "$out" && break; sleep 0.02; done
	pid=$(sed -n 's/^ready //p' "$out")
	run --separate-stderr setpriv --bounding-set=-fowner,-dac_override \
		"$IPC_RM" --ns "$pid" posix-mq:/theirs
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipc-rm: cannot remove 'posix-mq:/theirs': permission denied (owner nobody)" ]
	"$IPC_LS" --ns "$pid" -o ref --noheadings --kind mq | grep -qx 'posix-mq:/theirs'
}

@test "--name '' matches no object: nothing removed, not refused" {
	mk posix-shm name=/x >/dev/null
	mk sysv-shm >/dev/null
	run --separate-stderr "$IPC_RM" --name '' --yes
	[ "$status" -eq 0 ]
	[ "$stderr" = "ipc-rm: nothing matched" ]
	[ "$(refs | wc -l)" -eq 2 ]
	# a pattern of only stars and slashes is still --all in disguise
	run "$IPC_RM" --name '*' --yes
	[ "$status" -eq 2 ]
	[[ "$output" == *"matches every object"* ]]
}
