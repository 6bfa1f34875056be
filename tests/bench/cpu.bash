# cpu.bash: CPU time and wall time of commands, medians over rounds.
# run_once KEY COMMAND...: runs it once under timecpu and keeps "WALL CPU
# RSS" under KEY; median_of KEY wall|cpu: the median kept; fastest_of KEY:
# the least wall time; peak_of KEY: the largest resident set, in KiB; row
# LABEL KEY [REF] prints both medians and, given a REF key, KEY's ratio to
# REF in each.
# Rounds alternate the commands, so load that comes and goes on a shared
# machine falls on all of them.
CPU_DIR=$(mktemp -d)

run_once() {
	local key=$1
	shift
	"$B/tests/timecpu" "$@" | awk '{ print $1, $2, $5 }' >>"$CPU_DIR/$key"
}

median_of() {
	local col=1
	[ "$2" = cpu ] && col=2
	sort -g -k"$col","$col" "$CPU_DIR/$1" |
		awk -v c="$col" '{ v[NR] = $c } END { if (NR) printf "%.1f", v[int((NR + 1) / 2)]; else print "nan" }'
}

fastest_of() {
	sort -g -k1,1 "$CPU_DIR/$1" | awk 'NR == 1 { printf "%.1f", $1 }'
}

peak_of() {
	sort -g -k3,3 "$CPU_DIR/$1" | awk '{ v = $3 } END { print v }'
}

ratio_of() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

row() {
	local label=$1 key=$2 ref=${3:-} w c
	w=$(median_of "$key" wall)
	c=$(median_of "$key" cpu)
	if [ -n "$ref" ]; then
		printf '%-46s %9s %9s %8s %8s\n' "$label" "$w" "$c" \
			"$(ratio_of "$w" "$(median_of "$ref" wall)")" "$(ratio_of "$c" "$(median_of "$ref" cpu)")"
	else
		printf '%-46s %9s %9s\n' "$label" "$w" "$c"
	fi
}

header() {
	printf '\n%-46s %9s %9s %8s %8s\n' "$1" "wall ms" "CPU ms" "wall/$2" "CPU/$2"
}

cpu_cleanup() {
	rm -rf "$CPU_DIR"
}
