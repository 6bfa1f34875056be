#!/usr/bin/env bats
# One implementation of each rule (issue 8): the source tree itself, read
# with grep, so that a second copy of a rule fails a test instead of
# waiting for a review.  Comments are left out of every search.

load helpers

# lib/ sources without their comments: FILE:LINE:TEXT of what is code.
lib_code() {
	{ git ls-files 'lib/*.c' 'lib/*.h' 2>/dev/null || find lib -name '*.[ch]'; } | while read -r f; do
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

@test "the layers of lib/internal.h read top to bottom: no call goes up but the one it names" {
	[ -d "$B/obj/lib" ] || skip "no objects in $B/obj/lib"
	python3 - "$B/obj/lib" <<-'PY'
	import glob, os, re, subprocess, sys
	objdir = sys.argv[1]
	text = open("lib/internal.h").read()
	block = text.split("each layer uses only those above it:", 1)[1].split("*/", 1)[0]
	layer = {}
	for n, line in enumerate(re.findall(r"^ \*   (\S.*?)\s{2,}", block, re.M)):
	    for f in line.split():
	        layer[f.replace("kinds/<kind>.c", "kinds/*.c")] = n
	def layer_of(o):
	    rel = os.path.relpath(o, objdir)[:-2] + ".c"
	    return layer.get(rel, layer.get("kinds/*.c") if rel.startswith("kinds/") else None)
	defs, uses = {}, {}
	objs = glob.glob(objdir + "/*.o") + glob.glob(objdir + "/kinds/*.o")
	for o in objs:
	    for l in subprocess.run(["nm", o], capture_output=True, text=True).stdout.splitlines():
	        p = l.split()
	        if len(p) == 3 and p[1] in "TDRB":
	            defs[p[2]] = o
	        elif len(p) == 2 and p[0] == "U":
	            uses.setdefault(o, set()).add(p[1])
	missing = [o for o in objs if layer_of(o) is None]
	bad = []
	for o, us in uses.items():
	    for u in sorted(us):
	        d = defs.get(u)
	        if not d or d == o or layer_of(d) is None or layer_of(o) is None:
	            continue
	        name = lambda x: os.path.relpath(x, objdir)
	        if layer_of(d) > layer_of(o) and not (name(o) == "kinds.o" and name(d).startswith("kinds/")):
	            bad.append("%s calls %s of %s, a layer below" % (name(o), u, name(d)))
	for m in missing:
	    print("not in the layer list:", os.path.relpath(m, objdir))
	for b in bad:
	    print(b)
	sys.exit(1 if bad or missing else 0)
	PY
}

@test "field ids are append-only: the rows of tests/fixtures/abi/fields keep their places" {
	want=$(grep -v '^#' tests/fixtures/abi/fields)
	got=$(sed -n 's/^	X(\([A-Z_0-9]*\), .*/\1/p' lib/ipckit.h)
	n=$(echo "$want" | wc -l)
	[ "$(echo "$got" | head -n "$n")" = "$want" ] ||
		{ diff <(echo "$want") <(echo "$got" | head -n "$n"); false; }
}

@test "generic code names no kind: kind names are strings of lib/kinds/ only" {
	kinds=$(echo "$KIND_TABLE" | cut -f1 | paste -sd'|' -)
	# (a watch's stats name how it sees exits: "pidfd" there is pidfd_open(2))
	run grep -E "\"($kinds)\"" <<<"$(lib_code | grep -E '^lib/[^/]+\.c:' |
		grep -v 'exits_source = "pidfd";')"
	[ -z "$output" ] || { echo "$output"; false; }
}
