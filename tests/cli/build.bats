#!/usr/bin/env bats
# The Makefile rebuilds exactly what a change touches: a header rebuilds
# what includes it (directly or not), other flags rebuild everything, the
# same flags nothing.  A plain make never installs a package.  Every build
# here goes to a scratch directory: the tree's build/ is never touched.

load helpers

setup() {
	require_private_ns || return 1
	SCRATCH=$BATS_TEST_TMPDIR/b
}

# smake ARGS...: make into the scratch directory, with our flags only (not
# those of the make that runs the tests, from its MAKEFLAGS or environment)
smake() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE -u WERROR -u CC -u CFLAGS \
		-u CPPFLAGS -u LDFLAGS -u V make --no-print-directory B="$SCRATCH" "$@"
}

# compiled ARGS...: the objects that make ARGS would compile, sorted
compiled() {
	smake -n "$@" | grep -e ' -c ' | grep -o -- ' -o [^ ]*\.o' | sed 's/^ -o //' | sort
}

# A copy of the sources, so that touching a header touches nothing of the
# tree the other tests run from.
copy_tree() {
	SRC=$BATS_TEST_TMPDIR/src
	mkdir -p "$SRC/tests"
	cp -a Makefile build-aux lib cmd tui "$SRC/"
	cp -a tests/unit tests/helpers "$SRC/tests/"
	# sources older than anything built from them; a touch makes one newer
	find "$SRC" -exec touch -h -d @1000000000 {} +
}

# rebuilt FILE...: touches FILEs of the copy (now), rebuilds it, and prints the
# objects compiled, sorted
rebuilt() {
	(cd "$SRC" && touch "$@")
	(cd "$SRC" && smake -j2 CFLAGS=-O0 all "$SCRATCH/tests/test-bench" "$SCRATCH/tests/test-parse") |
		awk '$1 == "CC" { print $2 }' | sort
}

@test "a header rebuilds exactly what includes it; the same flags nothing" {
	copy_tree
	cd "$SRC"
	run smake -j2 CFLAGS=-O0 all "$SCRATCH/tests/test-bench" "$SCRATCH/tests/test-parse"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# nothing to do a second time
	[ -z "$(compiled CFLAGS=-O0 all "$SCRATCH/tests/test-bench" "$SCRATCH/tests/test-parse")" ]
	# lib/bench/bench.h: the bench engine, its methods and the unit test
	# that includes it, and nothing else
	what=$(rebuilt lib/bench/bench.h)
	echo "$what" | grep -qx "$SCRATCH/obj/tests/unit/test-bench.o"
	echo "$what" | grep -qx "$SCRATCH/obj/lib/bench/engine.o"
	! echo "$what" | grep -e /kinds/ -e /cmd/ -e test-parse.o || false
	# the public header, included through lib/internal.h too: the
	# commands, the kinds and every unit test
	what=$(rebuilt lib/ipckit.h)
	echo "$what" | grep -qx "$SCRATCH/obj/cmd/ipc-ls.o"
	echo "$what" | grep -qx "$SCRATCH/obj/lib/kinds/posix-shm.o"
	echo "$what" | grep -qx "$SCRATCH/obj/tests/unit/test-parse.o"
	# a command's own header: the commands (ipc-top's tui/ among them) only
	what=$(rebuilt cmd/common.h)
	[ -n "$what" ]
	echo "$what" | grep -qx "$SCRATCH/obj/tui/keys.o"
	! echo "$what" | grep -v -e "^$SCRATCH/obj/cmd/" -e "^$SCRATCH/obj/tui/" || false
	# and nothing left to do
	[ -z "$(compiled CFLAGS=-O0 all "$SCRATCH/tests/test-bench" "$SCRATCH/tests/test-parse")" ]
}

@test "other CFLAGS, CC, WERROR or SANITIZE rebuild everything; make -n changes nothing" {
	run smake -j2 CFLAGS=-O0 all
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# every object compiled from a source (each has its .d)
	all=$(find "$SCRATCH/obj" -name '*.d' | sed 's/\.d$/.o/' | sort)
	[ "$(echo "$all" | wc -l)" -gt 40 ]
	[ "$(compiled CFLAGS=-O1 all)" = "$all" ]
	[ "$(compiled CFLAGS=-O0 WERROR=1 all)" = "$all" ]
	[ "$(compiled CFLAGS=-O0 SANITIZE=1 all)" = "$all" ]
	if command -v clang >/dev/null; then
		[ "$(compiled CFLAGS=-O0 CC=clang all)" = "$all" ]
	fi
	# none of those dry runs changed what is built: still up to date
	[ -z "$(compiled CFLAGS=-O0 all)" ]
	# a real build with other flags relinks the commands too
	run smake -j2 CFLAGS=-O1 all
	[ "$status" -eq 0 ]
	echo "$output" | grep -q "LD .*$SCRATCH/bin/ipc-ls"
	[ -z "$(compiled CFLAGS=-O1 all)" ]
	[ "$(compiled CFLAGS=-O0 all)" = "$all" ]
}

# A PATH with what make and the deps step use, but no pkg-config, and an
# apt-get that only writes down that it was called.
path_without_pkg_config() {
	local bin=$BATS_TEST_TMPDIR/bin t
	mkdir -p "$bin"
	for t in sh make cc cksum id sort tr sed cat mkdir rm env printf; do
		ln -sf "$(command -v "$t")" "$bin/$t"
	done
	cat >"$bin/apt-get" <<-EOF
	#!/bin/sh
	echo "\$*" >>"$BATS_TEST_TMPDIR/apt-get.called"
	exit 1
	EOF
	chmod +x "$bin/apt-get"
	echo "$bin"
}

@test "a plain make installs nothing: a missing package stops it with the apt-get line" {
	bin=$(path_without_pkg_config)
	run env PATH="$bin" make --no-print-directory B="$SCRATCH"
	[ "$status" -ne 0 ]
	# pkgconf, and whatever only pkg-config could have found
	[[ "$output" == *"deps: missing for the build step: "*"pkgconf"* ]]
	echo "$output" | grep -qx "deps: install them with:  \(sudo \)\?apt-get install -y .*pkgconf.*"
	[ ! -e "$BATS_TEST_TMPDIR/apt-get.called" ]
	# it stopped before compiling anything
	[ ! -e "$SCRATCH/obj" ]
}

@test "make deps and make run install what is missing, and say what" {
	bin=$(path_without_pkg_config)
	run env PATH="$bin" make --no-print-directory B="$SCRATCH" run
	[ "$status" -ne 0 ]
	[[ "$output" == *"deps: installing "*"pkgconf (for the build step)"* ]]
	grep -q '^install .*pkgconf' "$BATS_TEST_TMPDIR/apt-get.called"
	rm "$BATS_TEST_TMPDIR/apt-get.called"
	run env PATH="$bin" make --no-print-directory B="$SCRATCH" deps
	[ "$status" -ne 0 ]
	[[ "$output" == *"deps: installing "*"bats"*"jq"*"pkgconf"*"(for the check step)"* ]]
	grep -q '^install .*bats.*pkgconf' "$BATS_TEST_TMPDIR/apt-get.called"
	[ ! -e "$SCRATCH/obj" ]
}
