#!/usr/bin/env bats
# The oracle: for System V objects, what ipc-ls --json reports agrees field
# by field with util-linux's lsipc --json and ipcs on the same objects.

load helpers

# lsipc prints every number as a string, perms as "rw-r--r--" and times in
# local ISO form; bring it to ipc-ls's JSON before comparing.  (Its
# --numeric-perms prints null for message queues in util-linux 2.38.)
normalize='
	def num: if . == null then null else tonumber end;
	def octal: . as $s | [range(0; 9) | if $s[.:.+1] == "-" then 0 else 1 end] as $b |
		"0" + ([0, 3, 6] | map($b[.] * 4 + $b[. + 1] * 2 + $b[. + 2] | tostring) | join(""));
	def when: if . == null then null else sub("\\+00:00$"; "Z") end;
	def words: if . == null then [] else split(",") | map(select(. != "")) end;
'

varied_objects() {
	mk sysv-shm size=4096 mode=0600 key=0x1000 >/dev/null
	mk sysv-shm size=1M mode=0644 >/dev/null
	mk sysv-shm size=12345 mode=0640 lock=1 >/dev/null
	hold sysv-shm size=8192 mode=0660 attach=1 touch=8192 key=0x2000 \
		sysv-shm size=4096 attach=1 rmid=1
	if have_other_user; then
		as_nobody "$FACTORY" sysv-shm size=100 mode=0666 >/dev/null
		as_nobody "$FACTORY" sysv-msg mode=0604 send=1 >/dev/null
		as_nobody "$FACTORY" sysv-sem nsems=2 mode=0644 >/dev/null
	fi
	mk sysv-msg key=0x3000 mode=0600 send=3 msgsize=100 >/dev/null
	mk sysv-msg qbytes=1000 >/dev/null
	mk sysv-sem nsems=3 values=4,0,9 mode=0600 key=0x4000 >/dev/null
	mk sysv-sem nsems=1 values=32767 >/dev/null
}

compare() {	# KIND LSIPC-OPTION LSIPC-COLUMNS JQ-CHECK
	local ours theirs
	ours=$("$IPC_LS" --json --kind "$1" 2>/dev/null)
	theirs=$(TZ=UTC lsipc "$2" --json -b --time-format=iso -o "$3")
	jq -e -n --argjson ours "$ours" --argjson theirs "$theirs" "$normalize
		(\$theirs | to_entries[0].value) as \$t |
		(\$ours.objects | length) == (\$t | length) and
		([\$t[] as \$l | (\$ours.objects[] | select(.id == (\$l.id | num))) as \$o |
		  $4] | length) == (\$t | length) and
		([\$t[] as \$l | (\$ours.objects[] | select(.id == (\$l.id | num))) as \$o |
		  $4] | all)"
}

common='
	$o.key == $l.key and $o.owner == $l.owner and
	$o.perms == ($l.perms | octal) and
	$o.uid == ($l.uid | num) and $o.gid == ($l.gid | num) and
	$o.cuid == ($l.cuid | num) and $o.cgid == ($l.cgid | num) and
	$o.ctime == ($l.ctime | when)'

@test "sysv-shm agrees with lsipc -m" {
	varied_objects
	compare shm -m KEY,ID,OWNER,PERMS,CUID,CGID,UID,GID,SIZE,NATTCH,STATUS,CTIME,ATTACH,DETACH,CPID,LPID \
		"$common and
		 \$o.size == (\$l.size | num) and \$o.nattch == (\$l.nattch | num) and
		 \$o.cpid == (\$l.cpid | num) and \$o.lpid == (\$l.lpid | num) and
		 \$o.atime == (\$l.attach | when) and \$o.dtime == (\$l.detach | when) and
		 (\$o.status - [\"orphan\", \"gone\"] | sort) == (\$l.status | words | sort)"
}

@test "sysv-msg agrees with lsipc -q, qbytes with ipcs -q -i" {
	varied_objects
	compare msg -q KEY,ID,OWNER,PERMS,CUID,CGID,UID,GID,CTIME,USEDBYTES,MSGS,SEND,RECV,LSPID,LRPID \
		"$common and
		 \$o.size == (\$l.usedbytes | num) and \$o.messages == (\$l.msgs | num) and
		 \$o.atime == (\$l.send | when) and \$o.dtime == (\$l.recv | when) and
		 \$o.lspid == (\$l.lspid | num) and \$o.lrpid == (\$l.lrpid | num)"
	for id in $("$IPC_LS" --json --kind msg | jq -r '.objects[].id'); do
		qbytes=$(ipcs -q -i "$id" | sed -n 's/.*qbytes=\([0-9]*\).*/\1/p')
		[ -n "$qbytes" ]
		[ "$("$IPC_LS" -i "sysv-msg:$id" --json | jq .capacity)" = "$qbytes" ]
	done
}

@test "sysv-sem agrees with lsipc -s, every value with ipcs -s -i" {
	varied_objects
	compare sem -s KEY,ID,OWNER,PERMS,CUID,CGID,UID,GID,CTIME,NSEMS,OTIME \
		"$common and
		 \$o.nsems == (\$l.nsems | num) and \$o.atime == (\$l.otime | when) and
		 (\$o.value | length) == (\$l.nsems | num)"
	for id in $("$IPC_LS" --json --kind sem | jq -r '.objects[].id'); do
		ours=$("$IPC_LS" -i "sysv-sem:$id" --json |
			jq -r '[range(.nsems) as $i | "\($i) \(.value[$i]) \(.semncnt[$i]) \(.semzcnt[$i]) \(.sempid[$i])"] | .[]')
		theirs=$(ipcs -s -i "$id" | awk '/^semnum/ {t=1; next} t && NF == 5 {print $1, $2, $3, $4, $5}')
		[ -n "$theirs" ]
		[ "$ours" = "$theirs" ]
	done
}

@test "the oracle itself notices a difference" {
	# guard against a comparison that cannot fail: change one object
	# between the two reads and the check must report it
	mk sysv-shm size=4096 >/dev/null
	ours=$("$IPC_LS" --json --kind shm)
	mk sysv-shm size=8192 >/dev/null
	theirs=$(TZ=UTC lsipc -m --json -b --numeric-perms --time-format=iso -o KEY,ID,SIZE)
	run jq -e -n --argjson ours "$ours" --argjson theirs "$theirs" \
		'($ours.objects | length) == ($theirs.sharedmemory | length)'
	[ "$status" -ne 0 ]
}
