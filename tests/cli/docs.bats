#!/usr/bin/env bats
# --help, the man pages and the shell completions agree with the option
# tables of the binaries, for every command.

load helpers

commands() {
	for c in "$B"/bin/ipc-*; do basename "$c"; done
}

@test "every command has --help, -V and a man page" {
	for cmd in $(commands); do
		run "$B/bin/$cmd" --help
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == Usage:* ]]
		run "$B/bin/$cmd" -V
		[ "$status" -eq 0 ]
		[ -f "man/$cmd.1" ]
	done
	[ -f man/ipckit.7 ]
}

@test "man pages name every option of --help, and no other" {
	for cmd in $(commands); do
		spec=$("$B/bin/$cmd" --complete=spec | tail -n +2)
		page=$BATS_TEST_TMPDIR/$cmd.1
		# roff writes every hyphen of an option as \-
		sed 's/\\-/-/g' "man/$cmd.1" >"$page"
		for long in $(echo "$spec" | cut -f1); do
			grep -q -- "$long\b" "$page" || { echo "$cmd.1 lacks $long"; false; }
			"$B/bin/$cmd" --help | grep -q -- "$long" || { echo "--help lacks $long"; false; }
		done
		for short in $(echo "$spec" | cut -f2 | grep -vx -- -); do
			grep -q -- "$short\b" "$page" || { echo "$cmd.1 lacks $short"; false; }
		done
		# options the page documents (.TP items) must exist
		for long in $(grep -A1 '^\.TP' "$page" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			echo "$spec" | cut -f1 | grep -qx -- "$long" || { echo "$cmd.1 documents unknown $long"; false; }
		done
	done
}

@test "man page synopses are the synopses of --help" {
	command -v groff >/dev/null || skip "groff is not installed"
	for cmd in $(commands); do
		help=$("$B/bin/$cmd" --help | sed -n '2,/^$/p' | sed '/^$/d; s/^ *//')
		page=$(groff -man -Tascii -rLL=200n -P-cbou "man/$cmd.1" 2>/dev/null |
			sed -n '/^SYNOPSIS/,/^[A-Z]/p' | sed '1d; $d; /^ *$/d; s/^ *//; s/  */ /g')
		[ -n "$help" ]
		[ "$help" = "$page" ] || { printf '%s --help:\n%s\n%s.1:\n%s\n' "$cmd" "$help" "$cmd" "$page"; false; }
	done
}

# What --help lists from the library's tables: the kinds (name alias) and the columns.
help_kinds() {
	"$IPC_LS" --help | sed -n '/^Kinds/,/^$/p' | awk 'NR > 1 && NF { a = $2; gsub(/[()]/, "", a); if ($2 !~ /^\(/) a = "-"; print $1, a }'
}

help_columns() {
	"$IPC_LS" --help | sed -n '/^Columns/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort
}

@test "--help lists every kind and column of the tables" {
	[ "$(help_kinds)" = "$(echo "$KIND_TABLE" | cut -f1,2 | tr '\t' ' ')" ]
	[ "$(help_columns)" = "$("$IPC_LS" --complete=columns | sort)" ]
	# ipc-mk lists the kinds it makes, as its synopsis does
	for kind in $("$IPC_MK" --help | sed -n '/^Kinds/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
		"$IPC_MK" --help | sed -n '2,4p' | grep -q -- "$kind" || { echo "synopsis lacks $kind"; false; }
	done
}

@test "the man pages' tables are the library's: every kind and column, and no other" {
	# ipckit(7): the KINDS table, name and alias
	man=$(awk '/^\.SH KINDS/ { k = 1 } k && /^\.TS/ { t = 1; getline; getline; next } t && /^\.TE/ { exit }
		t { n = split($0, f, "\t"); print f[1], (f[2] == "" ? "-" : f[2]) }' man/ipckit.7)
	[ "$man" = "$(help_kinds)" ] || { diff <(echo "$man") <(help_kinds); false; }
	# ipc-ls(1): the COLUMNS section names each column once, and nothing else
	man=$(awk '/^\.SH COLUMNS/ { p = 1; next } /^\.SH/ { p = 0 } p && /^\.BR? / {
		sub(/^\.BR? /, ""); gsub(/"[^"]*"/, " "); print }' man/ipc-ls.1 | tr ' ' '\n' |
		grep -E '^[A-Z][A-Z_]*$' | sort -u)
	[ "$man" = "$(help_columns)" ] || { diff <(echo "$man") <(help_columns); false; }
	# ipckit(7) describes every field of the record too
	for col in $(help_columns); do
		grep -qw -- "$col" man/ipckit.7 || { echo "ipckit.7 lacks $col"; false; }
	done
}

@test "libipckit(3) names every function of ipckit.h, and none that is not there" {
	[ -f man/libipckit.3 ]
	page=$BATS_TEST_TMPDIR/libipckit.3
	sed 's/\\-/-/g' man/libipckit.3 >"$page"
	declared=$(grep -o '\bipk_[a-z0-9_]*(' lib/ipckit.h | tr -d '(' | sort -u)
	[ "$(echo "$declared" | wc -l)" -gt 50 ]
	for fn in $declared; do
		# named where it is described, in bold: .BR ipk_scan ()
		grep -Eq "^\.BR? $fn \(\)" "$page" || { echo "libipckit.3 does not describe $fn()"; false; }
	done
	# every function the page names exists, in ipckit.h or ipckit-bench.h
	for fn in $(grep -o '\bipk_[a-z0-9_]* ()' "$page" | sed 's/ ()//' | sort -u); do
		grep -q "\b$fn(" lib/ipckit.h lib/ipckit-bench.h || { echo "libipckit.3 names unknown $fn()"; false; }
	done
	# the sections a reader of a library page looks for
	for sec in SYNOPSIS DESCRIPTION LIFETIMES "THREAD SAFETY" "RETURN VALUE" EXAMPLE "SEE ALSO"; do
		grep -qx "\.SH \"\?$sec\"\?" "$page" || { echo "libipckit.3 lacks $sec"; false; }
	done
	# the functions of its synopsis are declared as the header declares them
	for fn in $(sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$page" | grep -o 'ipk_[a-z_]*(' | tr -d '('); do
		grep -q "\b$fn(" lib/ipckit.h || { echo "synopsis names unknown $fn"; false; }
	done
}

@test "man pages render without warnings" {
	command -v groff >/dev/null || skip "groff is not installed"
	for page in man/*.[1-9]; do
		run sh -c "groff -t -man -ww -z '$page' 2>&1"
		[ -z "$output" ] || { echo "$page: $output"; false; }
	done
}

# complete WORDS...: what the bash completion offers for the last word
complete_bash() {
	bash -c '
		source completions/bash/ipckit
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_ipckit
		printf "%s\n" "${COMPREPLY[@]}"' complete "$@"
}

@test "bash completion offers options, kinds, columns and live refs" {
	ref=$(mk sysv-shm)
	run complete_bash ipc-ls --ki
	[ "$output" = "--kind" ]
	run complete_bash ipc-ls --kind sysv-s
	[ "$output" = "$(printf 'sysv-sem\nsysv-shm')" ]
	run complete_bash ipc-ls --kind shm,posix-m
	[ "$output" = "shm,posix-mq" ]
	run complete_bash ipc-ls -o +NAT
	[ "$output" = "+NATTCH" ]
	run complete_bash ipc-ls --time-format i
	[ "$output" = "iso" ]
	run complete_bash ipc-ls -i sysv
	[ "$output" = "$ref" ]
	run complete_bash ipc-ls --output=NAT
	[ "$output" = "--output=NATTCH" ]
	run complete_bash ipc-ls sysv-sh
	[ "$output" = "$ref" ]
	run complete_bash ipc-watch --unt
	[ "$output" = "--until" ]
	run complete_bash ipc-watch --fields NAT
	[ "$output" = "NATTCH" ]
	run complete_bash ipc-exporter --per
	[ "$output" = "--per-object" ]
	run complete_bash ipc-ls --format p
	[ "$output" = prometheus ]
}

@test "ipc-mk completes the kinds it makes; ipc-rm completes live refs" {
	run complete_bash ipc-mk p
	[ "$output" = "$(printf 'posix-mq\nposix-sem\nposix-shm')" ]
	run complete_bash ipc-mk f
	[ "$output" = fifo ]
	run complete_bash ipc-mk sysv-shm --ex
	[ "$output" = --exclusive ]
	ref=$(mk sysv-msg)
	mk posix-mq name=/jobs >/dev/null
	run complete_bash ipc-rm sysv-m
	[ "$output" = "$ref" ]
	run complete_bash ipc-rm posix-mq:/j
	[ "$output" = posix-mq:/jobs ]
	run complete_bash ipc-rm --dry
	[ "$output" = --dry-run ]
	run complete_bash ipc-rm --kind sysv-m
	[ "$output" = sysv-msg ]
	if command -v fish >/dev/null; then
		cp completions/fish/ipckit.fish "$BATS_TEST_TMPDIR/ipc-mk.fish"
		run fish -c "set -x PATH $BINDIR \$PATH; source $BATS_TEST_TMPDIR/ipc-mk.fish
			complete -C 'ipc-mk posix-s'"
		[[ "$output" == *posix-sem* && "$output" == *posix-shm* && "$output" != *pipe* ]]
	fi
}

@test "zsh and fish completions load and ask the binary" {
	if command -v zsh >/dev/null; then
		run zsh -c 'autoload -U compinit; compinit -u; source completions/zsh/_ipckit' 2>&1
		[ "$status" -eq 0 ] || [[ "$output" != *"parse error"* ]]
	fi
	if command -v fish >/dev/null; then
		# installed as CMD.fish, it completes CMD
		cp completions/fish/ipckit.fish "$BATS_TEST_TMPDIR/ipc-ls.fish"
		run fish -c "set -x PATH $BINDIR \$PATH; source $BATS_TEST_TMPDIR/ipc-ls.fish
			complete -C 'ipc-ls --ki'; complete -C 'ipc-ls --time-format '"
		[[ "$output" == *--kind* ]]
		[[ "$output" == *relative* ]]
	fi
	command -v zsh >/dev/null || command -v fish >/dev/null || skip "neither zsh nor fish is installed"
}

@test "ipc-bench(1) describes every method of the table" {
	words=$("$B/bin/ipc-bench" --complete=spec | sed -n 's/^--method\t-m\tMETHODS\twords:\([^\t]*\)\t.*/\1/p')
	[ -n "$words" ]
	for m in $words; do
		grep -qxF -- ".B ${m//-/\\-}" man/ipc-bench.1 || { echo "ipc-bench.1 lacks $m"; false; }
	done
}

@test "ipckit-lessons(7) walks through every lesson of scenarios/teaching" {
	local f name page=$BATS_TEST_TMPDIR/lessons
	sed 's/\\-/-/g' man/ipckit-lessons.7 >"$page"
	for f in scenarios/teaching/*.yaml; do
		name=$(basename "$f" .yaml)
		grep -qw -- "$name" "$page" || { echo "ipckit-lessons.7 lacks $name"; false; }
	done
	grep -q 'ipckit-lessons (7)' man/ipc-scenario.1
}
