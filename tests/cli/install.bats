#!/usr/bin/env bats
# make install honours PREFIX and DESTDIR; what it installs works on its
# own (pkg-config, the shared library with its soname, man pages,
# completions); make uninstall takes it all away again.

load helpers

setup() {
	require_private_ns || return 1
	DEST=$BATS_TEST_TMPDIR/dest
	MAKEARGS="-s B=$B"
	if [[ "$B" == *san* ]]; then MAKEARGS="$MAKEARGS SANITIZE=1"; fi
}

@test "make install puts everything under DESTDIR/PREFIX" {
	run make $MAKEARGS install DESTDIR="$DEST" PREFIX=/opt/ipckit
	[ "$status" -eq 0 ]
	for f in bin/ipc-ls lib/libipckit.a lib/libipckit.so lib/libipckit.so.0 \
		include/ipckit.h include/ipckit-bench.h include/ipckit-scenario.h include/ipckit-snapshot.h \
		lib/pkgconfig/ipckit.pc share/man/man1/ipc-ls.1 share/man/man5/ipc-scenario.5 \
		share/ipckit/scenarios/conformance/pipe.yaml share/man/man3/libipckit.3 \
		share/man/man7/ipckit.7 share/man/man7/ipckit-lessons.7 \
		share/ipckit/scenarios/teaching/pc-pipe.yaml share/ipckit/scenarios/conformance/memfd.yaml \
		share/bash-completion/completions/ipc-ls \
		share/zsh/site-functions/_ipckit share/fish/vendor_completions.d/ipc-ls.fish; do
		[ -e "$DEST/opt/ipckit/$f" ] || { echo "missing $f"; false; }
	done
	grep -qx 'prefix=/opt/ipckit' "$DEST/opt/ipckit/lib/pkgconfig/ipckit.pc"
	[ "$(readlink "$DEST/opt/ipckit/lib/libipckit.so")" = libipckit.so.0 ]
	objdump -p "$DEST/opt/ipckit/lib/libipckit.so.0" | grep -q 'SONAME *libipckit.so.0'
	"$DEST/opt/ipckit/bin/ipc-ls" -V
	# nothing lands outside DESTDIR/PREFIX
	[ "$(ls "$DEST")" = opt ]
}

@test "a program builds against the installed library with pkg-config" {
	[[ "$B" != *san* ]] || skip "the sanitizer build needs its runtime to link"
	make $MAKEARGS install DESTDIR="$DEST" PREFIX=/usr/local
	cat >"$BATS_TEST_TMPDIR/count.c" <<-'EOF'
	#include <ipckit.h>
	#include <stdio.h>
	int main(void)
	{
		struct ipk_ctx *ctx = ipk_ctx_new();
		struct ipk_filter *f = ipk_filter_new();
		char *bad = NULL;
		if (ipk_filter_set_kinds(f, "shm,pshm", &bad))
			return 1;
		struct ipk_list *l = ipk_scan(ctx, f, 0);
		printf("%zu\n", ipk_list_len(l));
		ipk_list_free(l);
		ipk_filter_free(f);
		ipk_ctx_free(ctx);
		return 0;
	}
	EOF
	export PKG_CONFIG_PATH=$DEST/usr/local/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$DEST
	cc -o "$BATS_TEST_TMPDIR/count" "$BATS_TEST_TMPDIR/count.c" \
		$(pkg-config --cflags --libs ipckit)
	mk sysv-shm >/dev/null
	mk posix-shm name=/x >/dev/null
	run env LD_LIBRARY_PATH="$DEST/usr/local/lib" "$BATS_TEST_TMPDIR/count"
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]
	# the shared library exports the ipk_ API and nothing else
	! nm -D --defined-only "$DEST/usr/local/lib/libipckit.so" | awk '{print $3}' | grep -v -e '^ipk_' -e '^IPCKIT_[0-9.]*$' || false
}

# The first example of a man page, as C: roff's escapes undone.
man_example() {
	sed -n '/^\.SH EXAMPLE/,/^\.SH /p' "$1" |
		awk '/^\.EX/ { n++; next } /^\.EE/ { if (n == 1) exit; next } n == 1' |
		sed -e 's/\\-/-/g' -e 's/\\(aq/\x27/g' -e 's/\\(dq/"/g' -e 's/\\e/\\/g'
}

@test "the example of libipckit(3) builds against the installed library and runs" {
	[[ "$B" != *san* ]] || skip "the sanitizer build needs its runtime to link"
	make $MAKEARGS install DESTDIR="$DEST" PREFIX=/usr/local
	man_example "$DEST/usr/local/share/man/man3/libipckit.3" >"$BATS_TEST_TMPDIR/shm.c"
	grep -q '^int main(void)$' "$BATS_TEST_TMPDIR/shm.c"
	export PKG_CONFIG_PATH=$DEST/usr/local/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$DEST
	# as a user would build it, warnings as errors
	cc -Wall -Wextra -Werror -o "$BATS_TEST_TMPDIR/shm" "$BATS_TEST_TMPDIR/shm.c" \
		$(pkg-config --cflags --libs ipckit)
	# it links the installed shared library, not the build tree's
	run env LD_LIBRARY_PATH="$DEST/usr/local/lib" ldd "$BATS_TEST_TMPDIR/shm"
	[[ "$output" == *"libipckit.so.0 => $DEST/usr/local/lib/libipckit.so.0"* ]]
	run env LD_LIBRARY_PATH="$DEST/usr/local/lib" "$BATS_TEST_TMPDIR/shm"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	shm=$(mk sysv-shm size=4096)
	mk posix-shm name=/x size=100 >/dev/null
	mk sysv-msg >/dev/null
	run --separate-stderr env LD_LIBRARY_PATH="$DEST/usr/local/lib" "$BATS_TEST_TMPDIR/shm"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	owner=$(id -un)
	[ "$output" = "$(printf '%s 4096 %s\nposix-shm:/x 100 %s' "$shm" "$owner" "$owner")" ]
	# what the page says it prints, but for the id of the segment
	sed -n '/^it prints one line per object/,$p' man/libipckit.3 | sed -n '/^\.EX/,/^\.EE/p' |
		sed -e 's/\\-/-/g' | grep -qx "posix-shm:/x 100 root"
}

@test "make uninstall removes what make install put there" {
	make $MAKEARGS install DESTDIR="$DEST" PREFIX=/usr/local
	make $MAKEARGS uninstall DESTDIR="$DEST" PREFIX=/usr/local
	run find "$DEST" -type f -o -type l
	[ -z "$output" ]
}

# The functions the public headers declare, by name (comments stripped by the preprocessor).
declared() {
	for h in lib/ipckit.h lib/ipckit-*.h; do
		cc -E -P -Ilib "$h"
	done | grep -o 'ipk_[a-z0-9_]*(' | tr -d '(' | sort -u
}

@test "the API is what the headers declare: libipckit.sym, the .so and the .a agree" {
	sym=$(sed -n 's/^[[:space:]]*\(ipk_[a-z0-9_]*\);$/\1/p' lib/libipckit.sym | sort)
	[ "$(declared)" = "$sym" ] || { diff <(declared) <(echo "$sym"); false; }
	so=$(nm -D --defined-only "$B/lib/libipckit.so" | awk '$3 ~ /^ipk_/ { sub(/@.*/, "", $3); print $3 }' | sort -u)
	[ "$so" = "$sym" ] || { diff <(echo "$so") <(echo "$sym"); false; }
	# every global of the static library is an exported name: nothing like list_add leaks
	a=$(nm -g --defined-only "$B/lib/libipckit.a" | awk 'NF == 3 { print $3 }' | sort -u)
	[ "$a" = "$sym" ] || { diff <(echo "$a") <(echo "$sym"); false; }
}

@test "one version: the header, the library, the .pc, the soname and --version agree" {
	v=$(sed -n 's/^#define IPCKIT_VERSION "\(.*\)"$/\1/p' lib/ipckit.h)
	[ -n "$v" ]
	grep -qx "Version: $v" "$B/lib/ipckit.pc"
	[ -e "$B/lib/libipckit.so.$v" ]
	objdump -p "$B/lib/libipckit.so.$v" | grep -q "SONAME *libipckit.so.${v%%.*}$"
	for cmd in "$B"/bin/ipc-*; do
		[ "$("$cmd" --version)" = "$(basename "$cmd") (ipckit) $v" ]
	done
	# the library tells its own at run time
	printf '#include <ipckit.h>\n#include <stdio.h>\nint main(void) { puts(ipk_version()); return 0; }\n' \
		>"$BATS_TEST_TMPDIR/v.c"
	# the sanitizer build's archive needs its runtime
	san=
	[[ "$B" != *san* ]] || san=-fsanitize=address,undefined
	"${CC:-cc}" $san -Ilib -o "$BATS_TEST_TMPDIR/v" "$BATS_TEST_TMPDIR/v.c" "$B/lib/libipckit.a" -lpthread \
		$(pkg-config --libs yaml-0.1)
	[ "$("$BATS_TEST_TMPDIR/v")" = "$v" ]
}
