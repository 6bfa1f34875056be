#!/usr/bin/env bats
# The output of ipc-ls, byte for byte, against goldens made by an earlier
# build on the same objects: JSON, tables, CSV, raw, pairs, trees and -i.
# Changes that only make the output faster must leave these files alone;
# a change of the output itself is a change of tests/fixtures/golden/ in
# the same commit, where a reviewer sees it.
#
# Two sets of objects:
#   - a frozen /proc, /dev/shm and /dev/mqueue (--sysroot): every byte is
#     fixed, times and pids included, nothing is normalised;
#   - live objects of every kind ipc-ls lists, made by ipk-factory with
#     pinned SysV ids: what the kernel alone decides (times, pids, pipe and
#     socket inodes, the namespace inode, the eventfd id) is replaced by a
#     placeholder, in output without alignment only (JSON, CSV, -i); the
#     live table shows the columns the kernel does not vary.
#
# GOLDEN_UPDATE=1 writes the goldens instead of comparing (then review
# and commit the difference).

load helpers

GOLDEN=tests/fixtures/golden

# golden NAME: compares standard input with $GOLDEN/NAME.
golden() {
	local got=$BATS_TEST_TMPDIR/$1
	cat >"$got"
	if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
		cp "$got" "$GOLDEN/$1"
		return 0
	fi
	diff -u "$GOLDEN/$1" "$got"
}

# A frozen system: tests/fixtures/basic and procs in one root, the owners
# uid 0 (user names differ between machines) and the files' times fixed.
sysroot() {
	ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$ROOT/dev"
	# the POSIX files' inodes: a fresh tmpfs numbers its files in the order
	# they are made, where the shared /tmp numbers them from anywhere
	mount -t tmpfs -o mode=0755 ipckit-golden "$ROOT/dev"
	(cd tests/fixtures/basic && find . -mindepth 1 -maxdepth 1 ! -name dev -exec cp -a {} "$ROOT/" \;)
	local f src
	while IFS= read -r f; do
		src=tests/fixtures/basic/$f
		if [ -d "$src" ] && [ ! -L "$src" ]; then
			mkdir "$ROOT/$f"
			chmod --reference="$src" "$ROOT/$f"
		else
			cp -a "$src" "$ROOT/$f"
		fi
	done < <(cd tests/fixtures/basic && find dev -mindepth 1 | LC_ALL=C sort)
	cp -a tests/fixtures/procs/proc/. "$ROOT/proc/"
	sed -i -E 's/\b(1000|100)\b/0/g' "$ROOT"/proc/sysvipc/*
	T0=$(date +%s)
	find "$ROOT/dev" -exec touch -h -d @1700000900 {} +
}

# The status-change times of the copied files are now: normalised.
sysroot_times() {
	local script=$BATS_TEST_TMPDIR/times.sed in=$BATS_TEST_TMPDIR/times.in
	cat >"$in"	# all of it first: the times end when the output does
	times >"$script"
	sed -E -f "$script" "$in"
}

teardown() {
	umount "$BATS_TEST_TMPDIR/root/dev" 2>/dev/null || true
	clean_ns
}

ls_all() {
	"$IPC_LS" "$@" 2>&1
}

@test "golden: a frozen system, every output form" {
	sysroot
	export TZ=UTC LC_ALL=C.UTF-8
	cols=$("$IPC_LS" --complete=columns | paste -sd, -)
	ls_all --sysroot "$ROOT" --json | sysroot_times | golden sysroot.json
	ls_all --sysroot "$ROOT" -o "$cols" --json | sysroot_times | golden sysroot-cols.json
	ls_all --sysroot "$ROOT" | sysroot_times | golden sysroot.table
	ls_all --sysroot "$ROOT" -o "$cols" | sysroot_times | golden sysroot-cols.table
	ls_all --sysroot "$ROOT" -o "$cols" --csv | sysroot_times | golden sysroot.csv
	ls_all --sysroot "$ROOT" -o "$cols" --raw -b --numeric-perms --time-format iso |
		sysroot_times | golden sysroot.raw
	ls_all --sysroot "$ROOT" -P --time-format full | sysroot_times | golden sysroot.pairs
	ls_all --sysroot "$ROOT" --tree | sysroot_times | golden sysroot.tree
	ls_all --sysroot "$ROOT" --tree --json | sysroot_times | golden sysroot-tree.json
	ls_all --sysroot "$ROOT" --summary | sysroot_times | golden sysroot.summary
	for ref in $("$IPC_LS" --sysroot "$ROOT" -o ref --noheadings 2>/dev/null); do
		echo "== $ref"
		ls_all --sysroot "$ROOT" -i "$ref"
		ls_all --sysroot "$ROOT" -i "$ref" --json
	done | sysroot_times | golden sysroot.records
}

# Objects of every kind ipc-ls lists: the named ones as ipc-mk makes them,
# the fd kinds held by one process.  SysV ids pinned by *_next_id.
live_objects() {
	local k
	for k in msg sem shm; do
		[ -w /proc/sys/kernel/${k}_next_id ] ||
			skip "kernel.${k}_next_id is not writable here"
	done
	T0=$(date +%s)
	echo 7 >/proc/sys/kernel/msg_next_id
	mk sysv-msg key=0x1001 mode=0640 send=3 msgsize=10 >/dev/null
	echo 40000 >/proc/sys/kernel/msg_next_id
	mk sysv-msg key=0 mode=0666 >/dev/null
	echo 3 >/proc/sys/kernel/sem_next_id
	mk sysv-sem key=0x1002 nsems=3 values=1,0,3 >/dev/null
	echo 5 >/proc/sys/kernel/sem_next_id
	mk sysv-sem key=0x1003 mode=0444 nsems=1 >/dev/null
	echo 9 >/proc/sys/kernel/shm_next_id
	mk sysv-shm key=0x1004 size=8192 >/dev/null
	echo 32779 >/proc/sys/kernel/shm_next_id
	mk sysv-shm key=0 size=100 mode=0640 >/dev/null
	mk posix-mq name=/jobs maxmsg=4 msgsize=64 send=2 >/dev/null
	mk posix-mq name=/idle mode=0644 >/dev/null
	mk posix-sem name=/lock value=2 >/dev/null
	mk posix-sem name=/zero mode=0640 value=0 >/dev/null
	mk posix-shm name=/data size=5000 >/dev/null
	mk posix-shm name=/empty mode=0604 size=0 >/dev/null
	echo 11 >/proc/sys/kernel/shm_next_id
	hold sysv-shm key=0x1005 size=4096 attach=1 \
		sysv-shm key=0x1006 size=4096 attach=1 rmid=1 \
		posix-shm name=/held size=100 map=1 \
		posix-mq name=/notified notify=1 \
		pipe data=10 fifo name=/tmp/golden.fifo \
		unix pair=1 data=abc unix path=/tmp/golden.sock \
		eventfd value=3 eventfd value=1 semaphore=1 \
		timerfd signalfd signals=USR1,RTMIN \
		memfd name=golden size=4096 seals=shrink,grow
}

# Each second from T0 to now in every form the outputs use, replaced by a
# placeholder of the same length (tables stay aligned): sed commands.  Up
# to now, since reading a POSIX semaphore moves its atime.
times() {
	local t now hm
	now=$(date +%s)
	# every full form first: the short ones must not bite into them
	for ((t = T0; t <= now; t++)); do
		printf 's/%s/YYYY-MM-DDTHH:MM:SSZ/g\n' "$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)"
		printf 's/%s/YYYY-MM-DD HH:MM:SS/g\n' "$(date -d "@$t" '+%Y-%m-%d %H:%M:%S')"
		printf 's/%s/YYYY-MM-DDTHH:MM:SS+ZZZZ/g\n' "$(date -d "@$t" +%Y-%m-%dT%H:%M:%S%z | sed 's/+/\\+/')"
		printf 's/\\b%s\\b/EPOCH-SECS/g\n' "$t"
	done
	# the short form of today (HH:MM) and of this year (Dec02); HH:MM on its
	# own only, not the minutes and seconds of a frozen 22:15:00 at 15:00
	# (twice: two in a row share the separator between them)
	for ((t = T0; t <= now; t++)); do
		hm=$(date -d "@$t" +%H:%M)
		printf 's/(^|[^:0-9])%s([^:0-9]|$)/\\1HH:MM\\2/g\n' "$hm" "$hm"
		printf 's/\\b%s\\b/MonDD/g\n' "$(date -d "@$t" +%b%d)"
	done
}

# What the kernel alone decides, replaced by placeholders: each time of the
# run in every form the outputs use, the namespace inode, the holder's pid,
# pids of the creators, the inodes of pipes, sockets, memfds and queues
# (those of /dev/shm's fresh tmpfs are fixed), eventfd ids.  The
# CSV leaves out the pid and inode columns instead: it has no keys.
normalise() {
	local script=$BATS_TEST_TMPDIR/normalise.sed in=$BATS_TEST_TMPDIR/normalise.in ns ino
	cat >"$in"	# all of it first: the times end when the output does
	ns=$(stat -L -c %i /proc/self/ns/ipc)
	: >"$script"
	times >"$script"
	printf 's/\\b%s\\b/NS/g\n' "$ns" >>"$script"
	printf 's/\\b%s\\b/PID/g\n' "$HOLD_PID" >>"$script"
	# the FIFO's inode on /tmp, which the test files share
	ino=$(stat -c %i /tmp/golden.fifo)
	printf 's/("inode": |INODE: +)%s\\b/\\1FIFO-INODE/\n' "$ino" >>"$script"
	for ino in $("$IPC_LS" -o inode,peer --noheadings --raw --kind pipe,unix,memfd,posix-mq \
		     2>/dev/null | grep -oE '[0-9]+' | sort -un); do
		printf 's/(:|"inode": |INODE: +)%s\\b/\\1INODE/g\n' "$ino" >>"$script"
	done
	cat >>"$script" <<-'EOF'
	s/"(cpid|lpid|lspid|lrpid|notify_pid)": [0-9]+/"\1": N/g
	s/^(CPID|LPID|LSPID|LRPID|NOTIFY_PID):( +)[0-9]+$/\1:\2N/
	s/"sempid": \[[0-9, ]*\]/"sempid": [N]/g
	s/^SEMPID:( +).*/SEMPID:\1N/
	s/eventfd:[0-9]+/eventfd:ID/g
	EOF
	sed -E -f "$script" "$in"
}

@test "golden: live objects of every kind, every output form" {
	live_objects
	export TZ=UTC LC_ALL=C.UTF-8
	cols=$("$IPC_LS" --complete=columns | grep -vxE 'CPID|LPID|LSPID|LRPID|NOTIFY_PID|INODE' |
	       paste -sd, -)
	ls_all --json --pid "$HOLD_PID" | normalise | golden live-held.json
	ls_all --json --kind "$NAMED" | normalise | golden live-named.json
	ls_all --csv -o "$cols" --pid "$HOLD_PID" | normalise | golden live-held.csv
	ls_all --csv -o "$cols" --kind "$NAMED" | normalise | golden live-named.csv
	ls_all -o ref,key,owner,perms,size,capacity,messages,value,nattch,ctime,status \
		--kind "$NAMED" | normalise | golden live-named.table
	ls_all -o ref,key,id,uid,perms,size,capacity,messages,maxmsg,msgsize,value,nattch,status \
		--kind "$NAMED" --raw -b --numeric-perms | golden live-named.raw
	for ref in $("$IPC_LS" -o ref --noheadings --pid "$HOLD_PID" 2>/dev/null) \
		   $("$IPC_LS" -o ref --noheadings --kind "$NAMED" 2>/dev/null); do
		echo "== $ref"
		ls_all -i "$ref"
		ls_all -i "$ref" --json
	done | normalise | golden live.records
}
