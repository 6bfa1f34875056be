# compare LABEL OLD NEW [ARG...]: times the commands OLD ARG... and NEW
# ARG... in alternating rounds (so load that comes and goes falls on both)
# and prints the median wall time of each and their ratio.  For the
# benchmarks' BASELINE=DIR: a build of the code before a change, timed in
# the same run as the change.
compare() {
	local label=$1 old=$2 new=$3 rounds=${ROUNDS:-9} a=() b=() ms
	shift 3
	for _ in $(seq "$rounds"); do
		read -r ms _ < <("$B/tests/timeit" 3 "$old" "$@")
		a+=("$ms")
		read -r ms _ < <("$B/tests/timeit" 3 "$new" "$@")
		b+=("$ms")
	done
	local before after
	before=$(printf '%s\n' "${a[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	after=$(printf '%s\n' "${b[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	printf '%-40s before %8s ms  after %8s ms  after/before %s\n' "$label" "$before" "$after" \
		"$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.2f", a / b }')"
}
