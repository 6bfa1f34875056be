#!/usr/bin/env bats
# One implementation of each rule (issue 8): the source tree itself, read
# with grep, so that a second copy of a rule fails a test instead of
# waiting for a review.  Comments are left out of every search.

load helpers

# lib/ sources without their comments: FILE:LINE:TEXT of what is code.
lib_code() {
	git ls-files 'lib/*.c' 'lib/*.h' | while read -r f; do
		awk -v f="$f" '
			{ line = $0 }
			incomment { if (sub(/.*\*\//, "", line)) incomment = 0; else next }
			{ gsub(/\/\*([^*]|\*[^\/])*\*\//, "", line) }
			sub(/\/\*.*/, "", line) { incomment = 1 }
			{ sub(/\/\/.*/, "", line) }
			line ~ /[^ \t]/ { print f ":" FNR ":" line }' "$f"
	done
}

@test "one REF layout: no \"kind:...\" printed outside ref_put() (lib/ref.c)" {
	code=$(lib_code | grep -v '^lib/ref\.c:')
	kinds=$(echo "$KIND_TABLE" | cut -f1 | paste -sd'|' -)
	run grep -E "\"($kinds|%s):/?%" <<<"$code"
	# file:line:col of the scenario's messages is not a REF
	output=$(grep -v '"%s:%d:%d: "' <<<"$output" || true)
	[ -z "$output" ] || { echo "REFs made by hand:"; echo "$output"; false; }
}

@test "one strerror wrapper: strerror() is called in lib/errors.c only" {
	run grep -E '\bstrerror(_r)?\(' <<<"$(lib_code | grep -v '^lib/errors\.c:')"
	[ -z "$output" ] || { echo "$output"; false; }
	# and nowhere in the commands or ipc-top
	! grep -nE '\bstrerror(_r)?\(' cmd/*.c tui/*.c || false
}

@test "kernel limits are read in lib/limits.c only: no other /proc/sys path" {
	run grep -E '"/proc/sys/|"kernel/|"fs/(mqueue|pipe)' <<<"$(lib_code | grep -vE '^lib/(limits\.c|kinds/)')"
	[ -z "$output" ] || { echo "$output"; false; }
	! grep -nE '"/proc/sys/' cmd/*.c tui/*.c || false
}

@test "one namespace helper: setns() is called in lib/ns.c only" {
	run grep -E '\bsetns\(' <<<"$(lib_code | grep -v '^lib/ns\.c:')"
	[ -z "$output" ] || { echo "$output"; false; }
}
