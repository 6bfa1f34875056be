#!/usr/bin/env bats
# ipc-top as a user sees it: driven in tmux, read with capture-pane.

load helpers

# the REF of the object under the cursor: the first line of the detail pane
selected_ref() {
	screen | awk '/Detail \(Esc closes\)/ { getline; print $1; exit }'
}

# until the cursor is on REF
wait_selected() {
	local i
	for i in $(seq 40); do
		[ "$(selected_ref)" = "$1" ] && return 0
		sleep 0.1
	done
	echo "the cursor is on '$(selected_ref)', not on '$1'" >&2
	screen >&2
	return 1
}

@test "rows: every object of the named kinds, the meters and the counts" {
	sem=$(mk sysv-sem nsems=3)
	mq=$(mk posix-mq name=/jobs)
	shm=$(mk sysv-shm size=8192)
	top_start -- --kind "$NAMED" -d 3
	wait_screen "$sem"
	screen | grep -q "$mq"
	screen | grep -q "$shm"
	# the header: limits from the library, used/limit; objects per kind
	screen | grep -Eq 'SEMMNI +\[\|* *1/[0-9]+\]'
	screen | grep -Eq 'MQ_QUEUES +\[\|* *1/[0-9]+\]'
	screen | grep -q 'sysv-sem 1  sysv-shm 1  posix-mq 1'
	# ipc-ls's columns, and the rates
	screen | grep -Eq '^  REF +KEY +OWNER +PERMS +SIZE +MSGS +VALUE +NATTCH +CTIME +STATUS +HOLDERS +MSG/S +OPS/S'
	# -o chooses them
	top_stop
	top_start -- --kind "$NAMED" -o REF,NSEMS,OPS/S
	wait_screen '^  REF +NSEMS +OPS/S *$'
	screen | grep -Eq "^  $sem +3 +0.0"
}

@test "sorting: F6 by a column, I inverts, a click on a header sorts" {
	mk posix-shm name=/mid size=20K
	mk posix-shm name=/big size=300K
	mk posix-shm name=/small size=1K
	top_start -- --kind posix-shm -o REF,SIZE
	wait_screen 'posix-shm:/small'
	[ "$(refs_shown posix-shm | paste -sd' ')" = "posix-shm:/big posix-shm:/mid posix-shm:/small" ]
	keys F6
	wait_screen 'Sort by'
	type_text SIZE
	keys Enter
	wait_screen 'sort: SIZE'
	[ "$(refs_shown posix-shm | paste -sd' ')" = "posix-shm:/small posix-shm:/mid posix-shm:/big" ]
	keys I
	wait_screen 'sort: SIZE \(inverted\)'
	[ "$(refs_shown posix-shm | paste -sd' ')" = "posix-shm:/big posix-shm:/mid posix-shm:/small" ]
	# < goes back to ipc-ls's order, > to the column again
	keys '<'
	wait_screen 'sort: REF'
	keys '<'
	wait_gone 'sort: '
	[ "$(refs_shown posix-shm | paste -sd' ')" = "posix-shm:/big posix-shm:/mid posix-shm:/small" ]
	keys '>' '>'
	wait_screen 'sort: SIZE'
}

@test "filter: typed live, Enter keeps it, Esc clears it; u and p filter owner and holder" {
	mk posix-mq name=/jobs
	mk posix-mq name=/mail
	hold posix-sem name=/held
	top_start -- --kind "$NAMED"
	wait_screen 'posix-mq:/mail'
	keys F4
	type_text jo
	wait_gone 'posix-mq:/mail'
	screen | grep -q 'posix-mq:/jobs'
	keys Enter
	wait_screen 'filter: jo'
	screen | grep -q 'posix-mq:/jobs'
	! screen | grep -q 'posix-mq:/mail' || false
	# the filter matches holder names too
	keys '\'
	keys C-u
	type_text ipk-factory
	wait_gone 'posix-mq:/jobs'
	screen | grep -q 'posix-sem:/held'
	keys Escape
	wait_screen 'posix-mq:/mail'
	screen | grep -q 'posix-mq:/jobs'
	# p: objects of one holder pid
	keys p
	type_text "$HOLD_PID"
	keys Enter
	wait_gone 'posix-mq:/jobs'
	screen | grep -q 'posix-sem:/held'
	keys p Enter
	wait_screen 'posix-mq:/jobs'
	# u: of one owner
	keys u
	type_text nobody-such-user
	keys Enter
	wait_screen "no user 'nobody-such-user'"
}

@test "search: jumps to the next match" {
	mk posix-mq name=/a1
	mk posix-mq name=/b1
	mk posix-mq name=/a2
	top_start NO_COLOR=1 -- --kind posix-mq
	wait_screen 'posix-mq:/b1'
	keys Enter
	wait_selected posix-mq:/a1
	keys /
	type_text b
	wait_selected posix-mq:/b1
	keys C-u
	type_text a
	wait_selected posix-mq:/a1
	keys F3
	wait_selected posix-mq:/a2
	keys F3
	wait_selected posix-mq:/a1
	keys Enter
	wait_gone 'Search \(F3'
	wait_selected posix-mq:/a1
	# F3 again: the same search, on from the cursor
	keys F3
	wait_screen 'Search \(F3 next, Enter keeps\): a'
	keys F3
	wait_selected posix-mq:/a2
	keys Enter
	wait_gone 'Search \(F3'
	wait_selected posix-mq:/a2
}

@test "detail pane: the whole record, holders with fd and mode, semaphore bars, queue depth" {
	sem=$(mk sysv-sem nsems=3 values=4,0,2)
	top_start -- --kind sysv-sem
	wait_screen "$sem"
	keys Enter
	wait_screen 'Detail \(Esc closes\)'
	screen | grep -Eq 'SEMNCNT +0,0,0'
	screen | grep -Eq 'SEMPID +[0-9]+,[0-9]+,[0-9]+'
	screen | grep -Eq 'sem 0 +\[\|{20,}\] 4'
	screen | grep -Eq 'sem 1 +\[ +\] 0'
	screen | grep -Eq 'sem 2 +\[\|+ +\] 2'
	keys Escape
	wait_gone 'Detail'
	top_stop
	# a queue: its holders and its depth over the last minute
	hold posix-mq name=/q send=3
	top_start -- --kind posix-mq -d 2
	wait_screen 'posix-mq:/q'
	keys Enter
	wait_screen 'DEPTH \(last [0-9]+s, max 3\)'
	screen | grep -Eq "ipk-factory +pid $HOLD_PID +fd [0-9]+ +(rw|r|w|-)"
	screen | grep -Eq 'MAXMSG +4'
}

@test "change highlight: a changed cell is highlighted, new rows marked, removed rows shown once" {
	# the cursor on /a, not on the row that changes
	mk posix-shm name=/a size=1K
	mk posix-shm name=/grow size=1K
	top_start -- --kind posix-shm -o REF,SIZE -d 3
	wait_screen 'posix-shm:/grow'
	# not highlighted before the change
	! screen -e | grep 'posix-shm:/grow' | grep -qF $'\e[30m\e[43m' || false
	truncate -s 8K /dev/shm/grow
	for i in $(seq 30); do screen -e | grep 'posix-shm:/grow' | grep -q $'\e\[[0-9;]*43m *8K' && break; sleep 0.1; done
	screen -e | grep 'posix-shm:/grow' | grep -q $'\e\[[0-9;]*43m *8K'
	# without colours: bold and underlined
	top_stop
	top_start NO_COLOR=1 -- --kind posix-shm -o REF,SIZE -d 3
	wait_screen 'posix-shm:/grow'
	truncate -s 16K /dev/shm/grow
	for i in $(seq 30); do screen -e | grep 'posix-shm:/grow' | grep -q $'\e\[1;4m *16K' && break; sleep 0.1; done
	screen -e | grep 'posix-shm:/grow' | grep -q $'\e\[1;4m *16K'
	# no colour at all: tmux's own resets to the default (39, 49) are not colours
	! screen -e | grep -Eq $'\e\\[([0-9]+;)*[34][0-8](;[0-9]+)*m' || false
	# a new row is marked +, a removed one - for one refresh
	mk posix-shm name=/new
	wait_screen '^\+ +posix-shm:/new'
	rm /dev/shm/new
	wait_screen '^- +posix-shm:/new'
	wait_gone 'posix-shm:/new'
}

@test "stable selection: the cursor stays on its object, or the next one when it went" {
	for n in a b c d; do mk posix-mq name=/$n >/dev/null; done
	top_start NO_COLOR=1 -- --kind posix-mq -d 2
	wait_screen 'posix-mq:/d'
	keys Enter Down Down
	wait_selected posix-mq:/c
	# one before it goes: the cursor stays on /c
	"$IPC_RM" posix-mq:/a
	wait_gone 'posix-mq:/a ' 40
	wait_selected posix-mq:/c
	# its own object goes: the next one
	"$IPC_RM" posix-mq:/c
	wait_gone 'posix-mq:/c ' 40
	wait_selected posix-mq:/d
}

@test "remove: refused while in use, holders named; ! and a typed yes force it" {
	hold sysv-shm attach=1
	ref=$HOLD_REFS
	top_start -- --kind sysv-shm
	wait_screen "$ref"
	keys F9
	wait_screen "cannot remove '$ref': .*ipk-factory\[$HOLD_PID\].*\(! forces it\)"
	"$IPC_LS" -i "$ref" >/dev/null
	# ! asks again: anything but yes keeps it
	keys '!'
	wait_screen 'type yes to remove it anyway'
	type_text no
	keys Enter
	wait_screen 'nothing removed'
	"$IPC_LS" -i "$ref" >/dev/null
	keys F9
	wait_screen '! forces it'
	keys '!'
	wait_screen 'type yes'
	type_text yes
	keys Enter
	wait_screen "removed $ref"
	# attached still, it is marked for removal (dest) until the last detach
	run "$IPC_LS" --noheadings -o STATUS "$ref"
	[[ "$output" == *dest* ]] || [ "$status" -ne 0 ]
}

@test "remove: confirmed with y, anything else cancels; tagged objects go together" {
	mk posix-mq name=/old
	mk posix-mq name=/t1
	mk posix-mq name=/t2
	top_start -- --kind posix-mq
	wait_screen 'posix-mq:/t2'
	keys k
	wait_screen 'Remove posix-mq:/old\? \[y/N\]'
	keys n
	wait_screen 'nothing removed'
	"$IPC_LS" -i posix-mq:/old >/dev/null
	keys k
	wait_screen 'Remove posix-mq:/old\?'
	keys y
	wait_screen 'removed posix-mq:/old'
	run "$IPC_LS" -i posix-mq:/old
	[ "$status" -eq 1 ]
	wait_gone 'posix-mq:/old '
	# Space tags (and moves down), F9 removes every tagged one
	keys Home Space Space
	wait_screen '^\* +posix-mq:/t2'
	keys F9
	wait_screen 'Remove 2 objects'
	keys y
	wait_screen 'removed 2 objects'
	[ -z "$("$IPC_LS" --noheadings --kind posix-mq)" ]
}

@test "--readonly greys every key that changes objects" {
	mk posix-mq name=/keep
	top_start -- --kind posix-mq --readonly
	wait_screen 'posix-mq:/keep'
	screen | grep -q 'read-only'
	# F9 in the footer is dim
	screen -e | tail -1 | grep -Eq $'\e\\[2m(\e\\[[0-9;]*m)*F9Remove'
	! screen -e | tail -1 | grep -Eq $'\e\\[2m(\e\\[[0-9;]*m)*F1Help' || false
	for k in F9 k + - s r c; do
		keys "$k"
		wait_screen "read-only \(--readonly\)"
	done
	"$IPC_LS" -i posix-mq:/keep >/dev/null
	[ "$("$IPC_LS" --noheadings -o MSGS posix-mq:/keep | tr -d ' ')" = 0 ]
}

@test "actions: post and wait, send and receive, create, each behind a prompt" {
	sem=$(mk sysv-sem nsems=2)
	top_start -- --kind sysv-sem,posix-mq -d 3
	wait_screen "$sem"
	keys +
	wait_screen "Post to which semaphore of $sem \(0-1\)"
	type_text 1
	keys Enter
	wait_screen "posted to $sem \(semaphore 1\)"
	[ "$("$IPC_LS" --noheadings -o VALUE "$sem" | tr -d ' ')" = 0,1 ]
	keys -
	type_text 0
	keys Enter
	wait_screen "cannot wait on '$sem': semaphore 0 is 0: a wait would block"
	# c: ipc-mk's dialog; the cursor goes to what it made
	keys c
	wait_screen 'Create: KIND'
	type_text 'posix-mq /made maxmsg=5'
	keys Enter
	wait_screen 'created posix-mq:/made'
	[ "$("$IPC_LS" --noheadings -o MAXMSG posix-mq:/made | tr -d ' ')" = 5 ]
	# the cursor goes to the new object once it is listed
	wait_screen '^  posix-mq:/made'
	keys s
	wait_screen 'Message to posix-mq:/made'
	type_text 'hello there'
	keys Enter
	wait_screen 'Priority \[0\]'
	type_text 3
	keys Enter
	wait_screen 'sent 11 bytes to posix-mq:/made \(priority 3\)'
	[ "$("$IPC_LS" --noheadings -o MSGS posix-mq:/made | tr -d ' ')" = 1 ]
	keys r
	wait_screen 'Take the first message of posix-mq:/made\?'
	keys y
	wait_screen 'RECEIVED from posix-mq:/made \(priority 3, 11 bytes\): hello there'
	[ "$("$IPC_LS" --noheadings -o MSGS posix-mq:/made | tr -d ' ')" = 0 ]
	keys r y
	wait_screen "cannot receive from 'posix-mq:/made': the queue is empty"
}

@test "views and trees: Tab, digits, t and T" {
	mk sysv-sem >/dev/null
	hold posix-mq name=/h
	top_start -- --kind "$NAMED"
	wait_screen 'posix-mq:/h'
	keys Tab
	wait_screen 'view: sysv-msg'
	keys 3
	wait_screen 'view: sysv-sem'
	screen | grep -q 'sysv-sem:'
	! screen | grep -q 'posix-mq:/h' || false
	keys 1 t
	wait_screen 'tree: kind/owner'
	screen | grep -Eq '^  sysv-sem \(1\)'
	screen | grep -Eq '(├─|└─) root \(1\)'
	keys T
	wait_screen 'tree: holders'
	screen | grep -Eq "^  ipk-factory\[$HOLD_PID\] \(1\)"
	screen | grep -Eq '^  \(held by no process\)'
}

@test "views: Tab and the digits go over the kinds --kind shows, no other" {
	mk posix-shm name=/v size=1K >/dev/null
	mk posix-mq name=/v >/dev/null
	top_start -- --kind posix-mq,posix-shm
	wait_screen 'posix-shm:/v'
	# the two kinds in the registry's order, then every kind again
	first=$("$IPC_LS" --complete=kinds | awk '$1 == "posix-mq" || $1 == "posix-shm" { print $1; exit }')
	keys Tab
	wait_screen "view: $first"
	keys Tab
	wait_screen 'view: posix-'
	! screen | grep -q "view: $first" || false
	keys Tab
	wait_screen 'view: all'
	keys 3
	wait_screen 'view: posix-'
	keys 4
	wait_screen 'no view 4: 3 views'
	keys BTab
	wait_screen "view: $first"
}

@test "setup: a saved inverted order goes with its column, not with --sort-key" {
	mk posix-shm name=/small size=1K >/dev/null
	mk posix-shm name=/big size=300K >/dev/null
	mkdir -p "$BATS_TEST_TMPDIR/config/ipckit"
	printf 'sort=REF\nsort_inverted=1\n' >"$BATS_TEST_TMPDIR/config/ipckit/ipc-top.conf"
	top_start -- --kind posix-shm -o REF,SIZE
	wait_screen 'sort: REF \(inverted\)'
	top_stop
	top_start -- --kind posix-shm -o REF,SIZE --sort-key SIZE
	wait_screen 'sort: SIZE'
	! screen | grep -q 'inverted' || false
	[ "$(refs_shown posix-shm | paste -sd' ')" = "posix-shm:/small posix-shm:/big" ]
}

@test "escaped names: control characters are shown, never sent to the terminal" {
	printf 'x' >"/dev/shm/evil$(printf '\033')[31mred"
	top_start NO_COLOR=1 -- --kind posix-shm
	wait_screen 'posix-shm:/evil'
	screen | grep -qF 'posix-shm:/evil\x1b[31mred'
	! screen -e | grep -q $'\e\\[31m' || false
}

@test "a name with an escape byte and a backslash is escaped once: its row, prompts, the message received" {
	"$IPC_MK" posix-mq $'/q\e[31m\\b' >/dev/null
	"$IPC_MK" posix-mq /qb >/dev/null
	top_start NO_COLOR=1 -- --kind posix-mq
	shown='posix-mq:/q\\x1b\[31m\\x5cb'
	wait_screen "$shown "
	# the filter takes a name as it is shown
	keys F4
	type_text '\x5cb'
	wait_screen 'Esc clears\): \\x5cb'
	wait_gone 'posix-mq:/qb'
	screen | grep -qE "$shown "
	keys Enter
	wait_screen 'filter: \\x5cb'
	keys F4 Escape
	wait_screen 'posix-mq:/qb'
	keys Home
	keys s
	wait_screen "Message to $shown"
	type_text hi
	keys Enter
	wait_screen 'Priority \[0\]'
	keys Enter
	wait_screen "sent 2 bytes to $shown \(priority 0\)"
	keys r
	wait_screen "Take the first message of $shown\?"
	keys y
	wait_screen "RECEIVED from $shown \(priority 0, 2 bytes\): hi"
	! screen -e | grep -q $'\e\\[31m' || false
	keys k
	wait_screen "Remove $shown\? \[y/N\]"
	keys y
	wait_screen "removed $shown"
	[ "$("$IPC_LS" --noheadings -o ref --kind posix-mq)" = posix-mq:/qb ]
}

@test "a value too long for its column ends in a mark, never reads as another value" {
	mk sysv-sem nsems=40 values=$(seq -s, 100 140 | cut -d, -f1-40) >/dev/null
	top_start -- --kind sysv-sem
	wait_screen 'sysv-sem:'
	row=$(screen | grep 'sysv-sem:')
	# VALUE is cut to its column: the part shown is the array's start, then "…"
	echo "$row" | grep -qE ' 100,101,102,[0-9,]*…'
	! echo "$row" | grep -q '139' || false
}

@test "a name cut to its column ends at no escape's middle" {
	# four names, an escape's four bytes apart: one at least is cut in each of them
	local p
	for p in '' a ab abc; do
		printf 'x' >"/dev/shm/$p$(printf '\001%.0s' $(seq 60))"
	done
	top_start NO_COLOR=1 -- --kind posix-shm
	wait_screen 'posix-shm:/abc'
	[ "$(screen | grep -c 'posix-shm:/')" -eq 4 ]
	# the part shown is whole escapes, then the mark: "\x0…" would be another name
	! screen | grep -F 'posix-shm:/' | grep -vE 'posix-shm:/[abc]*(\\x01)+… ' || false
}

@test "resize: the screen is drawn again to the new size" {
	mk posix-mq name=/r >/dev/null
	top_start -- --kind posix-mq
	wait_screen 'posix-mq:/r'
	tmux -S "$TMUX_SOCK" resize-window -x 80 -y 20
	sleep 0.5
	wait_screen 'F10Quit'
	# columns, not bytes: what is cut ends in a 3-byte "…"
	[ "$(screen | LC_ALL=C.UTF-8 wc -L)" -le 80 ]
	screen | grep -q 'posix-mq:/r'
	tmux -S "$TMUX_SOCK" resize-window -x 200 -y 50
	wait_screen 'MQ_BYTES'
	[ "$(screen | wc -l)" -eq 50 ]
}

@test "quit: q, F10, SIGTERM, SIGINT and SIGHUP restore the terminal and exit 0" {
	for how in q F10 TERM C-c HUP; do
		top_start
		case $how in
		q | F10 | C-c) keys "$how" ;;
		*) kill -"$how" "$(top_pid)" ;;
		esac
		wait_exit
		[ "$status" -eq 0 ] || { echo "$how: exit $status"; false; }
		# the terminal's modes as they were: canonical, echoing
		grep -Eq '(^| )icanon( |$)' "$TOP_STTY"
		grep -Eq '(^| )echo( |$)' "$TOP_STTY"
		top_stop
	done
}

@test "-n N exits after N refreshes; --batch prints them as text" {
	mk posix-mq name=/b >/dev/null
	top_start -- -d 1 -n 3
	wait_exit 30
	[ "$status" -eq 0 ]
	run "$IPC_TOP" --batch -n 2 -d 1 --kind posix-mq
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '^ipc-top - ')" -eq 2 ]
	[ "$(echo "$output" | grep -c '^posix-mq:/b ')" -eq 2 ]
	echo "$output" | grep -q 'MQ_QUEUES 1/'
	# no terminal, no --batch: a usage error, the terminal untouched
	run "$IPC_TOP" </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == "ipc-top: the screen needs a terminal: --batch prints text" ]]
	run "$IPC_TOP" -o NOPE --batch
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown column 'NOPE'"* ]]
}

@test "setup: columns chosen on F2 are saved and read at the next start" {
	mk posix-mq name=/s >/dev/null
	top_start -- --kind posix-mq
	wait_screen 'posix-mq:/s'
	keys F2
	wait_screen 'Setup:'
	# item 2 is the first column shown (REF), item 3 KEY: hide KEY
	keys Down Down Down Space Escape
	wait_screen 'setup saved in'
	grep -qx 'columns=REF,OWNER,PERMS,SIZE,MSGS,VALUE,NATTCH,CTIME,STATUS,HOLDERS,MSG/S,OPS/S' \
		"$BATS_TEST_TMPDIR/config/ipckit/ipc-top.conf"
	top_stop
	top_start -- --kind posix-mq
	wait_screen '^  REF +OWNER +PERMS'
}

@test "help: every key of the table, with its text" {
	top_start
	keys F1
	wait_screen 'ipc-top keys'
	"$IPC_TOP" --complete=keys | head -20 | while IFS=$'\t' read -r k help; do
		screen | grep -qF -- "$help" || { echo "help lacks $k"; false; }
	done
	keys q
	wait_screen 'F10Quit'
}

@test "--scenario runs ipc-scenario run --slow and shows its objects and actors" {
	top_start -- --scenario tests/scenario/paced.yaml --slow 20 --kind "$NAMED" -d 3
	wait_screen 'scenario tests/scenario/paced.yaml \(pid [0-9]+\)'
	wait_screen '^. +posix-sem:/paced-gate' 100
	# its actors, as holders: the tree of holders shows each with what it holds
	keys T
	wait_screen '^  [^ ]+\[[0-9]+\] \([0-9]+\)'
	keys q
	wait_exit
	# nothing of it is left behind: the scenario was stopped and cleaned up
	for i in $(seq 50); do [ -z "$("$IPC_LS" --noheadings --kind "$NAMED")" ] && break; sleep 0.1; done
	[ -z "$("$IPC_LS" --noheadings --kind "$NAMED")" ]
}

@test "ASCII line drawing where the locale is not UTF-8" {
	mk sysv-sem >/dev/null
	hold posix-mq name=/q send=2
	top_start LANG=C LC_ALL=C -- --kind "$NAMED" -t -d 3
	wait_screen 'tree: kind/owner'
	screen | grep -Eq '(\|-|`-) root \(1\)'
	! screen | grep -q '├' || false
	keys End Enter
	wait_screen 'DEPTH \(last'
	screen | grep -A1 'DEPTH' | tail -1 | grep -Eq '  [_.:=+*#-]+ *$'
}

@test "a user other than root finds the keys that change others' objects greyed" {
	require_other_user
	mk posix-mq name=/roots >/dev/null
	chmod 755 "$BATS_TEST_TMPDIR"
	top_start -- --kind posix-mq
	top_stop
	TMUX_SOCK=$BATS_TEST_TMPDIR/tmux-nobody.sock
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 150 -y 45 \
		"setpriv --reuid=65534 --regid=65534 --clear-groups env LANG=C.UTF-8 HOME=/nonexistent $IPC_TOP --kind posix-mq; sleep 600"
	wait_screen 'posix-mq:/roots'
	screen -e | tail -1 | grep -Eq $'\e\\[2m(\e\\[[0-9;]*m)*F9Remove'
	keys F9
	wait_screen 'F9 k: not yours \(owner uid 0\)'
	"$IPC_LS" -i posix-mq:/roots >/dev/null
}

@test "meters: red past 90% of a limit; --ns all shows every namespace's objects" {
	# this namespace's own limit: two queues, both used
	echo 2 >/proc/sys/fs/mqueue/queues_max
	mk posix-mq name=/m1 >/dev/null
	mk posix-mq name=/m2 >/dev/null
	top_start -- --kind posix-mq
	wait_screen 'MQ_QUEUES +\[\|+ *2/2\]'
	screen -e | grep 'MQ_QUEUES' | grep -q $'\e\\[31m|'
	! screen -e | grep 'MSGMNI' | grep -q $'\e\\[31m|' || false
	top_stop
	inner sysv-sem
	run "$IPC_TOP" --batch -n 1 --ns all --kind sysv-sem
	[ "$status" -eq 0 ]
	echo "$output" | grep -Eq "^sysv-sem:[0-9]+@ns:$INNER_NS .* $INNER_NS\$"
}

@test "mouse: a click on a header sorts (again: inverts), on a row selects, on the footer presses; the wheel moves" {
	mk posix-shm name=/mid size=20K
	mk posix-shm name=/big size=300K
	mk posix-shm name=/small size=1K
	top_start -- --kind posix-shm -o REF,SIZE
	wait_screen 'posix-shm:/small'
	y=$(row_of '^  REF')
	x=$(screen | grep '^  REF' | awk '{ print index($0, "SIZE") }')
	mouse "$x" "$y"
	wait_screen 'sort: SIZE$'
	[ "$(refs_shown posix-shm | paste -sd' ')" = "posix-shm:/small posix-shm:/mid posix-shm:/big" ]
	mouse "$x" "$y"
	wait_screen 'sort: SIZE \(inverted\)'
	# a click on a row: the cursor there (the detail pane says which)
	keys Enter
	wait_selected posix-shm:/big
	mouse 5 "$(row_of '^  posix-shm:/small')"
	wait_selected posix-shm:/small
	# the wheel: up three rows, to the first
	mouse 5 "$(row_of '^  posix-shm:/mid')" 64
	wait_selected posix-shm:/big
	mouse 5 "$(row_of '^  posix-shm:/mid')" 65
	wait_selected posix-shm:/small
	# F1 of the footer
	mouse 3 "$TOP_H"
	wait_screen 'ipc-top keys'
}
