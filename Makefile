# ipckit: one non-recursive Makefile.  Everything it builds goes to $(B)/.
#
#   make                  library, commands (build/bin/ipc-*), ipckit.pc; installs
#                         nothing: a missing package stops it with the apt-get line
#   make deps             install what building and testing need (root, Debian)
#   make run              deps, build, then list this machine's IPC objects
#   make check            deps, then every test, each file in a private IPC, mount
#                         and PID namespace, JOBS=2 files at a time
#   make valgrind         the commands under valgrind (CI runs it)
#   make fuzz             libFuzzer targets, FUZZ_SECONDS=60 each (clang)
#   make bench-ls         ipc-ls against its floor, ipcs -a and lsipc: 30,200 and 100,002 objects
#   make bench-fds        the /proc scan against its floor, ss -xp and lsfd (1,000, 5,000 processes)
#   make bench-compare    ipc-bench against an independent ping-pong, p50 ratios
#   make bench-rm         ipc-rm on 19,200 SysV objects, against its floor and ipcrm
#   make bench-scenario   200,000 eventfd posts of ipc-scenario against a C loop
#   make bench-watch      ipc-watch latency, idle cost and churn; ipc-exporter scrapes
#   make bench-top        ipc-top's CPU per refresh on 30,200 objects, in tmux
#   make install          PREFIX=/usr/local DESTDIR= (uninstall reverses it)
#   make WERROR=1         warnings are errors
#   make SANITIZE=1       AddressSanitizer + UBSan build, into build-san/
#   make V=1              show the commands
#   make CC=clang         any C11 compiler with GNU extensions

# The version is written once, in lib/ipckit.h.
VERSION := $(shell sed -n 's/^\#define IPCKIT_VERSION "\([0-9][0-9.]*\)"$$/\1/p' lib/ipckit.h)
SOVERSION := $(firstword $(subst ., ,$(VERSION)))

ifeq ($(SANITIZE),1)
B ?= build-san
else
B ?= build
endif

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
SCENARIODIR ?= $(PREFIX)/share/ipckit/scenarios
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
LD ?= ld
OBJCOPY ?= objcopy
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wwrite-strings -Wvla
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARNINGS) $(CFLAGS) $(CPPFLAGS) $(YAML_CFLAGS)

# What libipckit itself links with, and what the commands add.
LIB_LIBS := -lpthread
CMD_LIBS := -lm
# libyaml reads scenario files (lib/scenario/).
YAML_CFLAGS := $(shell $(PKG_CONFIG) --cflags yaml-0.1 2>/dev/null)
YAML_LIBS := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)
LIB_LIBS += $(YAML_LIBS)

# The process scan reads every process through BPF iterators where the
# kernel lets it (lib/procs-bpf.c): clang compiles the object for the BPF
# target, bpftool embeds it as a light skeleton, which the kernel itself
# relocates and loads; libbpf's headers only, no library to link.
BPF_CLANG ?= clang
BPFTOOL ?= bpftool
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/')
BPF_CFLAGS = $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)

# ipc-exporter alone serves HTTP: libmicrohttpd is linked into it only.
# (= not :=: pkg-config is asked after the deps step has installed it)
MHD_CFLAGS = $(shell $(PKG_CONFIG) --cflags libmicrohttpd 2>/dev/null)
MHD_LIBS = $(shell $(PKG_CONFIG) --libs libmicrohttpd 2>/dev/null)
$(B)/obj/cmd/ipc-exporter.o: ALL_CFLAGS += $(MHD_CFLAGS)
$(B)/bin/ipc-exporter: CMD_LIBS += $(MHD_LIBS)

# ipc-top (tui/) alone draws a screen: ncursesw is linked into it only.
NCURSES_CFLAGS = $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
NCURSES_LIBS = $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-7s %s\n' $(1) $(2);
endif

LIB_SRCS := $(filter-out %.bpf.c,$(sort $(wildcard lib/*.c lib/*/*.c)))
CMD_COMMON_SRCS := $(filter-out cmd/ipc-%.c,$(sort $(wildcard cmd/*.c)))
CMD_SRCS := $(sort $(wildcard cmd/ipc-*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
TUI_SRCS := $(sort $(wildcard tui/*.c))
# Floor programs of the benchmarks (the calls and nothing else) and timecpu: built as helpers are.
BENCH_SRCS := $(sort $(wildcard tests/bench/*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)
CMD_COMMON_OBJS := $(CMD_COMMON_SRCS:%.c=$(B)/obj/%.o)
TUI_OBJS := $(TUI_SRCS:%.c=$(B)/obj/%.o)
COMMANDS := $(CMD_SRCS:cmd/%.c=$(B)/bin/%) $(B)/bin/ipc-top
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
HELPERS := $(HELPER_SRCS:tests/helpers/%.c=$(B)/tests/%) \
	$(BENCH_SRCS:tests/bench/%.c=$(B)/tests/%)
# LD_PRELOAD shims that break one documented behaviour (tests/helpers/shims/).
SHIM_SRCS := $(sort $(wildcard tests/helpers/shims/*.c))
HELPERS += $(SHIM_SRCS:tests/helpers/shims/%.c=$(B)/tests/%.so)

STATIC_LIB := $(B)/lib/libipckit.a
SHARED_LIB := $(B)/lib/libipckit.so.$(VERSION)
SHARED_LINKS := $(B)/lib/libipckit.so.$(SOVERSION) $(B)/lib/libipckit.so
PC_FILE := $(B)/lib/ipckit.pc

MAN_PAGES := $(sort $(wildcard man/*.[1-9]))
SCENARIOS := $(sort $(wildcard scenarios/*/*.yaml))

.PHONY: all deps deps-build deps-check run check unit cli valgrind fuzz bench-ls bench-fds \
	bench-compare bench-rm bench-scenario fuzz-targets install uninstall clean FORCE
.PHONY: bench-watch bench-top tui
.DEFAULT_GOAL := all
# Keep the objects that pattern rules chain through.
.SECONDARY:

all: $(STATIC_LIB) $(SHARED_LIB) $(SHARED_LINKS) $(PC_FILE) $(COMMANDS)

# The deps step (build-aux/deps) installs packages only for the goals that
# say they do; any other build only checks, and a missing package stops it
# with the exact apt-get line.
ifneq ($(filter deps run check unit cli tui valgrind fuzz bench-%,$(MAKECMDGOALS)),)
DEPS_INSTALL := --install
endif

deps:
	@sh build-aux/deps --install check
	@sh build-aux/deps --install valgrind

deps-build:
	@sh build-aux/deps $(DEPS_INSTALL) build

deps-check: deps-build
	@sh build-aux/deps $(DEPS_INSTALL) check

# Every object and binary depends on the flags it was built with: a change
# of CC, CFLAGS, CPPFLAGS, LDFLAGS, WERROR or SANITIZE rebuilds everything,
# the same flags nothing.  $(B)/flags holds a hash of them; it is rewritten
# only when they differ (and never under make -n).
BUILD_FLAGS := $(CC) $(ALL_CFLAGS) | $(LDFLAGS) | $(LIB_LIBS) $(CMD_LIBS)
FLAGS_HASH := $(firstword $(shell printf '%s' '$(subst ','\'',$(BUILD_FLAGS))' | cksum))
FLAGS_STAMP := $(B)/flags
ifneq ($(FLAGS_HASH),$(strip $(file <$(FLAGS_STAMP))))
$(FLAGS_STAMP): FORCE
endif
$(FLAGS_STAMP):
	@mkdir -p $(@D)
	@echo $(FLAGS_HASH) >$@
FORCE:

# What each object includes, as the compiler saw it (-MMD -MP).
DEPFLAGS = -MMD -MP -MF $(@:.o=.d)
-include $(wildcard $(B)/obj/*/*.d $(B)/obj/*/*/*.d $(B)/obj/*/*/*/*.d)

# Every object of this machine, then how many of each kind.
run: all
	@$(B)/bin/ipc-ls
	@echo
	@$(B)/bin/ipc-ls --summary

# ------------------------------------------------------------------ build

$(B)/obj/lib/%.o: lib/%.c $(FLAGS_STAMP) | deps-build
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -fPIC -Ilib -c -o $@ $<

# The BPF object: CO-RE against the running kernel's BTF (lib/bpf/kernel.h), no vmlinux.h.
$(B)/obj/lib/bpf/procs.bpf.o: lib/bpf/procs.bpf.c $(FLAGS_STAMP) | deps-build
	@mkdir -p $(@D)
	$(call say,BPF,$@)$(BPF_CLANG) -target bpf -O2 -g -Wall -Werror -D__TARGET_ARCH_$(BPF_ARCH) \
		$(BPF_CFLAGS) $(DEPFLAGS) -Ilib/bpf -c -o $@ $<

$(B)/obj/lib/bpf/procs.skel.h: $(B)/obj/lib/bpf/procs.bpf.o
	$(call say,GEN,$@)$(BPFTOOL) gen skeleton -L $< name procs_bpf >$@.tmp && mv $@.tmp $@

$(B)/obj/lib/procs-bpf.o: $(B)/obj/lib/bpf/procs.skel.h
$(B)/obj/lib/procs-bpf.o: ALL_CFLAGS += $(BPF_CFLAGS) -I$(B)/obj/lib

$(B)/obj/cmd/%.o: cmd/%.c $(FLAGS_STAMP) | deps-build
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Ilib -Icmd -c -o $@ $<

$(B)/obj/tui/%.o: tui/%.c $(FLAGS_STAMP) | deps-build
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(ALL_CFLAGS) $(NCURSES_CFLAGS) $(DEPFLAGS) -Ilib -Icmd -Itui -c -o $@ $<

# The names libipckit.sym exports: the only global symbols of either library.
$(B)/lib/exports.txt: lib/libipckit.sym
	@mkdir -p $(@D)
	$(Q)sed -n 's/^[[:space:]]*\(ipk_[a-z0-9_]*\);$$/\1/p' $< >$@

# One relocatable object with every internal symbol made local, so that a
# program linking libipckit.a sees the same API as one linking the .so.
$(B)/obj/libipckit.o: $(LIB_OBJS) $(B)/lib/exports.txt
	$(call say,LD,$@)$(LD) -r -o $@ $(LIB_OBJS)
	$(Q)$(OBJCOPY) --keep-global-symbols=$(B)/lib/exports.txt $@

$(STATIC_LIB): $(B)/obj/libipckit.o
	@mkdir -p $(@D)
	@rm -f $@
	$(call say,AR,$@)$(AR) rcs $@ $^

$(SHARED_LIB): $(LIB_OBJS) lib/libipckit.sym $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -shared \
		-Wl,-soname,libipckit.so.$(SOVERSION) \
		-Wl,--version-script=lib/libipckit.sym -o $@ $(LIB_OBJS) $(LIB_LIBS)

$(B)/lib/libipckit.so.$(SOVERSION): $(SHARED_LIB)
	$(Q)ln -sf $(notdir $<) $@
$(B)/lib/libipckit.so: $(B)/lib/libipckit.so.$(SOVERSION)
	$(Q)ln -sf $(notdir $<) $@

$(PC_FILE): lib/ipckit.pc.in Makefile
	@mkdir -p $(@D)
	$(call say,GEN,$@)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' $< >$@

# Commands link the library statically: build/bin/ works without installing.
$(B)/bin/%: $(B)/obj/cmd/%.o $(CMD_COMMON_OBJS) $(STATIC_LIB) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CMD_COMMON_OBJS) \
		$(STATIC_LIB) $(LIB_LIBS) $(CMD_LIBS)

$(B)/bin/ipc-top: $(TUI_OBJS) $(CMD_COMMON_OBJS) $(STATIC_LIB) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TUI_OBJS) $(CMD_COMMON_OBJS) \
		$(STATIC_LIB) $(LIB_LIBS) $(CMD_LIBS) $(NCURSES_LIBS)

# ------------------------------------------------------------------ tests

$(B)/obj/tests/%.o: tests/%.c $(FLAGS_STAMP) | deps-build
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Ilib -Itests/unit -c -o $@ $<

# Unit tests reach the library's internals: they link its objects, not the archive.
$(B)/tests/test-%: $(B)/obj/tests/unit/test-%.o $(LIB_OBJS) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIB_LIBS)

$(B)/tests/%: $(B)/obj/tests/helpers/%.o $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) -lpthread

$(B)/tests/%: $(B)/obj/tests/bench/%.o $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) -lpthread

# Without the sanitizers: a shim preloaded before their runtime would stop it.
$(B)/tests/%.so: tests/helpers/shims/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -O2 -g -fPIC -shared -o $@ $< -ldl

# Every test runs in a private IPC, mount and PID namespace (tests/run-in-ns):
# the unit tests in one, each bats file in its own, JOBS files at a time.
JOBS ?= 2

check: deps-check all $(UNIT_TESTS) $(HELPERS)
	@BUILD=$(B) JOBS=$(JOBS) tests/run-all

unit: deps-check all $(UNIT_TESTS)
	@BUILD=$(B) JOBS=$(JOBS) tests/run-all unit

cli: deps-check all $(HELPERS)
	@BUILD=$(B) JOBS=$(JOBS) tests/run-all cli

# ipc-top in tmux (part of check too)
tui: deps-check all $(HELPERS)
	@BUILD=$(B) JOBS=$(JOBS) tests/run-all tui

# The commands under valgrind: slow, so not in check; CI runs it.
valgrind: deps-check all $(HELPERS)
	@sh build-aux/deps $(DEPS_INSTALL) valgrind
	@BUILD=$(B) JOBS=$(JOBS) tests/run-all valgrind

bench-ls: deps-check all $(HELPERS)
	@BUILD=$(B) tests/run-in-ns tests/bench/bench-ls

bench-fds: deps-check all $(HELPERS)
	@BUILD=$(B) tests/run-in-ns tests/bench/bench-fds

bench-rm: deps-check all $(HELPERS)
	@BUILD=$(B) tests/run-in-ns tests/bench/bench-rm

bench-scenario: deps-check all $(HELPERS)
	@BUILD=$(B) tests/run-in-ns tests/bench/bench-scenario
bench-watch: deps-check all $(HELPERS)
	@BUILD=$(B) tests/run-in-ns tests/bench/bench-watch
bench-top: deps-check all $(HELPERS)
	@BUILD=$(B) tests/run-in-ns tests/bench/bench-top

# A benchmark, not a test: both CPU placements, takes a few minutes.
bench-compare: deps-check all $(HELPERS)
	@BUILD=$(B) tests/run-in-ns tests/bench/bench-compare

# ------------------------------------------------------------------- fuzz

# libFuzzer targets (tests/fuzz/fuzz-*.c) over the library built with clang,
# ASan and UBSan into build-fuzz/; each runs FUZZ_SECONDS in the private
# namespace, from its corpus tests/fuzz/TARGET/.  Not part of check.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)

fuzz:
	@sh build-aux/deps $(DEPS_INSTALL) fuzz
	@$(MAKE) --no-print-directory B=build-fuzz CC=$(FUZZ_CC) CFLAGS='$(FUZZ_CFLAGS)' \
		LDFLAGS='-fsanitize=address,undefined' SANITIZE= fuzz-targets
	@BUILD=build-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run-in-ns tests/fuzz/run

fuzz-targets: $(FUZZ_BINS)

$(B)/fuzz/%: tests/fuzz/%.c $(STATIC_LIB) $(FLAGS_STAMP) | deps-build
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Ilib -o $@ $< $(STATIC_LIB) \
		$(LIB_LIBS)

# ---------------------------------------------------------------- install

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(COMMANDS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libipckit.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libipckit.so.$(SOVERSION)
	ln -sf libipckit.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libipckit.so
	install -m 644 lib/ipckit.h lib/ipckit-bench.h lib/ipckit-scenario.h lib/ipckit-snapshot.h \
		$(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' lib/ipckit.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/ipckit.pc
	for page in $(MAN_PAGES); do \
		sec=$${page##*.}; install -d $(DESTDIR)$(MANDIR)/man$$sec; \
		install -m 644 $$page $(DESTDIR)$(MANDIR)/man$$sec/ || exit 1; \
	done
	for cmd in $(notdir $(COMMANDS)); do \
		install -m 644 completions/bash/ipckit $(DESTDIR)$(BASHCOMPDIR)/$$cmd || exit 1; \
	done
	install -m 644 completions/zsh/_ipckit $(DESTDIR)$(ZSHCOMPDIR)/_ipckit
	for f in $(SCENARIOS:scenarios/%=%); do \
		install -d $(DESTDIR)$(SCENARIODIR)/$$(dirname $$f) && \
		install -m 644 scenarios/$$f $(DESTDIR)$(SCENARIODIR)/$$f || exit 1; \
	done
	for cmd in $(notdir $(COMMANDS)); do \
		install -m 644 completions/fish/ipckit.fish $(DESTDIR)$(FISHCOMPDIR)/$$cmd.fish || exit 1; \
	done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(COMMANDS)))
	rm -f $(DESTDIR)$(LIBDIR)/libipckit.a $(DESTDIR)$(LIBDIR)/libipckit.so \
		$(DESTDIR)$(LIBDIR)/libipckit.so.$(SOVERSION) \
		$(DESTDIR)$(LIBDIR)/libipckit.so.$(VERSION)
	rm -f $(DESTDIR)$(INCLUDEDIR)/ipckit.h $(DESTDIR)$(INCLUDEDIR)/ipckit-bench.h $(DESTDIR)$(PKGCONFIGDIR)/ipckit.pc
	rm -f $(DESTDIR)$(INCLUDEDIR)/ipckit-scenario.h
	rm -f $(addprefix $(DESTDIR)$(SCENARIODIR)/,$(SCENARIOS:scenarios/%=%))
	rm -f $(DESTDIR)$(INCLUDEDIR)/ipckit-snapshot.h
	for page in $(MAN_PAGES); do \
		rm -f $(DESTDIR)$(MANDIR)/man$${page##*.}/$$(basename $$page); \
	done
	rm -f $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(notdir $(COMMANDS)))
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_ipckit
	rm -f $(addsuffix .fish,$(addprefix $(DESTDIR)$(FISHCOMPDIR)/,$(notdir $(COMMANDS))))

clean:
	rm -rf build build-san build-fuzz
