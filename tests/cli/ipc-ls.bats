#!/usr/bin/env bats
# ipc-ls: listing, output modes, -i, --summary, --limits, --tree, filters
# and every error, against real objects in the private namespace.

load helpers

one_of_each() {
	mk sysv-msg send=2 msgsize=10 >/dev/null
	mk sysv-sem nsems=3 values=4,0,9 >/dev/null
	mk sysv-shm size=4096 >/dev/null
	mk posix-mq name=/jobs maxmsg=5 msgsize=128 send=1 len=7 >/dev/null
	mk posix-sem name=/lock value=3 >/dev/null
	mk posix-shm name=/data size=8192 >/dev/null
}

@test "lists every kind, sorted by kind then id" {
	one_of_each
	mk sysv-shm size=1 >/dev/null
	run --separate-stderr "$IPC_LS" --kind $NAMED -o kind,ref --noheadings --raw
	[ "$status" -eq 0 ]
	[ "${lines[0]%% *}" = sysv-msg ]
	[ "${lines[1]%% *}" = sysv-sem ]
	[ "${lines[2]%% *}" = sysv-shm ]
	[ "${lines[3]%% *}" = sysv-shm ]
	[ "${lines[4]}" = "posix-mq posix-mq:/jobs" ]
	[ "${lines[5]}" = "posix-sem posix-sem:/lock" ]
	[ "${lines[6]}" = "posix-shm posix-shm:/data" ]
	[ "${#lines[@]}" -eq 7 ]
	a=$(echo "${lines[2]}" | sed 's/.*://')
	b=$(echo "${lines[3]}" | sed 's/.*://')
	[ "$a" -lt "$b" ]
}

# The table of ipc-ls on a terminal of COLS columns (script(1) gives it one).
on_terminal() {	# COLS ARGS...
	local cols=$1
	shift
	script -qec "stty cols $cols; $IPC_LS $*" /dev/null | tr -d '\r'
}

@test "on a narrow terminal the wide columns are cut to fit, the others kept whole" {
	command -v script >/dev/null || skip "script(1) is not installed"
	export LC_ALL=C.UTF-8
	mk posix-shm name=/a-name-long-enough-to-be-cut-on-a-narrow-terminal size=1 >/dev/null
	mk posix-shm "name=/ünïcödé-名前-also-long-enough-to-be-cut" size=1 >/dev/null
	mk sysv-sem nsems=3 values=4,100,9 >/dev/null
	run on_terminal 200 --kind posix-shm,sysv-sem -o ref,name,size,value
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -L)" -eq 124 ]
	# NAME, the widest column that may be cut, gives up the 44 columns too many
	run on_terminal 80 --kind posix-shm,sysv-sem -o ref,name,size,value
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(echo "$output" | wc -L)" -eq 80 ]
	[ "$(echo "${lines[0]}" | tr -s ' ')" = "REF NAME SIZE VALUE" ]
	echo "$output" | grep -E '^sysv-sem:[0-9]+ +- +- +4,100,9$'
	# a cut cell ends in a mark, in the column it gave up
	echo "$output" | grep -E '^posix-shm:/a-name-long-enough-to-be-cut-on-a-narrow-terminal /a-na… +1B +-$'
	echo "$output" | grep -E '^posix-shm:/ünïcödé-名前-also-long-enough-to-be-cut +/ünïc… +1B +-$'
	# narrower: NAME is down to its header, and VALUE is cut too, never shown
	# as another value ("4,100" for "4,100,9")
	run on_terminal 50 --kind posix-shm,sysv-sem -o ref,name,size,value
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^sysv-sem:[0-9]+ +- +- 4,10…$'
	echo "$output" | grep -E '^posix-shm:/a-name-long-enough-to-be-cut-on-a-narrow-terminal /a-… +1B +-$'
	# where the locale has no "…", the mark is "~"
	LC_ALL=C run on_terminal 50 --kind sysv-sem -o ref,name,size,value
	[ "$status" -eq 0 ]
	echo "${lines[1]}" | grep -E '^sysv-sem:[0-9]+ +- +- +4,100,9$'
	LC_ALL=C run on_terminal 16 --kind sysv-sem -o ref,value
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^sysv-sem:[0-9]+ +4,10~$'
	# a cut ends at no escape's middle: "/\x~" would read as a backslash in the name
	LC_ALL=C run on_terminal 50 --kind posix-shm -o ref,name,size
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^posix-shm:/\\xc3\\xbcn\\xc3.* /~ +1B$'
	LC_ALL=C run on_terminal 13 --kind posix-shm -o name,size
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^/\\xc3~ +1B$'
}

@test "off a terminal nothing is cut: a last column whole, a right-aligned one aligned" {
	long=/$(printf 'n%.0s' $(seq 200))
	mk posix-shm "name=$long" size=1 >/dev/null
	mk posix-shm name=/s size=123456 >/dev/null
	# NAME last: each cell whole, right after the one before, no blanks after it
	run --separate-stderr "$IPC_LS" --kind posix-shm -o size,name
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "  SIZE NAME" ]
	[ "${lines[1]}" = "    1B $long" ]
	[ "${lines[2]}" = "120.6K /s" ]
	# SIZE last, aligned right: the header and both cells end in one column
	run --separate-stderr "$IPC_LS" --kind posix-shm -o name,size
	[ "$status" -eq 0 ]
	[ "${#lines[0]}" -eq 208 ] && [ "${#lines[1]}" -eq 208 ] && [ "${#lines[2]}" -eq 208 ]
	[ "${lines[0]: -4}" = SIZE ] && [ "${lines[1]: -2}" = 1B ] && [ "${lines[2]: -6}" = 120.6K ]
}

@test "default columns fit a mixed list" {
	one_of_each
	run --separate-stderr "$IPC_LS" --kind $NAMED
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | tr -s ' ')" = "REF KEY OWNER PERMS SIZE MSGS VALUE NATTCH CTIME STATUS HOLDERS" ]
	echo "$output" | grep -E '^sysv-sem:[0-9]+ +0x[0-9a-f]{8} +root +rw------- .* 4,0,9 '
	echo "$output" | grep -E '^posix-mq:/jobs +- +root .* 7B +1 '
}

@test "-o picks columns, +COLS adds to the default" {
	mk sysv-shm size=4096 mode=0640 >/dev/null
	run --separate-stderr "$IPC_LS" --kind $NAMED -o ref,size,perms
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | tr -s ' ')" = "REF SIZE PERMS" ]
	[ "$(echo "${lines[1]}" | tr -s ' ' | cut -d' ' -f2-)" = "4K rw-r-----" ]
	run --separate-stderr "$IPC_LS" --kind $NAMED -o +uid,cuid
	[ "$(echo "${lines[0]}" | tr -s ' ')" = "REF KEY OWNER PERMS SIZE MSGS VALUE NATTCH CTIME STATUS HOLDERS UID CUID" ]
	run --separate-stderr "$IPC_LS" --kind $NAMED -o msgs,MESSAGES
	[ "$(echo "${lines[0]}" | tr -s ' ')" = "MSGS MSGS" ]
}

@test "--json is typed and carries the whole record" {
	one_of_each
	run --separate-stderr "$IPC_LS" --kind $NAMED --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.objects | length == 6'
	# every record field of DESIGN.md, null where it does not apply
	echo "$output" | jq -e '[.objects[] | has("kind", "ref", "id", "key", "name", "owner",
		"uid", "group", "gid", "cuid", "cgid", "perms", "size", "capacity", "messages",
		"maxmsg", "msgsize", "value", "nattch", "holders", "cpid", "lpid", "ctime",
		"atime", "dtime", "status", "ns")] | all'
	echo "$output" | jq -e '.objects[] | select(.kind == "sysv-sem") | .value == [4, 0, 9]'
	echo "$output" | jq -e '.objects[] | select(.kind == "sysv-msg") |
		(.size == 20) and (.messages == 2) and (.capacity | type == "number")'
	echo "$output" | jq -e '.objects[] | select(.kind == "posix-mq") |
		.maxmsg == 5 and .msgsize == 128 and .capacity == 640 and .size == 7 and .messages == 1'
	echo "$output" | jq -e '.objects[] | select(.kind == "posix-sem") | .value == 3'
	echo "$output" | jq -e '[.objects[] | .perms | test("^0[0-7]{3}$")] | all'
	echo "$output" | jq -e '[.objects[] | .ctime | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")] | all'
	echo "$output" | jq -e '[.objects[] | select(.kind | startswith("sysv")) |
		(.key | test("^0x[0-9a-f]{8}$")) and (.id | type == "number")] | all'
	echo "$output" | jq -e '[.objects[] | select(.kind | startswith("posix")) | .id == null and .key == null] | all'
	echo "$output" | jq -e '[.objects[] | .status | type == "array"] | all'
	echo "$output" | jq -e '[.objects[] | .ns | type == "number"] | all'
}

@test "--json -o gives exactly those fields" {
	mk sysv-shm size=4096 >/dev/null
	run --separate-stderr "$IPC_LS" --kind shm --json -o ref,size,perms
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.objects[0] | keys == ["perms", "ref", "size"]'
	echo "$output" | jq -e '.objects[0].size == 4096'
}

@test "--json with nothing matched is an empty array" {
	run "$IPC_LS" --json --kind shm
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.objects == []'
}

@test "--raw, --noheadings and --pairs" {
	mk sysv-shm size=100000 mode=0600 >/dev/null
	run --separate-stderr "$IPC_LS" --kind shm --raw -o ref,size,value
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "REF SIZE VALUE" ]
	[[ "${lines[1]}" =~ ^sysv-shm:[0-9]+\ 97.7K\ -$ ]]
	run --separate-stderr "$IPC_LS" --kind shm --noheadings -o size
	[ "${#lines[@]}" -eq 1 ]
	run --separate-stderr "$IPC_LS" --kind shm --pairs -o ref,size,value,status
	# its creator, the factory, has exited: nothing uses it
	[[ "$output" =~ ^REF=\"sysv-shm:[0-9]+\"\ SIZE=\"97.7K\"\ VALUE=\"\"\ STATUS=\"orphan,gone\"$ ]]
	eval "$output"
	[ "$SIZE" = 97.7K ]
}

@test "--bytes, --numeric-perms and --time-format" {
	id=$(mk sysv-shm size=100000 mode=0640 | cut -d: -f2)
	run --separate-stderr "$IPC_LS" --kind shm --bytes --numeric-perms -o size,perms --noheadings --raw
	[ "$output" = "100000 0640" ]
	run --separate-stderr "$IPC_LS" --kind shm --time-format epoch -o ctime --noheadings
	want=$(awk -v id="$id" '$2 == id { print $14 }' /proc/sysvipc/shm)
	[ "$(echo "$output" | tr -d ' ')" = "$want" ]
	run --separate-stderr "$IPC_LS" --kind shm --time-format iso -o ctime --noheadings
	[[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{4}$ ]]
	run --separate-stderr "$IPC_LS" --kind shm --time-format relative -o ctime --noheadings
	[[ "$output" =~ ^[0-9]+s\ ago$ ]]
	run --separate-stderr "$IPC_LS" --kind shm --time-format full -o ctime --noheadings
	[[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:]{8}$ ]]
}

@test "-i shows the whole record, per semaphore too" {
	hold sysv-sem nsems=3 values=4,0,9 waiter=1
	ref=$HOLD_REFS
	id=${ref#sysv-sem:}
	for i in $(seq 100); do
		[ "$(awk '/ncount/ {f=1; next} f && $1 == 1 {print $3}' <(ipcs -s -i "$id"))" = 1 ] && break
		sleep 0.02
	done
	run --separate-stderr "$IPC_LS" -i "$ref"
	[ "$status" -eq 0 ]
	echo "$output" | grep -x "KIND: *sysv-sem"
	echo "$output" | grep -x "REF: *$ref"
	echo "$output" | grep -x "VALUE: *4,0,9"
	echo "$output" | grep -x "NSEMS: *3"
	echo "$output" | grep -x "SEMNCNT: *0,1,0"
	echo "$output" | grep -x "SEMZCNT: *0,0,0"
	echo "$output" | grep -E "^SEMPID: *[0-9]+,[0-9]+,[0-9]+$"
	# only the fields of the kind: no MSGS line for a semaphore
	! echo "$output" | grep -q '^MSGS:' || false
}

@test "-i --json is the listed object plus its detail" {
	one_of_each
	for ref in $("$IPC_LS" -o ref --noheadings --kind $NAMED); do
		run --separate-stderr "$IPC_LS" -i "$ref" --json
		[ "$status" -eq 0 ]
		one=$output
		listed=$("$IPC_LS" --json --kind $NAMED | jq -c --arg r "$ref" '.objects[] | select(.ref == $r)')
		# every key of the listed object has the same value in -i
		jq -e -n --argjson a "$listed" --argjson b "$one" \
			'$a | to_entries | map(.key as $k | .value == $b[$k]) | all'
	done
	run --separate-stderr "$IPC_LS" -i "$("$IPC_LS" -o ref --noheadings --kind sem)" --json
	echo "$output" | jq -e '.semncnt == [0, 0, 0] and .semzcnt == [0, 0, 0] and (.sempid | length == 3)'
}

@test "the costly fields (rss, swap): left out of a listing, read where asked for" {
	ref=$(mk sysv-shm size=8192)
	"$IPC_LS" --json --kind shm | jq -e '.objects[0] | has("rss") or has("swap") | not'
	# and reads no /proc/sysvipc/shm for them (SHM_STAT_ANY has the rest)
	! strace -f -e trace=openat "$IPC_LS" --json --kind shm 2>&1 >/dev/null | grep -q sysvipc/shm || false
	"$IPC_LS" --json -o ref,rss,swap --kind shm | jq -e '.objects[0] | .rss == 0 and .swap == 0'
	"$IPC_LS" -i "$ref" --json | jq -e 'has("rss") and has("swap")'
}

@test "--summary counts objects and bytes per kind" {
	mk sysv-shm size=4096 >/dev/null
	mk sysv-shm size=8192 >/dev/null
	mk posix-shm name=/a size=1000 >/dev/null
	run --separate-stderr "$IPC_LS" --summary --bytes
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^sysv-shm +2 +12288 '
	echo "$output" | grep -E '^posix-shm +1 +1000 '
	echo "$output" | grep -E '^sysv-msg +0 +0 '
	run --separate-stderr "$IPC_LS" --summary --json --kind shm,sem
	echo "$output" | jq -e '.summary | length == 2'
	echo "$output" | jq -e '.summary[] | select(.kind == "sysv-shm") | .count == 2 and .size == 12288'
	echo "$output" | jq -e '.summary[] | select(.kind == "sysv-sem") | .size == null'
}

@test "--limits shows limits, use and percent" {
	mk sysv-shm >/dev/null
	mk sysv-shm >/dev/null
	echo 100 >/proc/sys/kernel/shmmni
	mk posix-mq name=/q1 >/dev/null
	run "$IPC_LS" --limits
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^SHMMNI +number of shared memory segments +100 +2 +2.00% +count +kernel.shmmni$'
	echo "$output" | grep -E '^MQ_QUEUES .* 1 '
	run "$IPC_LS" --limits --json
	echo "$output" | jq -e '.limits[] | select(.resource == "SHMMNI") |
		.limit == 100 and .used == 2 and .use_percent == 2 and .source == "kernel.shmmni"'
	echo "$output" | jq -e '.limits[] | select(.resource == "MQ_MSGSIZEDEFAULT") | .limit | type == "number"'
	echo "$output" | jq -e '.limits[] | select(.resource == "MQ_BYTES") | .source | test("RLIMIT_MSGQUEUE")'
	echo "$output" | jq -e '[.limits[].resource] | index("MQ_MSGDEFAULT") != null'
}

@test "--tree groups objects by kind, then owner" {
	require_other_user
	mk sysv-shm >/dev/null
	mk sysv-shm >/dev/null
	as_nobody "$FACTORY" sysv-shm >/dev/null
	mk posix-shm name=/p >/dev/null
	run --separate-stderr "$IPC_LS" --kind $NAMED --tree --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.tree | length == 2'
	echo "$output" | jq -e '.tree[0].name == "sysv-shm" and .tree[0].count == 3'
	echo "$output" | jq -e '.tree[0].children | map(.count) | sort == [1, 2]'
	echo "$output" | jq -e '[.tree[0].children[] | .name] | sort == ["nobody", "root"]'
	echo "$output" | jq -e '.tree[1].children[0].children[0].ref == "posix-shm:/p"'
	run --separate-stderr "$IPC_LS" --kind $NAMED --tree
	echo "$output" | grep -E '^sysv-shm +3'
	echo "$output" | grep -E '^posix-shm +1'
}

@test "-o is checked in every mode: an unknown or empty column is exit 2, before anything is read" {
	ref=$("$FACTORY" sysv-shm size=4096)
	for mode in "" "--tree" "--json" "-i $ref" "--format prometheus" "--summary" "--limits"; do
		for cols in NOSUCH REF,NOSUCH; do
			# shellcheck disable=SC2086
			run --separate-stderr "$IPC_LS" $mode -o "$cols"
			[ "$status" -eq 2 ] || { echo "$mode -o $cols: exit $status"; false; }
			[ -z "$output" ]
			[ "$stderr" = "ipc-ls: unknown column 'NOSUCH' (see 'ipc-ls --help')" ]
		done
		# shellcheck disable=SC2086
		run --separate-stderr "$IPC_LS" $mode -o ''
		[ "$status" -eq 2 ] || { echo "$mode -o '': exit $status"; false; }
		[ "$stderr" = "ipc-ls: no columns given to --output (see 'ipc-ls --help')" ]
		for cols in REF,,KIND REF, ,REF; do
			# shellcheck disable=SC2086
			run --separate-stderr "$IPC_LS" $mode -o "$cols"
			[ "$status" -eq 2 ] || { echo "$mode -o $cols: exit $status"; false; }
			[ -z "$output" ]
			[ "$stderr" = "ipc-ls: malformed --output '$cols': an empty column name (see 'ipc-ls --help')" ]
		done
	done
	run --separate-stderr "$IPC_LS" -o +
	[ "$status" -eq 2 ]
	# a column that exists selects nothing where the mode shows its own
	for mode in "-i $ref" "--format prometheus" "--summary" "--limits"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$IPC_LS" $mode -o REF
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == "ipc-ls: -o chooses the columns of a listing: "* ]]
	done
	run --separate-stderr "$IPC_LS" -o ref,kind --noheadings --kind shm
	[ "$status" -eq 0 ]
	[ "$output" = "$ref sysv-shm" ]
}

@test "unknown kind or column, malformed REF: one line, exit 2" {
	run "$IPC_LS" --kind bogus
	[ "$status" -eq 2 ]
	[ "$(lines_of "$output")" -eq 1 ]
	[[ "$output" == "ipc-ls: unknown kind 'bogus'"* ]]
	run "$IPC_LS" -o REF,NOPE
	[ "$status" -eq 2 ]
	[[ "$output" == "ipc-ls: unknown column 'NOPE'"* ]]
	run "$IPC_LS" -i sysv-shm:abc
	[ "$status" -eq 2 ]
	[[ "$output" == "ipc-ls: malformed REF 'sysv-shm:abc'"* ]]
	run "$IPC_LS" -i 12
	[ "$status" -eq 2 ]
	run "$IPC_LS" -i bogus:1
	[ "$status" -eq 2 ]
	[[ "$output" == "ipc-ls: unknown kind in 'bogus:1'"* ]]
	run "$IPC_LS" --time-format yesterday
	[ "$status" -eq 2 ]
	run "$IPC_LS" --no-such-option
	[ "$status" -eq 2 ]
	[ "$(lines_of "$output")" -eq 1 ]
	run "$IPC_LS" --summary --limits
	[ "$status" -eq 2 ]
	for bad in "--older-than 3x" "--min-size lots" "--key 0xnope" "--owner no-such-user-ipckit"; do
		run "$IPC_LS" $bad
		[ "$status" -eq 2 ]
		[ "$(lines_of "$output")" -eq 1 ]
	done
}

@test "a REF that does not exist: message, exit 1" {
	run "$IPC_LS" -i sysv-shm:123456
	[ "$status" -eq 1 ]
	[ "$output" = "ipc-ls: 'sysv-shm:123456': no such object" ]
	run "$IPC_LS" -i posix-mq:/nothing
	[ "$status" -eq 1 ]
	# positional REFs list just those; a missing one fails the run
	ref=$(mk sysv-shm)
	run --separate-stderr "$IPC_LS" -o ref --noheadings "$ref" posix-shm:/missing
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "ipc-ls: 'posix-shm:/missing': no such object" ]
	[ "$output" = "$ref" ]
}

@test "a filter that matches nothing prints nothing, exit 0" {
	mk sysv-shm >/dev/null
	run "$IPC_LS" --kind mq
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run "$IPC_LS" --name 'zzz*'
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "filters: owner, name, key, size, age" {
	require_other_user
	mk sysv-shm key=0x1234 size=4096 >/dev/null
	mk sysv-shm size=2M >/dev/null
	as_nobody "$FACTORY" posix-shm name=/nob >/dev/null
	mk posix-shm name=/jobs-a >/dev/null
	mk posix-mq name=/jobs-b >/dev/null
	count() { "$IPC_LS" --noheadings -o ref "$@" 2>/dev/null | grep -c . || true; }
	[ "$(count --owner nobody)" -eq 1 ]
	[ "$(count --owner 65534)" -eq 1 ]
	[ "$(count --owner root --kind $NAMED)" -eq 4 ]
	[ "$(count --name 'jobs*')" -eq 2 ]
	[ "$(count --name '/jobs-?' --kind mq)" -eq 1 ]
	[ "$(count --key 0x1234)" -eq 1 ]
	[ "$(count --key 4660)" -eq 1 ]
	[ "$(count --min-size 1M --kind $NAMED)" -eq 1 ]
	[ "$(count --kind shm,pshm)" -eq 4 ]
	[ "$(count --older-than 1h --kind $NAMED)" -eq 0 ]
	touch -d '2020-01-01' /dev/shm/jobs-a
	# ctime is the inode change time: touch makes it now, so still young
	[ "$(count --older-than 1d --kind $NAMED)" -eq 0 ]
	# the frozen copy has objects from 2020
	[ "$(count --sysroot tests/fixtures/basic --older-than 1d --kind shm)" -eq 3 ]
}

@test "ftok keys: the key of PATH and PROJ" {
	touch "$BATS_TEST_TMPDIR/keyfile"
	ref=$(mk sysv-msg key="ftok:$BATS_TEST_TMPDIR/keyfile:0x41")
	mk sysv-msg key=0x41 >/dev/null
	run --separate-stderr "$IPC_LS" --noheadings -o ref --key "ftok:$BATS_TEST_TMPDIR/keyfile:0x41"
	[ "$status" -eq 0 ]
	[ "$output" = "$ref" ]
	run "$IPC_LS" --key "ftok:/no/such/file:1"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no such file or directory"* ]]
}

@test "/dev/shm: only regular files are objects; links, dirs, fifos are not" {
	mk posix-shm name=/real >/dev/null
	mk posix-sem name=/realsem value=1 >/dev/null
	mkdir /dev/shm/adir
	touch /dev/shm/adir/inside
	ln -s /etc/passwd /dev/shm/link
	ln -s sem.realsem /dev/shm/sem.alias
	mkfifo /dev/shm/fifo /dev/shm/sem.fifo
	# a device node too, where this user may make one
	mknod /dev/shm/null c 1 3 2>/dev/null || true
	run --separate-stderr timeout 10 "$IPC_LS" -o ref --noheadings --kind pshm,psem
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'posix-sem:/realsem\nposix-shm:/real')" ]
	run timeout 10 "$IPC_LS" -i posix-shm:/link
	[ "$status" -eq 1 ]
	run timeout 10 "$IPC_LS" -i posix-sem:/fifo
	[ "$status" -eq 1 ]
}

@test "a listing creates nothing and opens nothing read-write" {
	command -v strace >/dev/null || skip "strace is not installed"
	one_of_each
	log=$BATS_TEST_TMPDIR/strace
	# LeakSanitizer cannot run under ptrace
	export ASAN_OPTIONS=detect_leaks=0
	strace -f -qq -o "$log" -e trace=open,openat,openat2,shmget,msgget,semget,mq_open,shmat \
		"$IPC_LS" --json >/dev/null
	strace -f -qq -o "$log.i" -e trace=open,openat,openat2,shmget,msgget,semget,mq_open,shmat \
		"$IPC_LS" -i "$("$IPC_LS" -o ref --noheadings --kind sem)" >/dev/null
	strace -f -qq -o "$log.l" -e trace=open,openat,openat2,shmget,msgget,semget,mq_open,shmat \
		"$IPC_LS" --limits >/dev/null
	cat "$log" "$log.i" "$log.l" >"$log.all"
	! grep -E 'O_(RDWR|WRONLY|CREAT|TRUNC)' "$log.all" || false
	! grep -E '(shmget|msgget|semget|mq_open|shmat)\(' "$log.all" || false
	grep -q 'openat' "$log.all"
}

@test "another user's unreadable objects show 'no access', never vanish" {
	require_other_user
	mk sysv-sem nsems=2 values=5,6 mode=0600 >/dev/null
	mk posix-sem name=/private value=2 mode=0600 >/dev/null
	mk posix-mq name=/private mode=0600 >/dev/null
	mk sysv-shm mode=0600 >/dev/null
	run --separate-stderr as_nobody "$IPC_LS" --kind $NAMED -o ref,value,msgs --noheadings
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^sysv-sem:[0-9]+ +no access +-$'
	echo "$output" | grep -E '^posix-sem:/private +no access +-$'
	echo "$output" | grep -E '^posix-mq:/private +- +no access$'
	[ "$(echo "$output" | grep -c .)" -eq 4 ]
	run --separate-stderr as_nobody "$IPC_LS" --kind $NAMED --json
	echo "$output" | jq -e '.objects[] | select(.kind == "sysv-sem") | .value == null and .no_access == ["value"]'
	echo "$output" | jq -e '.objects[] | select(.kind == "posix-mq") | .no_access | index("maxmsg") != null'
	run --separate-stderr as_nobody "$IPC_LS" -i "$("$IPC_LS" -o ref --noheadings --kind sem)"
	[ "$status" -eq 0 ]
	echo "$output" | grep -x 'VALUE: *no access'
	echo "$output" | grep -x 'SEMNCNT: *no access'
}

@test "POSIX queues are listed even where no mqueue filesystem is mounted" {
	[ -z "${IPCKIT_USERNS:-}" ] || skip "needs real root to compare with an unprivileged user"
	mk posix-mq name=/hidden >/dev/null
	run --separate-stderr unshare --mount sh -c "umount '$IPCKIT_TEST_MQUEUE' && '$IPC_LS' -o ref --noheadings --kind mq"
	[ "$status" -eq 0 ]
	[ "$output" = "posix-mq:/hidden" ]
	# without privilege there is no way to see them: say so, exit 1
	run unshare --mount sh -c "umount '$IPCKIT_TEST_MQUEUE' && setpriv --reuid=65534 --regid=65534 --clear-groups '$IPC_LS' --kind mq"
	[ "$status" -eq 1 ]
	[[ "$output" == *"mount -t mqueue"* ]]
}

@test "a reader that goes away early is not an error" {
	for i in $(seq 50); do mk sysv-shm >/dev/null; done
	run bash -c "set -o pipefail; '$IPC_LS' 2>/dev/null | head -1"
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | awk '{print $1}')" = REF ]
}

@test "a full disk is an error" {
	[ -w /dev/full ] || skip "no /dev/full"
	mk sysv-shm >/dev/null
	run "$IPC_LS" --json
	[ "$status" -eq 0 ]
	run sh -c "'$IPC_LS' --json --kind shm >/dev/full"
	[ "$status" -eq 1 ]
	[[ "$output" == *"ipc-ls: cannot write to standard output: no space left on device" ]]
}

@test "--sysroot and IPCKIT_SYSROOT read frozen copies" {
	run "$IPC_LS" --sysroot tests/fixtures/basic -o ref --noheadings --kind shm
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	IPCKIT_SYSROOT=tests/fixtures/basic run "$IPC_LS" -o ref --noheadings --kind mq
	[ "$output" = "$(printf 'posix-mq:/idle\nposix-mq:/jobs')" ]
}

@test "--help lists every option, -V the version" {
	run "$IPC_LS" --help
	[ "$status" -eq 0 ]
	for opt in --id --summary --limits --tree --output --json --raw --noheadings --pairs \
		--bytes --numeric-perms --time-format --kind --owner --name --key --older-than \
		--min-size --help --version; do
		echo "$output" | grep -q -- "$opt"
	done
	run "$IPC_LS" -V
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^ipc-ls\ \(ipckit\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "a REF named twice is listed once, however it was typed" {
	shm=$(mk sysv-shm)
	mk posix-mq name=/jobs >/dev/null
	run --separate-stderr "$IPC_LS" -o ref --noheadings "$shm" "$shm" mq:/jobs posix-mq:/jobs \
		posix-mq:jobs
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\nposix-mq:/jobs' "$shm")" ]
	run "$IPC_LS" --json "$shm" "$shm"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.objects | length == 1'
}

@test "filters with REFs, -o with --summary or --limits: refused, not ignored" {
	shm=$(mk sysv-shm)
	for args in "--kind msg $shm" "--owner nobody $shm" "--orphan -i $shm" "--name x -i $shm" \
		"--min-size 1G $shm" "--limits --kind shm" "--summary -o REF" "--limits -o SIZE"; do
		run --separate-stderr "$IPC_LS" $args
		[ "$status" -eq 2 ] || { echo "ipc-ls $args: exit $status: $output"; false; }
		[ -z "$output" ]
		[ "$(lines_of "$stderr")" -eq 1 ]
		[[ "$stderr" == "ipc-ls: "*"(see 'ipc-ls --help')" ]]
	done
	# --ns is where to look, not a filter; --summary takes filters
	run "$IPC_LS" --ns "$$" -o ref --noheadings "$shm"
	[ "$status" -eq 0 ]
	[ "$output" = "$shm" ]
	run "$IPC_LS" --summary --kind shm --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.summary == [{"kind": "sysv-shm", "count": 1, "size": 4096,
		"description": .summary[0].description}]'
}
