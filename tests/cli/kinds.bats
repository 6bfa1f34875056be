#!/usr/bin/env bats
# Every kind of the registry, from the table the binary prints, never from a
# list kept here: a new kind is tested by adding it to lib/kinds/ and to the
# object factory (tests/helpers/ipk-factory.c), nothing else.

load helpers

@test "the kind table: every kind has a name, a family and a description" {
	[ "$(echo "$KIND_TABLE" | wc -l)" -ge 13 ]
	while IFS=$'\t' read -r kind alias family made; do
		[[ "$family" =~ ^(sysv|posix|fd)$ ]]
		[[ "$made" =~ ^(key|name|path|-)$ ]]
		"$IPC_LS" --help | grep -qE "^ $kind( \\($alias\\))? +[a-zA-Z]"
		# the alias works wherever the name does
		[ "$alias" = - ] || [ "$("$IPC_LS" --kind "$alias" -o kind --noheadings | sort -u)" = \
			"$("$IPC_LS" --kind "$kind" -o kind --noheadings | sort -u)" ]
	done <<<"$KIND_TABLE"
}

@test "every kind: listed, -i shows the same object, JSON of the list agrees with -i" {
	while IFS=$'\t' read -r kind alias family made; do
		hold "$kind"
		ref=$(echo "$HOLD_REFS" | head -n 1)
		[ -n "$ref" ] || { echo "the factory made no $kind"; false; }
		[[ "$ref" == "$kind":* ]] || { echo "$kind: REF $ref"; false; }
		# listed, once
		[ "$("$IPC_LS" --kind "$kind" -o ref --noheadings | grep -cxF -- "$ref")" -eq 1 ] ||
			{ echo "$kind: $ref not listed once"; "$IPC_LS" --kind "$kind"; false; }
		# -i: the whole record of that object, every field of the kind shown
		run --separate-stderr "$IPC_LS" -i "$ref"
		[ "$status" -eq 0 ] || { echo "$kind: -i $ref: $stderr"; false; }
		[ "$(echo "$output" | sed -n 's/^REF: *//p')" = "$ref" ]
		[ "$(echo "$output" | sed -n 's/^KIND: *//p')" = "$kind" ]
		# JSON: the list's record is -i's, but for the detail only -i fills
		list=$("$IPC_LS" --json --kind "$kind" | jq -c --arg r "$ref" '.objects[] | select(.ref == $r)')
		one=$("$IPC_LS" -i "$ref" --json | jq -c .)
		[ "$(echo "$list" | jq -r .kind)" = "$kind" ]
		for f in kind ref id key name owner uid group gid perms size capacity messages \
			value nattch cpid lpid ctime status ns; do
			a=$(echo "$list" | jq -c --arg f "$f" '.[$f]')
			b=$(echo "$one" | jq -c --arg f "$f" '.[$f]')
			[ "$a" = "$b" ] || { echo "$kind $ref: $f is $a listed, $b with -i"; false; }
		done
		clean_ns
	done <<<"$KIND_TABLE"
}

@test "every kind ipc-mk makes: made, listed, removed, gone" {
	while IFS=$'\t' read -r kind alias family made; do
		case $made in
		-) continue ;;
		key) args=() ;;
		name) args=(/kinds-test) ;;
		path) args=("$BATS_TEST_TMPDIR/kinds-test") ;;
		esac
		# a SysV segment has no default size; the other kinds take none
		[ "$kind" != sysv-shm ] || args=(--size 4K)
		run --separate-stderr "$IPC_MK" "$kind" "${args[@]}"
		[ "$status" -eq 0 ] || { echo "ipc-mk $kind: $stderr"; false; }
		ref=$output
		# found by its REF; listed too, but for a FIFO nobody holds (found by path only)
		[ "$("$IPC_LS" -o ref --noheadings "$ref")" = "$ref" ]
		[ "$family" = fd ] || "$IPC_LS" --kind "$kind" -o ref --noheadings | grep -qxF -- "$ref"
		run --separate-stderr "$IPC_RM" "$ref"
		[ "$status" -eq 0 ] || { echo "ipc-rm $ref: $stderr"; false; }
		[ "$output" = "removed $ref" ]
		! "$IPC_LS" --kind "$kind" -o ref --noheadings | grep -qxF -- "$ref" || false
		run "$IPC_LS" "$ref"
		[ "$status" -eq 1 ]
	done <<<"$KIND_TABLE"
	# nothing left behind: no file in /dev/shm or the temporary directory, no object
	[ -z "$(ls -A /dev/shm)" ]
	[ ! -e "$BATS_TEST_TMPDIR/kinds-test" ]
	[ -z "$("$IPC_LS" --kind "$NAMED" -o ref --noheadings)" ]
}

@test "every kind ipc-mk does not make: a usage error that says which it makes" {
	while IFS=$'\t' read -r kind alias family made; do
		[ "$made" = - ] || continue
		run --separate-stderr "$IPC_MK" "$kind"
		[ "$status" -eq 2 ]
		[[ "$stderr" == "ipc-mk: $kind objects are not made by name"* ]]
	done <<<"$KIND_TABLE"
}
