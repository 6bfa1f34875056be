#!/usr/bin/env bats
# Issue 4: ipc-mk creates every named kind with the attributes asked for,
# opens what exists, refuses what the limits do not allow, and leaves
# nothing half-made.

load helpers

IPC_MK=$BINDIR/ipc-mk

# rec REF FIELD: one field of the object's record, as JSON
rec() {
	"$IPC_LS" -i "$1" --json 2>/dev/null | jq -c ".$2"
}

setup() {
	require_private_ns || return 1
	clean_ns
	SHMMAX=$(cat /proc/sys/kernel/shmmax)
	QUEUES_MAX=$(cat /proc/sys/fs/mqueue/queues_max)
}

teardown() {
	clean_ns
	rm -f /tmp/ipk-mk-*
	echo "$SHMMAX" >/proc/sys/kernel/shmmax
	echo "$QUEUES_MAX" >/proc/sys/fs/mqueue/queues_max
}

@test "every named kind is created with what was asked, and printed as a REF" {
	run "$IPC_MK" sysv-msg --key 0x4d4b --qbytes 4096 --mode 0640
	[ "$status" -eq 0 ]
	msg=$output
	[[ "$msg" =~ ^sysv-msg:[0-9]+$ ]]
	[ "$(rec "$msg" key)" = '"0x00004d4b"' ]
	[ "$(rec "$msg" capacity)" = 4096 ]
	[ "$(rec "$msg" perms)" = '"0640"' ]

	sem=$("$IPC_MK" sem --values 1,0,3)
	[ "$(rec "$sem" value)" = '[1,0,3]' ]
	[ "$(rec "$sem" nsems)" = 3 ]
	sem2=$("$IPC_MK" sem --nsems 2 --value 5)
	[ "$(rec "$sem2" value)" = '[5,5]' ]

	shm=$("$IPC_MK" shm --size 64K --key ftok:/tmp:7)
	[ "$(rec "$shm" size)" = 65536 ]
	# ftok(3): the project id, then the low bits of the device and inode
	dev=$(stat -c %d /tmp) ino=$(stat -c %i /tmp)
	key=$(printf '"0x%08x"' $(((7 << 24) | ((dev & 0xff) << 16) | (ino & 0xffff))))
	[ "$(rec "$shm" key)" = "$key" ]

	mq=$("$IPC_MK" mq /jobs --maxmsg 5 --msgsize 128)
	[ "$mq" = posix-mq:/jobs ]
	[ "$(rec "$mq" maxmsg)" = 5 ]
	[ "$(rec "$mq" msgsize)" = 128 ]

	[ "$("$IPC_MK" psem lock --value 2)" = posix-sem:/lock ]
	[ "$(rec posix-sem:/lock value)" = 2 ]

	[ "$("$IPC_MK" pshm /frame --size 1M)" = posix-shm:/frame ]
	[ "$(rec posix-shm:/frame size)" = 1048576 ]
	[ "$(stat -c %s /dev/shm/frame)" = 1048576 ]

	[ "$("$IPC_MK" fifo /tmp/ipk-mk-fifo)" = fifo:/tmp/ipk-mk-fifo ]
	[ -p /tmp/ipk-mk-fifo ]
	[ "$(rec fifo:/tmp/ipk-mk-fifo perms)" = '"0600"' ]
}

@test "a relative FIFO path is taken from here; modes are exact, whatever the umask" {
	run sh -c 'cd /tmp && "$1" fifo ipk-mk-rel' sh "$IPC_MK"
	[ "$status" -eq 0 ]
	[ "$output" = fifo:/tmp/ipk-mk-rel ]
	[ -p /tmp/ipk-mk-rel ]
	umask 077
	"$IPC_MK" pshm /open --mode 0666
	"$IPC_MK" mq /open --mode 0644
	"$IPC_MK" psem /open --mode 0660
	"$IPC_MK" fifo /tmp/ipk-mk-open --mode 0622
	[ "$(stat -c %a /dev/shm/open)" = 666 ]
	[ "$(rec posix-mq:/open perms)" = '"0644"' ]
	[ "$(stat -c %a /dev/shm/sem.open)" = 660 ]
	[ "$(stat -c %a /tmp/ipk-mk-open)" = 622 ]
	# the default is 0600, not what the umask leaves
	umask 000
	"$IPC_MK" pshm /default
	[ "$(stat -c %a /dev/shm/default)" = 600 ]
}

@test "an existing object is opened unchanged: exit 0, a message; --exclusive fails" {
	first=$("$IPC_MK" msg --key 0x1234 --qbytes 2048)
	run --separate-stderr "$IPC_MK" msg --key 0x1234 --qbytes 8192
	[ "$status" -eq 0 ]
	[ "$output" = "$first" ]
	[ "$stderr" = "ipc-mk: $first exists: opened it, changed nothing" ]
	[ "$(rec "$first" capacity)" = 2048 ]
	run --separate-stderr "$IPC_MK" msg --key 0x1234 --exclusive
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"cannot create 'sysv-msg with key 0x00001234': $first has key 0x00001234 already" ]]

	"$IPC_MK" pshm /here --size 4K
	run --separate-stderr "$IPC_MK" pshm /here --size 1M
	[ "$status" -eq 0 ]
	[ "$stderr" = "ipc-mk: posix-shm:/here exists: opened it, changed nothing" ]
	[ "$(stat -c %s /dev/shm/here)" = 4096 ]
	for kind in "mq /q" "psem /s" "pshm /p" "fifo /tmp/ipk-mk-x"; do
		"$IPC_MK" $kind
		run "$IPC_MK" $kind --exclusive
		[ "$status" -eq 1 ]
		[[ "$output" == *"exists already"* ]]
	done
	# IPC_PRIVATE is always new
	a=$("$IPC_MK" shm --size 4K)
	b=$("$IPC_MK" shm --size 4K --exclusive)
	[ "$a" != "$b" ]
}

@test "a name that is something else is not taken for the object" {
	mkdir /dev/shm/dir
	mkfifo /dev/shm/fifo
	echo data >/tmp/ipk-mk-file
	run timeout 5 "$IPC_MK" pshm /dir
	[ "$status" -eq 1 ]
	[[ "$output" == *"/dev/shm/dir exists and is not a regular file"* ]]
	# a FIFO in /dev/shm would block shm_open: it is never opened
	run timeout 5 "$IPC_MK" pshm /fifo
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a regular file"* ]]
	run "$IPC_MK" fifo /tmp/ipk-mk-file
	[ "$status" -eq 1 ]
	[[ "$output" == *"exists and is not a FIFO"* ]]
	[ "$(cat /tmp/ipk-mk-file)" = data ]
	run "$IPC_MK" pshm /sem.x
	[ "$status" -eq 2 ]
	[[ "$output" == *"named semaphores"* ]]
}

@test "attributes beyond a limit name the limit and where it is set; nothing is made" {
	run "$IPC_MK" mq /big --msgsize 100000
	[ "$status" -eq 2 ]
	[ "$output" = "ipc-mk: cannot create 'posix-mq:/big': msgsize 100000 exceeds fs.mqueue.msgsize_max ($(cat /proc/sys/fs/mqueue/msgsize_max))" ]
	run "$IPC_MK" mq /big --maxmsg 100000
	[[ "$output" == *"maxmsg 100000 exceeds fs.mqueue.msg_max ($(cat /proc/sys/fs/mqueue/msg_max))" ]]
	run "$IPC_MK" msg --qbytes 100M
	[ "$status" -eq 2 ]
	[[ "$output" == *"qbytes 104857600 exceeds kernel.msgmnb ($(cat /proc/sys/kernel/msgmnb))" ]]
	read -r semmsl _ <<<"$(cat /proc/sys/kernel/sem)"
	run "$IPC_MK" sem --nsems $((semmsl + 1))
	[ "$status" -eq 2 ]
	[[ "$output" == *"nsems $((semmsl + 1)) exceeds SEMMSL in kernel.sem ($semmsl)" ]]
	run "$IPC_MK" sem --value 40000
	[[ "$output" == *"value 40000 exceeds SEMVMX (32767)" ]]
	echo 65536 >/proc/sys/kernel/shmmax
	run "$IPC_MK" shm --size 1M
	[ "$status" -eq 2 ]
	[[ "$output" == *"size 1048576 exceeds kernel.shmmax (65536)" ]]
	run "$IPC_MK" mq /zero --maxmsg 0
	[ "$status" -eq 2 ]
	[ -z "$("$IPC_LS" --kind "$NAMED" --noheadings)" ]
}

@test "a step that fails after the object exists takes the object with it" {
	# ftruncate refuses a size beyond off_t: the new file must not stay
	run "$IPC_MK" pshm /huge --size 9E
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot make it"* ]]
	[ ! -e /dev/shm/huge ]
	# the kernel's own refusal after the checks: no room for another queue
	echo 1 >/proc/sys/fs/mqueue/queues_max
	"$IPC_MK" mq /one
	run "$IPC_MK" mq /two
	[ "$status" -eq 1 ]
	[[ "$output" == *"no room for another: fs.mqueue.queues_max (1) queues exist"* ]]
	[ "$("$IPC_LS" --kind mq -o ref --noheadings)" = posix-mq:/one ]
}

@test "bad input: one line naming the object and the reason, exit 2" {
	for args in "" "pipe" "memfd x" "nosuch" "posix-mq" "fifo" "msg extra" \
		"mq /a/b" "mq /x --nsems 2" "shm --size lots" "msg --key nokey" \
		"sem --values 1,x" "sem --values 1,2 --nsems 3" "mq /x --mode 9" \
		"shm" "psem /x --value -1"; do
		run --separate-stderr "$IPC_MK" $args
		[ "$status" -eq 2 ] || { echo "ipc-mk $args: $status"; false; }
		[ "${#stderr_lines[@]}" -eq 1 ] || { echo "ipc-mk $args: $stderr"; false; }
		[[ "$stderr" == ipc-mk:* ]]
		[ -z "$output" ]
	done
	run "$IPC_MK" pipe
	[[ "$output" == *"pipe objects are not made by name"*"ipc-mk makes sysv-msg, sysv-sem, sysv-shm, posix-mq, posix-sem, posix-shm, fifo"* ]]
	run "$IPC_MK" mq /x --nsems 2
	[[ "$output" == *"--nsems does not apply to posix-mq"* ]]
	[ -z "$("$IPC_LS" --kind "$NAMED" --noheadings)" ]
}

@test "--json prints the whole record and whether it was created" {
	run "$IPC_MK" shm --size 8K --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.created == true and (.objects | length) == 1'
	echo "$output" | jq -e '.objects[0] | .kind == "sysv-shm" and .size == 8192 and .nattch == 0'
	"$IPC_MK" mq /j
	run --separate-stderr "$IPC_MK" mq /j --json
	echo "$output" | jq -e '.created == false and .objects[0].ref == "posix-mq:/j"'
}

@test "as another user: objects are that user's; others' are not opened without permission" {
	require_other_user
	run as_nobody "$IPC_MK" pshm /mine --size 4K
	[ "$status" -eq 0 ]
	[ "$(stat -c %u /dev/shm/mine)" = 65534 ]
	ref=$(as_nobody "$IPC_MK" msg --key 0x77)
	[ "$(rec "$ref" uid)" = 65534 ]
	"$IPC_MK" pshm /root-only --mode 0600
	run as_nobody "$IPC_MK" pshm /root-only
	[ "$status" -eq 1 ]
	[[ "$output" == *"it exists, and you may not open it (owner root)"* ]]
	theirs=$("$IPC_MK" msg --key 0x78 --mode 0600)
	run as_nobody "$IPC_MK" msg --key 0x78
	[ "$status" -eq 1 ]
	[[ "$output" == *"$theirs has key 0x00000078, and you may not open it"* ]]
	# a mode without read for the owner is set all the same
	run as_nobody "$IPC_MK" psem /wo --mode 0200
	[ "$status" -eq 0 ]
	[ "$(stat -c %a /dev/shm/sem.wo)" = 200 ]
}

@test "a kind this system lacks is exit 3, not supported here; nothing is made" {
	run --separate-stderr "$DENY" mq_open "$IPC_MK" mq /nomq
	[ "$status" -eq 3 ]
	[ "$stderr" = "ipc-mk: cannot create 'posix-mq:/nomq': function not implemented (not supported here)" ]
	run --separate-stderr "$DENY" shmget "$IPC_MK" shm --size 4K
	[ "$status" -eq 3 ]
	[ "$stderr" = "ipc-mk: cannot create 'sysv-shm': function not implemented (not supported here)" ]
	[ -z "$("$IPC_LS" --kind mq,shm -o ref --noheadings)" ]
}

@test "negative counts, even after blanks, are refused as typed" {
	for args in "sem --nsems -1" "sem --nsems ' -1'" "mq /q --maxmsg ' -1'" \
		"mq /q --maxmsg '	-2'"; do
		run --separate-stderr eval "\"$IPC_MK\" $args"
		[ "$status" -eq 2 ] || { echo "ipc-mk $args: exit $status"; false; }
		[[ "$stderr" == *"is negative"* ]] || { echo "ipc-mk $args: $stderr"; false; }
		[[ "$stderr" != *18446744073709551615* ]]
		[ "$(lines_of "$stderr")" -eq 1 ]
	done
	run --separate-stderr "$IPC_MK" sem --nsems ' -1'
	[ "$stderr" = "ipc-mk: --nsems: ' -1' is negative: a count is 0 or more (see 'ipc-mk --help')" ]
	run "$IPC_MK" mq /q --maxmsg 99999999999999999999
	[ "$status" -eq 2 ]
	[[ "$output" == *"'99999999999999999999' is too large"* ]]
	[ -z "$("$IPC_LS" --kind "$NAMED" --noheadings)" ]
	# a count with a blank before it is still the count
	run "$IPC_MK" sem --nsems ' 2'
	[ "$status" -eq 0 ]
	[ "$(rec "$output" nsems)" = 2 ]
}

@test "--key 0 is IPC_PRIVATE: said so, and --exclusive with it refused" {
	run --separate-stderr "$IPC_MK" shm --size 4K --key 0
	[ "$status" -eq 0 ]
	first=$output
	[[ "$stderr" == "ipc-mk: --key 0 is IPC_PRIVATE: "* ]]
	# a new object every time: nothing found it by its key
	run --separate-stderr "$IPC_MK" shm --size 4K --key 0x0
	[ "$status" -eq 0 ]
	[ "$output" != "$first" ]
	[[ "$stderr" == "ipc-mk: --key 0x0 is IPC_PRIVATE: "* ]]
	[[ "$stderr" != *exists* ]]
	run --separate-stderr "$IPC_MK" msg --key 0 --exclusive
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--key 0 is IPC_PRIVATE"*"--exclusive means nothing"* ]]
	[ "$("$IPC_LS" --kind shm,msg --noheadings -o ref | wc -l)" -eq 2 ]
	# a real key is quiet
	run --separate-stderr "$IPC_MK" shm --size 4K --key 0x10
	[ -z "$stderr" ]
}

@test "an empty NAME or PATH: one line saying so" {
	for kind in fifo posix-mq posix-sem posix-shm; do
		run --separate-stderr "$IPC_MK" "$kind" ''
		[ "$status" -eq 2 ]
		[[ "$stderr" == "ipc-mk: $kind needs a "*": '' is empty (see 'ipc-mk --help')" ]] ||
			{ echo "$kind: $stderr"; false; }
	done
	[ -z "$("$IPC_LS" --kind "$NAMED,fifo" --noheadings)" ]
}

@test "a FIFO path that ends in '/', '.' or '..' names no file: said so, not 'cannot open its directory'" {
	for path in /tmp/ /tmp/x/ / /tmp/. /tmp/..; do
		run --separate-stderr "$IPC_MK" fifo "$path"
		[ "$status" -eq 2 ]
		[ "$stderr" = "ipc-mk: cannot create 'fifo:$path': the path ends in '/', '.' or '..': a FIFO needs a file name last" ] ||
			{ echo "$path: $stderr"; false; }
	done
	run --separate-stderr sh -c 'cd /tmp && exec "$0" fifo ..' "$IPC_MK"
	[ "$stderr" = "ipc-mk: cannot create 'fifo:/tmp/..': the path ends in '/', '.' or '..': a FIFO needs a file name last" ]
	# a directory that is not there is still that
	run --separate-stderr "$IPC_MK" fifo /tmp/nosuch/f
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"cannot open its directory: no such file or directory" ]]
}

@test "posix-shm above ulimit -f: a clear failure and nothing left, not death by SIGXFSZ" {
	run --separate-stderr bash -c 'ulimit -f 1024 && exec "$0" pshm /big --size 2M' "$IPC_MK"
	[ "$status" -eq 1 ] || { echo "exit $status: $stderr"; false; }
	[ -z "$output" ]
	[ "$stderr" = "ipc-mk: cannot create 'posix-shm:/big': cannot make it 2097152 bytes: above the file size limit of 1048576 bytes (RLIMIT_FSIZE, ulimit -f)" ]
	[ -z "$(ls -A /dev/shm)" ]
	# under the limit it is made as asked
	run bash -c 'ulimit -f 1024 && exec "$0" pshm /small --size 512K' "$IPC_MK"
	[ "$status" -eq 0 ]
	[ "$(stat -c %s /dev/shm/small)" -eq 524288 ]
}
