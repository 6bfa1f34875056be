#!/usr/bin/env bats
# Names are input: another user may plant an object whose name moves the
# cursor, erases a line, changes colours or displays as another name.  No
# output of any command sends one to the terminal raw, and no name, however
# long or odd, breaks a listing.

load helpers

# A name that erases the line above it and returns the cursor: \e[1A \e[2K \r
ERASE=$'\e[1A\e[2K\r'

@test "ipc-ls -i escapes the REF, the name and holders' command names" {
	: >"/dev/shm/evil${ERASE}x"
	run --separate-stderr "$IPC_LS" -i "posix-shm:/evil${ERASE}x"
	[ "$status" -eq 0 ]
	[[ "$output" == *'REF:'*'posix-shm:/evil\x1b[1A\x1b[2K\x0dx'* ]]
	[[ "$output" == *'NAME:'*'/evil\x1b[1A\x1b[2K\x0dx'* ]]
	[[ "$output" != *$'\e'* ]]
	# a holder whose command name is an escape sequence
	bash -c 'printf "\e[2Jhide" >/proc/$$/comm; exec 3< <(sleep 30); read -r x <&3' &
	HOLDERS+=("$!")
	sleep 0.3
	run --separate-stderr "$IPC_LS" --kind pipe -o holders --noheadings
	[[ "$output" == *'\x1b[2Jhide['* ]]
	[[ "$output" != *$'\e'* ]]
}

@test "ipc-rm: the confirmation list, what was removed and every message escape names" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	"$IPC_MK" pshm /important-db >/dev/null
	: >"/dev/shm/zz${ERASE}"
	on_tty "$IPC_RM" --kind pshm --all
	# the planted name cannot erase the line of /important-db
	grep -qF '  posix-shm:/important-db' "$TTY_OUT"
	grep -qF '  posix-shm:/zz\x1b[1A\x1b[2K\x0d' "$TTY_OUT"
	! grep -q $'\e\\[1A' "$TTY_OUT" || false
	answer n
	run --separate-stderr "$IPC_RM" "posix-shm:/zz${ERASE}"
	[ "$status" -eq 0 ]
	[ "$output" = 'removed posix-shm:/zz\x1b[1A\x1b[2K\x0d' ]
	run --separate-stderr "$IPC_RM" "posix-shm:/gone${ERASE}"
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipc-rm: cannot remove 'posix-shm:/gone\\x1b[1A\\x1b[2K\\x0d': no such object" ]
}

@test "ipc-mk prints the REF of what it made escaped" {
	run --separate-stderr "$IPC_MK" pshm "/made${ERASE}"
	[ "$status" -eq 0 ]
	[ "$output" = 'posix-shm:/made\x1b[1A\x1b[2K\x0d' ]
	[ -e "/dev/shm/made${ERASE}" ]
	# a name is taken as it is; --json describes what was made, not what its text would name
	run --separate-stderr "$IPC_MK" pshm '/lit\x1b' --json
	[ "$status" -eq 0 ]
	echo "$output" | grep -qF '"name": "/lit\\x1b"'
	[ -e '/dev/shm/lit\x1b' ]
}

@test "usage errors echo what was typed escaped" {
	run --separate-stderr "$IPC_LS" --kind "bad${ERASE}"
	[ "$status" -eq 2 ]
	[ "$stderr" = "ipc-ls: unknown kind 'bad\\x1b[1A\\x1b[2K\\x0d' (see 'ipc-ls --help')" ]
	run --separate-stderr "$IPC_RM" "posix-mq${ERASE}:/x"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *'posix-mq\x1b[1A\x1b[2K\x0d:/x'* ]]
	run --separate-stderr "$IPC_LS" "--bogus${ERASE}"
	[ "$status" -eq 2 ]
	[[ "$stderr" != *$'\e'* ]]
}

@test "in UTF-8, bidirectional overrides and zero-width characters are escaped" {
	# U+202E turns "gpj.exe" around; U+200B is invisible
	: >"/dev/shm/ok"$'\u202e'"gpj.exe"
	: >"/dev/shm/two"$'\u200b'"names"
	: >"/dev/shm/café"
	run --separate-stderr env LC_ALL=C.UTF-8 "$IPC_LS" --kind pshm -o name --noheadings
	[[ "$output" == *'/ok\u202egpj.exe'* ]]
	[[ "$output" == *'/two\u200bnames'* ]]
	# ordinary text stays as it is
	[[ "$output" == *'/café'* ]]
	# in JSON, \u escapes keep every character, and nothing hides
	run --separate-stderr env LC_ALL=C.UTF-8 "$IPC_LS" --kind pshm --json -o name
	echo "$output" | jq -e '[.objects[].name] | index("/ok\u202egpj.exe") != null' >/dev/null
	[[ "$output" == *'\u202e'* && "$output" != *$'\u202e'* ]]
	# in the C locale any byte beyond ASCII is escaped
	run --separate-stderr env LC_ALL=C "$IPC_LS" --kind pshm -o name --noheadings
	[[ "$output" == *'/ok\xe2\x80\xaegpj.exe'* ]]
}

@test "a FIFO path of any length: listed, found by its REF (long ones broke every listing)" {
	dir=/tmp/ipk-long
	for i in $(seq 40); do dir=$dir/aaaaaaaaa; done
	mkdir -p "$dir"
	path=$dir/fifo
	[ "${#path}" -gt 400 ]
	hold fifo "name=$path"
	run --separate-stderr "$IPC_LS" --json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	echo "$output" | jq -e --arg r "fifo:$path" '[.objects[].ref] | index($r) != null' >/dev/null
	run --separate-stderr "$IPC_LS" -o ref,holders --noheadings "fifo:$path"
	[ "$status" -eq 0 ]
	[[ "$output" == "fifo:$path "*"ipk-factory[$HOLD_PID]"* ]]
	run --separate-stderr "$IPC_RM" --dry-run --orphan
	[ "$status" -eq 0 ]
	rm -rf /tmp/ipk-long
}

@test "no two names show alike: a backslash is \x5c, and the REF shown removes that object, only it" {
	# the text "\xc3" in one name, the byte 0xc3 in the other; sizes tell them apart
	printf 1 >'/dev/shm/lit\xc3'
	printf 22 >"/dev/shm/lit$(printf '\303')"
	printf 333 >/dev/shm/A
	run --separate-stderr "$IPC_LS" --kind posix-shm -o ref,size --bytes --noheadings
	[ "$status" -eq 0 ]
	echo "$output" | grep -qxE 'posix-shm:/lit\\x5cxc3 +1'
	echo "$output" | grep -qxE 'posix-shm:/lit\\xc3 +2'
	# -r (raw) and every other listing agree
	run --separate-stderr "$IPC_LS" --kind posix-shm -o ref -r --noheadings
	echo "$output" | grep -qx 'posix-shm:/lit\\x5cxc3'
	run --separate-stderr "$IPC_LS" -i 'posix-shm:/lit\xc3' --bytes
	[ "$status" -eq 0 ]
	echo "$output" | grep -qxE 'SIZE: +2'
	echo "$output" | grep -qxE 'NAME: +/lit\\xc3'
	# ipc-watch reads a REF as shown too
	run timeout 20 ipc-watch --interval 100ms --until 'posix-shm:/lit\x5cxc3.size==1' --timeout 5s
	[ "$status" -eq 0 ]
	run --separate-stderr ipc-watch --until 'gone:bad\x5c'
	[ "$status" -eq 2 ]
	[[ "$stderr" == "ipc-watch: malformed condition 'gone:bad\x5c': "* ]]
	# a typed "\x41" is those four characters, not "A": nothing is removed
	run --separate-stderr "$IPC_RM" 'posix-shm:/\x41'
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipc-rm: cannot remove 'posix-shm:/\\x5cx41': no such object" ]
	[ -e /dev/shm/A ]
	# nor is "\x00", which no listing shows: it would cut the name to "/A"
	run --separate-stderr "$IPC_RM" 'posix-shm:/A\x00zz'
	[ "$status" -eq 1 ]
	[ -e /dev/shm/A ]
	# each REF as shown removes its object, and the other stays
	run --separate-stderr "$IPC_RM" 'posix-shm:/lit\xc3'
	[ "$status" -eq 0 ]
	[ "$output" = 'removed posix-shm:/lit\xc3' ]
	[ ! -e "/dev/shm/lit$(printf '\303')" ]
	[ -e '/dev/shm/lit\xc3' ]
	run --separate-stderr "$IPC_RM" 'posix-shm:/lit\x5cxc3'
	[ "$status" -eq 0 ]
	[ "$output" = 'removed posix-shm:/lit\x5cxc3' ]
	[ ! -e '/dev/shm/lit\xc3' ]
	rm /dev/shm/A
	# a zero-width space, shown as \u200b in UTF-8, is named so in the C locale too
	printf 1 >"/dev/shm/z$(printf '\342\200\213')"
	run --separate-stderr env LC_ALL=C "$IPC_RM" 'posix-shm:/z\u200b'
	[ "$status" -eq 0 ]
	[ ! -e "/dev/shm/z$(printf '\342\200\213')" ]
}

@test "--name reads a name as listings show it: ipc-rm --name of the name shown removes that object, only it" {
	export LC_ALL=C.UTF-8
	# shown as /a\x5cb, /ax5cb, /a\x5c\x5cb, /t\x09b, /bad\xc3 and /z\u200b
	printf 1 >'/dev/shm/a\b'
	printf 22 >/dev/shm/ax5cb
	printf 333 >'/dev/shm/a\\b'
	printf 4444 >"/dev/shm/t$(printf '\t')b"
	printf 55555 >"/dev/shm/bad$(printf '\303')"
	printf 666666 >"/dev/shm/z$(printf '\342\200\213')"
	run --separate-stderr "$IPC_LS" --kind posix-shm -o name,size --bytes --noheadings
	echo "$output" | grep -qxE '/a\\x5cb +1'
	sizes() {
		run --separate-stderr "$IPC_LS" --name "$1" -o size --bytes -r --noheadings
		[ "$status" -eq 0 ]
		[ "$output" = "$2" ] || { echo "--name '$1': '$output', not '$2'"; false; }
	}
	sizes '/a\x5cb' 1
	sizes '/t\x09b' 4
	sizes '/bad\xc3' 5
	sizes '/z\u200b' 6
	# the pattern's own escapes stay its own: "\\" is one backslash, "\*" a star
	sizes 'a\\b' 1
	sizes '/a\x5c*' "$(printf '3\n1')"
	sizes '/a[\x5c]b' 1
	sizes '/a\*' ''
	# what ipc-rm removes is the object shown with that name, never /ax5cb
	run --separate-stderr "$IPC_RM" --name '/a\x5cb'
	[ "$status" -eq 0 ]
	[ "$output" = 'removed posix-shm:/a\x5cb' ]
	[ ! -e '/dev/shm/a\b' ]
	[ "$(ls /dev/shm | wc -l)" -eq 5 ]
	[ -e /dev/shm/ax5cb ]
}

@test "--name in a locale whose characters may end in a backslash byte (Big5): the name shown selects it" {
	command -v localedef >/dev/null || skip "no localedef"
	export LOCPATH=$BATS_TEST_TMPDIR/loc
	mkdir -p "$LOCPATH"
	localedef -f BIG5 -i zh_TW "$LOCPATH/zh_TW.BIG5" 2>/dev/null ||
		[ -d "$LOCPATH/zh_TW.BIG5" ] || skip "no Big5 charmap (locales)"
	export LC_ALL=zh_TW.BIG5
	[ "$(locale charmap 2>/dev/null)" = BIG5 ] || skip "the Big5 locale does not load"
	# U+8A31 is b3 5c in Big5: shown as bytes, since its second one is a backslash
	printf 1 >"/dev/shm/x$(printf '\263\134')"
	printf 22 >"/dev/shm/x$(printf '\263')"
	run --separate-stderr "$IPC_LS" --kind posix-shm -o ref --noheadings
	echo "$output" | grep -qx 'posix-shm:/x\\xb3\\x5c'
	run --separate-stderr "$IPC_LS" --name '/x\xb3\x5c' -o size --bytes -r --noheadings
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	run --separate-stderr "$IPC_LS" --name '/x\xb3\x5c*' -o size --bytes -r --noheadings
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "a JSON ref read back in a locale of other bytes (ISO-8859-1) names the same object" {
	command -v localedef >/dev/null || skip "no localedef"
	export LOCPATH=$BATS_TEST_TMPDIR/loc
	mkdir -p "$LOCPATH"
	localedef -f ISO-8859-1 -i en_US "$LOCPATH/en_US.ISO-8859-1" 2>/dev/null ||
		[ -d "$LOCPATH/en_US.ISO-8859-1" ] || skip "no ISO-8859-1 charmap (locales)"
	[ "$(LC_ALL=en_US.ISO-8859-1 locale charmap 2>/dev/null)" = ISO-8859-1 ] ||
		skip "the ISO-8859-1 locale does not load"
	# a soft hyphen in UTF-8 (c2 ad), and the byte that is one in ISO-8859-1 (ad)
	printf 1 >"/dev/shm/x$(printf '\302\255')"
	printf 22 >"/dev/shm/x$(printf '\255')"
	ref=$(env LC_ALL=C.UTF-8 "$IPC_LS" --kind posix-shm --json | jq -r '.objects[] | select(.size == 1) | .ref')
	[ "$ref" = 'posix-shm:/x\xc2\xad' ]
	run --separate-stderr env LC_ALL=en_US.ISO-8859-1 "$IPC_RM" "$ref"
	[ "$status" -eq 0 ]
	[ ! -e "/dev/shm/x$(printf '\302\255')" ]
	[ -e "/dev/shm/x$(printf '\255')" ]
}

@test "a REF a program reads from JSON or metrics is a REF: fed to ipc-rm it removes that object, only it" {
	export LC_ALL=C.UTF-8
	# the text "\x5c" beside a backslash, a byte that is no UTF-8, a zero-width
	# space, a newline, a tab, an accent; the size (bytes) tells each apart
	printf 1 >'/dev/shm/a\x5cb'
	printf 22 >'/dev/shm/a\b'
	printf 333 >"/dev/shm/bad$(printf '\303')"
	printf 4444 >"/dev/shm/z$(printf '\342\200\213')"
	printf 55555 >$'/dev/shm/nl\nx'
	printf 666666 >$'/dev/shm/t\tx'
	printf 7777777 >'/dev/shm/ok é'
	"$IPC_LS" --kind posix-shm --json >"$BATS_TEST_TMPDIR/json"
	jq -r '.objects[] | "\(.size) \(.ref)"' "$BATS_TEST_TMPDIR/json" >"$BATS_TEST_TMPDIR/refs"
	# one line each, none alike; bytes, not \u, so that any locale reads them back
	[ "$(wc -l <"$BATS_TEST_TMPDIR/refs")" -eq 7 ]
	[ "$(cut -d' ' -f2- "$BATS_TEST_TMPDIR/refs" | sort -u | wc -l)" -eq 7 ]
	grep -qx '1 posix-shm:/a\\x5cx5cb' "$BATS_TEST_TMPDIR/refs"
	grep -qx '2 posix-shm:/a\\x5cb' "$BATS_TEST_TMPDIR/refs"
	grep -qx '3 posix-shm:/bad\\xc3' "$BATS_TEST_TMPDIR/refs"
	grep -qx '4 posix-shm:/z\\xe2\\x80\\x8b' "$BATS_TEST_TMPDIR/refs"
	grep -qx '5 posix-shm:/nl\\x0ax' "$BATS_TEST_TMPDIR/refs"
	grep -qx '6 posix-shm:/t\\x09x' "$BATS_TEST_TMPDIR/refs"
	grep -qx '7 posix-shm:/ok é' "$BATS_TEST_TMPDIR/refs"
	# the name is the name
	[ "$(jq -r '.objects[] | select(.size == 2) | .name' "$BATS_TEST_TMPDIR/json")" = '/a\b' ]
	# the exporter's ref label is the same REF, label-escaped; ipc-rm takes it
	"$IPC_LS" --format prometheus --per-object --kind posix-shm | grep '^ipckit_object_size_bytes' >"$BATS_TEST_TMPDIR/prom"
	grep -qF 'ref="posix-shm:/a\\x5cx5cb"' "$BATS_TEST_TMPDIR/prom"
	label=$(sed -n 's/.*ref="\([^"]*\)".*} 3$/\1/p' "$BATS_TEST_TMPDIR/prom" | sed 's/\\\\/\\/g')
	[ "$label" = 'posix-shm:/bad\xc3' ]
	run --separate-stderr "$IPC_RM" --dry-run "$label"
	[ "$status" -eq 0 ]
	[ "$output" = 'would remove posix-shm:/bad\xc3' ]
	# and so are ipc-watch's
	timeout 20 ipc-watch --json --initial --count 7 --kind posix-shm |
		jq -r '.ref' | sort >"$BATS_TEST_TMPDIR/watched"
	diff "$BATS_TEST_TMPDIR/watched" <(cut -d' ' -f2- "$BATS_TEST_TMPDIR/refs" | sort)
	# each, fed back in the C locale too, removes the file of its size and leaves the others
	left=7
	while read -r size ref; do
		run --separate-stderr env LC_ALL=C "$IPC_RM" --json "$ref"
		[ "$status" -eq 0 ]
		[ "$(echo "$output" | jq -r '.objects[0].ref')" = "$ref" ]
		left=$((left - 1))
		run --separate-stderr "$IPC_LS" --kind posix-shm -o size -b -r --noheadings
		! echo "$output" | grep -qx "$size" || false
		[ "$(echo "$output" | grep -c .)" -eq "$left" ]
	done <"$BATS_TEST_TMPDIR/refs"
	[ -z "$(ls -A /dev/shm)" ]
}

@test "every byte a name may hold: the REF ipc-ls -r shows is the one ipc-rm removes" {
	local b c
	for b in $(seq 1 255); do
		[ "$b" -eq 47 ] && continue	# '/'
		printf -v c "\\x$(printf %02x "$b")"
		printf x >"/dev/shm/r$c"
	done
	printf x >"/dev/shm/r$(printf '\u202e')"	# a right-to-left override
	run --separate-stderr "$IPC_LS" --kind posix-shm -o ref -r --noheadings
	[ "$status" -eq 0 ]
	echo "$output" >"$BATS_TEST_TMPDIR/refs"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/refs")" -eq 255 ]
	[ "$(sort -u "$BATS_TEST_TMPDIR/refs" | wc -l)" -eq 255 ]
	while IFS= read -r ref; do
		out=$("$IPC_RM" "$ref") || { echo "$ref: not removed" >&2; false; }
		[ "$out" = "removed ${ref//\\x20/ }" ] || { echo "$ref: $out" >&2; false; }
	done <"$BATS_TEST_TMPDIR/refs"
	[ -z "$(find /dev/shm -mindepth 1 -print -quit)" ]
}

@test "every byte and odd sequence a name may hold: each ref of ipc-ls --json, read back in any locale, removes its own object" {
	local b c n=0 seq
	for b in $(seq 1 255); do
		[ "$b" -eq 47 ] && continue	# '/'
		printf -v c "\\x$(printf %02x "$b")"
		printf x >"/dev/shm/j$c"
		n=$((n + 1))
	done
	# C1 control, soft hyphen, BOM, an emoji, overlong '/', a surrogate, a lone continuation
	for seq in '\302\200' '\302\255' '\357\273\277' '\360\237\230\200' '\300\257' '\355\240\200' 'a\200b'; do
		printf x >"/dev/shm/j$(printf "$seq")"
		n=$((n + 1))
	done
	env LC_ALL=C.UTF-8 "$IPC_LS" --kind posix-shm --json | jq -r '.objects[].ref' >"$BATS_TEST_TMPDIR/refs"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/refs")" -eq "$n" ]
	[ "$(sort -u "$BATS_TEST_TMPDIR/refs" | wc -l)" -eq "$n" ]
	# printable ASCII, but for the one printable character beyond it, kept whole
	grep -qxF "posix-shm:/j$(printf '\360\237\230\200')" "$BATS_TEST_TMPDIR/refs"
	! grep -vxF "posix-shm:/j$(printf '\360\237\230\200')" "$BATS_TEST_TMPDIR/refs" |
		LC_ALL=C grep -q '[^ -~]' || false
	grep -qxF 'posix-shm:/j\xc0\xaf' "$BATS_TEST_TMPDIR/refs"
	local i=0
	while IFS= read -r ref; do
		i=$((i + 1))
		if [ $((i % 2)) -eq 0 ]; then loc=C; else loc=C.UTF-8; fi
		out=$(env LC_ALL=$loc "$IPC_RM" "$ref" 2>&1) || { echo "$ref ($loc): $out" >&2; false; }
	done <"$BATS_TEST_TMPDIR/refs"
	[ -z "$(find /dev/shm -mindepth 1 -print -quit)" ]
}

@test "names whole: spaces, newlines, ' (deleted)' and NUL bytes of abstract sockets" {
	hold memfd name="pool (deleted) x" unix path=@$'ab\ncd'
	run --separate-stderr "$IPC_LS" --kind memfd -o name --noheadings
	[ "$output" = "pool (deleted) x" ]
	run --separate-stderr "$IPC_LS" --kind unix -o name --noheadings
	[[ "$output" == *'@ab\x0acd'* ]]
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(b"\0a\0b c"); s.listen()
sys.stdout.write("ready\n"); sys.stdout.flush(); time.sleep(30)' >"$BATS_TEST_TMPDIR/py" &
	HOLDERS+=("$!")
	for _ in $(seq 100); do grep -q ready "$BATS_TEST_TMPDIR/py" && break; sleep 0.05; done
	run --separate-stderr "$IPC_LS" --kind unix -o name --noheadings
	[[ "$output" == *'@a@b c'* ]]
}

@test "a FIFO in /dev/shm is never opened: a writer blocked on it stays blocked" {
	mkfifo /dev/shm/sem.trap /dev/shm/trap
	# writers wait in open() until someone opens the FIFOs for reading
	( echo x >/dev/shm/sem.trap ) &
	w1=$!
	( echo x >/dev/shm/trap ) &
	w2=$!
	HOLDERS+=("$w1" "$w2")
	sleep 0.2
	run "$IPC_LS" posix-sem:/trap
	[ "$status" -eq 1 ]
	run "$IPC_LS" posix-shm:/trap
	[ "$status" -eq 1 ]
	"$IPC_LS" --kind psem,pshm >/dev/null
	run --separate-stderr "$IPC_MK" psem /trap
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"exists and is not a regular file: left alone"* ]]
	run --separate-stderr "$IPC_MK" pshm /trap
	[ "$status" -ne 0 ]
	sleep 0.2
	# still blocked: alive and not a zombie (kill -0 would pass a zombie)
	for w in "$w1" "$w2"; do
		state=$(sed 's/.*) //' "/proc/$w/stat" | cut -d' ' -f1)
		[ "$state" = S ] || { echo "writer $w is $state: its FIFO was opened"; false; }
	done
	[ -p /dev/shm/sem.trap ] && [ -p /dev/shm/trap ]
}

@test "--sysroot: a crafted snapshot neither hangs, exhausts memory, nor escapes its root" {
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/proc/sysvipc" "$root/proc/net" "$root/dev" "$root/proc/200/fd"
	mkfifo "$root/proc/sysvipc/shm"			# a FIFO: read, it would hang
	ln -s /dev/zero "$root/proc/sysvipc/msg"	# endless
	ln -s /proc/1 "$root/proc/1"			# the live system's process
	ln -s /etc "$root/dev/shm"			# out of the root
	ln -s ../../../../../../../../../etc/passwd "$root/proc/net/unix"
	printf 'key semid perms nsems uid gid cuid cgid otime ctime\n' >"$root/proc/sysvipc/sem"
	printf '%s\n' '99999999999999999999 99999999999999999999 777 -5 4294967296 1 1 1 1 1' \
		'1 2147483648 600 1 0 0 0 0 0 0' '1 5 600 2 0 0 0 0 18446744073709551615 1' \
		>>"$root/proc/sysvipc/sem"
	printf '200 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999 0 0\n' \
		>"$root/proc/200/stat"
	ln -s 'pipe:[99999999999999999999]' "$root/proc/200/fd/3"
	ln -s 'anon_inode:[eventfd]' "$root/proc/200/fd/99999999999"
	run --separate-stderr timeout 10 "$IPC_LS" --sysroot "$root" --json
	[ "$status" -eq 1 ]			# what could not be read is reported
	echo "$output" | jq -e '.objects | type == "array"' >/dev/null
	# only the well-formed array of the semaphore file is an object
	[ "$(echo "$output" | jq -r '[.objects[].ref] | join(" ")')" = "sysv-sem:5" ]
	[[ "$stderr" == *"cannot read '/proc/sysvipc/shm': invalid argument"* ]]
	[[ "$stderr" == *"cannot read '/proc/sysvipc/msg'"* ]]
	# nothing of the live system or of /etc
	[[ "$output" != *passwd* && "$stderr" != *passwd* ]]
	run --separate-stderr timeout 10 "$IPC_LS" --sysroot "$root" --kind pshm,psem
	[ -z "$output" ]
	run --separate-stderr timeout 10 "$IPC_LS" --sysroot "$root" --limits
	[ "$status" -le 1 ]
}

@test "a --sysroot that is no directory: one line, exit 2, in every command that takes one" {
	: >"$BATS_TEST_TMPDIR/file"
	# below a directory anyone may enter: the test's own is root's alone
	open=$(mktemp -d /tmp/ipk-sysroot.XXXXXX)
	chmod 755 "$open"
	mkdir -p "$open/shut/in"
	chmod 700 "$open/shut"
	# the commands that offer --sysroot, as each binary tells it
	n=0
	for cmd in "$B"/bin/*; do
		"$cmd" --complete=spec | grep -q '^--sysroot	' || continue
		name=${cmd##*/}
		n=$((n + 1))
		case $name in
		ipc-exporter) args=(--textfile "$BATS_TEST_TMPDIR/t.prom" --count 1) ;;
		ipc-top) args=(--batch --max-iterations 1) ;;
		ipc-watch) args=(--count 1 --timeout 3s) ;;
		*) args=() ;;
		esac
		for root in /nonexistent "$BATS_TEST_TMPDIR/file"; do
			run --separate-stderr timeout 10 "$cmd" "${args[@]}" --sysroot "$root"
			[ "$status" -eq 2 ] || { echo "$name --sysroot $root: exit $status"; false; }
			[ -z "$output" ]
			case $root in
			/nonexistent) [ "$stderr" = "$name: /nonexistent: no such directory" ] ;;
			*) [ "$stderr" = "$name: $root: not a directory" ] ;;
			esac
		done
		if have_other_user; then
			run --separate-stderr as_nobody timeout 10 "$cmd" "${args[@]}" \
				--sysroot "$open/shut/in"
			[ "$status" -eq 2 ]
			[ "$stderr" = "$name: $open/shut/in: permission denied" ]
			# the directory above it is one
			run --separate-stderr as_nobody timeout 10 "$cmd" "${args[@]}" --sysroot "$open" \
				--kind sysv-shm
			[ "$status" -ne 2 ]
		fi
		run --separate-stderr env IPCKIT_SYSROOT=/nonexistent timeout 10 "$cmd" "${args[@]}"
		[ "$status" -eq 2 ]
		[ "$stderr" = "$name: IPCKIT_SYSROOT=/nonexistent: no such directory" ]
	done
	[ "$n" -ge 4 ]
	[ ! -e "$BATS_TEST_TMPDIR/t.prom" ]
}

@test "a kind that cannot be read is no count of 0: --summary, --format prometheus, ipc-exporter" {
	require_other_user
	root=$(mktemp -d /tmp/ipk-root.XXXXXX)
	cp -r tests/fixtures/basic/. "$root/"
	chmod -R a+rX "$root"
	chmod 000 "$root/proc/sysvipc/shm"
	kinds=sysv-msg,sysv-shm
	run --separate-stderr as_nobody "$IPC_LS" --sysroot "$root" --summary --kind $kinds
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipc-ls: cannot read '/proc/sysvipc/shm': permission denied" ]
	echo "$output" | grep -E '^sysv-shm +unreadable +unreadable '
	echo "$output" | grep -E '^sysv-msg +2 '
	run --separate-stderr as_nobody "$IPC_LS" --sysroot "$root" --summary --kind $kinds --json
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.summary[] | select(.kind == "sysv-shm") | .count == null and .size == null'
	echo "$output" | jq -e '.summary[] | select(.kind == "sysv-msg") | .count == 2'
	# Prometheus: no series of the kind, and ipckit_scan_success says why
	prom=$BATS_TEST_TMPDIR/p
	run --separate-stderr as_nobody "$IPC_LS" --sysroot "$root" --format prometheus --kind $kinds
	[ "$status" -eq 1 ]
	[ "$stderr" = "ipc-ls: cannot read '/proc/sysvipc/shm': permission denied" ]
	printf '%s\n' "$output" >"$prom"
	! grep -E '^ipckit_(objects|size_bytes|orphan_objects)\{kind="sysv-shm"\}' "$prom" || false
	grep -qx 'ipckit_objects{kind="sysv-msg"} 2' "$prom"
	grep -qx 'ipckit_scan_success{kind="sysv-shm"} 0' "$prom"
	grep -qx 'ipckit_scan_success{kind="sysv-msg"} 1' "$prom"
	if command -v promtool >/dev/null; then
		promtool check metrics <"$prom"
	fi
	# the exporter keeps going, publishes no 0 for it, and a --count run fails
	out=$root/t.prom
	chmod 777 "$root"
	run --separate-stderr as_nobody timeout 20 ipc-exporter --sysroot "$root" --kind $kinds \
		--textfile "$out" --interval 100ms --count 3
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ipc-exporter: cannot read '/proc/sysvipc/shm': permission denied"* ]]
	! grep -E '^ipckit_[a-z_]+\{kind="sysv-shm"\} ' "$out" | grep -v '^ipckit_scan_success' || false
	grep -qx 'ipckit_scan_success{kind="sysv-shm"} 0' "$out"
	grep -qx 'ipckit_objects{kind="sysv-msg"} 2' "$out"
	# readable again: counted again
	chmod 444 "$root/proc/sysvipc/shm"
	run --separate-stderr as_nobody "$IPC_LS" --sysroot "$root" --summary --kind $kinds
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^sysv-shm +3 '
}

@test "ipc-watch escapes as ipc-ls does: control bytes, bytes that are no text, overrides, zero-width characters" {
	: >"/dev/shm/w${ERASE}x"
	: >"/dev/shm/bad"$'\xff'"byte"
	: >"/dev/shm/ok"$'\xe2\x80\xae'"gpj.exe"
	: >"/dev/shm/two"$'\xe2\x80\x8b'"names"
	# a holder whose command name turns the text around
	bash -c 'printf "\xe2\x80\xaehid" >/proc/$$/comm; exec 3</dev/shm/two*; sleep 30; :' &
	HOLDERS+=("$!")
	for _ in $(seq 100); do grep -q hid "/proc/$!/comm" && break; sleep 0.02; done
	for loc in C.UTF-8 C; do
		run --separate-stderr env LC_ALL=$loc timeout 10 ipc-watch --initial --count 4 --kind pshm
		[ "$status" -eq 0 ]
		# each REF as ipc-ls shows it
		got=$(echo "$output" | sed -n 's/^[0-9:.]* + \([^ ]*\) .*/\1/p' | sort)
		want=$(env LC_ALL=$loc "$IPC_LS" --kind pshm -o ref --noheadings | sort)
		[ "$got" = "$want" ] || { echo "watch: $got"; echo "ls: $want"; false; }
		[[ "$output" == *'hid['* ]]
		! printf '%s' "$output" | LC_ALL=C grep -qF -e $'\e' -e $'\xff' -e $'\xe2\x80\xae' \
			-e $'\xe2\x80\x8b' || false
	done
	[[ "$output" == *'/ok\xe2\x80\xaegpj.exe'* ]]
	# JSON: valid on every line, the REFs of ipc-ls --json, \u escapes
	run --separate-stderr env LC_ALL=C.UTF-8 timeout 10 ipc-watch --json --initial --count 4 --kind pshm
	[ "$status" -eq 0 ]
	got=$(printf '%s\n' "$output" | jq -r .ref | sort)
	want=$(env LC_ALL=C.UTF-8 "$IPC_LS" --kind pshm --json -o ref | jq -r '.objects[].ref' | sort)
	[ "$got" = "$want" ]
	[[ "$output" == *'\u202e'* && "$output" == *'\u200b'* ]]
	! printf '%s' "$output" | LC_ALL=C grep -qF -e $'\e' -e $'\xff' -e $'\xe2\x80\xae' \
		-e $'\xe2\x80\x8b' || false
}
