# ipc-top driven in tmux: start it on a terminal of a known size, send keys,
# read the screen (capture-pane) as a user sees it.  Loaded after the cli
# helpers: the same namespace guard, cleaning and object factory.

load ../cli/helpers

IPC_TOP=$B/bin/ipc-top
TOP_W=${TOP_W:-150}
TOP_H=${TOP_H:-45}

# top_start [ENV=VALUE...] -- ARGS...: ipc-top in a fresh tmux server; its
# exit status goes to $TOP_RC, the terminal's modes after it to $TOP_STTY.
top_start() {
	local envs=() q
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	# a server of its own each time: a killed one may still be going away
	TMUX_SOCK=$BATS_TEST_TMPDIR/tmux.$((++TOP_STARTS)).sock
	TOP_RC=$BATS_TEST_TMPDIR/top.rc
	TOP_STTY=$BATS_TEST_TMPDIR/top.stty
	TOP_ERR=$BATS_TEST_TMPDIR/top.err
	rm -f "$TOP_RC" "$TOP_STTY"
	# a bound, should a test lose it (ASan reports at exit): the test's own -n wins
	q=$(printf '%q ' "$IPC_TOP" -n 3000 "$@")
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x "$TOP_W" -y "$TOP_H" \
		"env LANG=C.UTF-8 XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config ${envs[*]} $q 2>$TOP_ERR; echo \$? >$TOP_RC; stty -a >$TOP_STTY; sleep 600"
	wait_screen 'F10Quit'
}

top_stop() {
	[ -n "${TMUX_SOCK:-}" ] && tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
	TMUX_SOCK=
	return 0
}

teardown() {
	top_stop
	clean_ns
}

# The screen as text; with -e, with its attributes as escape sequences.
screen() {
	tmux -S "$TMUX_SOCK" capture-pane -p "$@"
}

keys() {
	tmux -S "$TMUX_SOCK" send-keys "$@"
}

# Literal text typed, without tmux reading key names in it.
type_text() {
	tmux -S "$TMUX_SOCK" send-keys -l "$1"
}

# wait_screen REGEX [TENTHS]: until the screen shows REGEX (default 5 s).
wait_screen() {
	local i
	for i in $(seq "${2:-50}"); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	echo "the screen never showed /$1/:" >&2
	screen >&2
	[ -s "${TOP_ERR:-/dev/null}" ] && cat "$TOP_ERR" >&2
	return 1
}

# wait_gone REGEX [TENTHS]: until the screen no longer shows REGEX.
wait_gone() {
	local i
	for i in $(seq "${2:-50}"); do
		screen | grep -Eq -- "$1" || return 0
		sleep 0.1
	done
	echo "the screen still shows /$1/:" >&2
	screen >&2
	return 1
}

# wait_exit [TENTHS]: until ipc-top ended; its status in $status.
wait_exit() {
	local i
	for i in $(seq "${1:-50}"); do
		[ -s "$TOP_RC" ] && [ -s "$TOP_STTY" ] && { status=$(cat "$TOP_RC"); return 0; }
		sleep 0.1
	done
	echo "ipc-top did not exit" >&2
	screen >&2
	return 1
}

# The table's rows that name REFs of KIND, in the order shown.
refs_shown() {
	screen | grep -oE -- "$1:[^ ]+" || true
}

# The pid of ipc-top in the tmux pane.
top_pid() {
	pgrep -f -n -- "^$IPC_TOP" || pgrep -n ipc-top
}

# mouse COL ROW [BUTTON]: an xterm mouse report as the terminal sends it
# (1-based column and row; BUTTON 0 the left press, 64 and 65 the wheel)
mouse() {
	local ev
	printf -v ev '\e[M%b%b%b' "\\x$(printf %x $((32 + ${3:-0})))" \
		"\\x$(printf %x $((32 + $1)))" "\\x$(printf %x $((32 + $2)))"
	type_text "$ev"
	# a press of the left button is released too (3: released)
	if [ "${3:-0}" = 0 ]; then
		printf -v ev '\e[M#%b%b' "\\x$(printf %x $((32 + $1)))" "\\x$(printf %x $((32 + $2)))"
		type_text "$ev"
	fi
}

# The screen's row (1-based) of the first line matching REGEX.
row_of() {
	screen | grep -n -E -- "$1" | head -1 | cut -d: -f1
}
