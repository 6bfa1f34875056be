#!/usr/bin/env bats
# Prometheus output: ipc-ls --format prometheus and ipc-exporter over HTTP
# and as a textfile, checked by promtool and scraped by the real
# node_exporter's textfile collector.

load helpers

# a free port on the loopback
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# exporter ARGS...: ipc-exporter in the background on $PORT; waits for /metrics
exporter() {
	PORT=$(free_port)
	ipc-exporter --listen "127.0.0.1:$PORT" "$@" >"$BATS_TEST_TMPDIR/x.out" 2>&1 </dev/null 3>&- &
	EXPORTER=$!
	HOLDERS+=("$EXPORTER")
	local i
	for i in $(seq 200); do
		curl -sf "http://127.0.0.1:$PORT/metrics" >/dev/null 2>&1 && return 0
		kill -0 "$EXPORTER" 2>/dev/null || { cat "$BATS_TEST_TMPDIR/x.out" >&2; return 1; }
		sleep 0.05
	done
	return 1
}

# sample FILE METRIC{LABELS}: the value of one series
sample() {
	awk -v s="$2" '$1 == s { print $2 }' "$1"
}

@test "ipc-ls --format prometheus: every family with HELP and TYPE, promtool finds nothing" {
	command -v promtool >/dev/null || skip "promtool (prometheus) is not installed"
	mk --count 3 sysv-shm size=4096 >/dev/null
	mk posix-mq name=/q send=2 >/dev/null
	mk posix-sem name=/s >/dev/null
	ipc-ls --format prometheus >"$BATS_TEST_TMPDIR/p"
	run promtool check metrics <"$BATS_TEST_TMPDIR/p"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	p=$BATS_TEST_TMPDIR/p
	[ "$(sample "$p" 'ipckit_objects{kind="sysv-shm"}')" = 3 ]
	[ "$(sample "$p" 'ipckit_size_bytes{kind="sysv-shm"}')" = 12288 ]
	[ "$(sample "$p" 'ipckit_queued_messages{kind="posix-mq"}')" = 2 ]
	[ "$(sample "$p" 'ipckit_orphan_objects{kind="sysv-shm"}')" = 3 ]
	[ "$(sample "$p" 'ipckit_limit_used{resource="SHMMNI"}')" = 3 ]
	[ "$(sample "$p" 'ipckit_limit{resource="SHMMNI"}')" = "$(cat /proc/sys/kernel/shmmni)" ]
	grep -q '^ipckit_scan_duration_seconds [0-9.]*$' "$p"
	# every family: HELP, then TYPE, then its samples together
	for f in $(grep -o '^ipckit_[a-z_]*' "$p" | sort -u); do
		grep -q "^# HELP $f " "$p" && grep -q "^# TYPE $f gauge$" "$p"
		[ "$(grep -n "^$f[{ ]" "$p" | cut -d: -f1 | awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { print bad + 0 }')" = 0 ]
	done
	# per-object series only when asked
	! grep -q ipckit_object_ "$p" || false
	# every row of --limits that has a limit is there
	for r in $(ipc-ls --limits --json | jq -r '.limits[] | select(.limit != null) | .resource'); do
		grep -q "^ipckit_limit{resource=\"$r\"} " "$p" || { echo "no ipckit_limit for $r"; false; }
	done
}

@test "--per-object: labels kind, ref, name, owner, escaped as the format says" {
	command -v promtool >/dev/null || skip "promtool (prometheus) is not installed"
	mk posix-shm name='/a"b\c' size=4096 >/dev/null
	mk posix-mq name=/q send=3 >/dev/null
	ipc-ls --format prometheus --per-object --kind posix-shm,posix-mq >"$BATS_TEST_TMPDIR/p"
	run promtool check metrics <"$BATS_TEST_TMPDIR/p"
	[ "$status" -eq 0 ]
	# the ref as commands take it back (a backslash is \x5c), the name as it is
	grep -qF 'ipckit_object_size_bytes{kind="posix-shm",ref="posix-shm:/a\"b\\x5cc",name="/a\"b\\c",owner="root"} 4096' "$BATS_TEST_TMPDIR/p"
	grep -qF 'ipckit_object_queued_messages{kind="posix-mq",ref="posix-mq:/q",name="/q",owner="root"} 3' "$BATS_TEST_TMPDIR/p"
	grep -q '^ipckit_object_change_time_seconds{kind="posix-mq",.*} [0-9]\{10\}$' "$BATS_TEST_TMPDIR/p"
	grep -q '^ipckit_series_dropped_total 0$' "$BATS_TEST_TMPDIR/p"
}

@test "--max-series caps per-object series and counts what it dropped" {
	mk --count 20 posix-shm name=/m%d >/dev/null
	run ipc-ls --format prometheus --per-object --max-series 10 --kind posix-shm
	[ "$status" -eq 0 ]
	# whole objects only: 4 series each (size, attached, holders, ctime), 2 fit in 10
	[ "$(echo "$output" | grep -c '^ipckit_object_')" -eq 8 ]
	[ "$(echo "$output" | awk '$1 == "ipckit_series_dropped_total" { print $2 }')" -eq 72 ]
	run ipc-ls --format prometheus --max-series 10
	[ "$status" -eq 2 ]
	run ipc-ls --format prometheus --per-object --max-series 0
	[ "$status" -eq 2 ]
	run ipc-ls --format yaml
	[ "$status" -eq 2 ]
	[[ "$output" == "ipc-ls: unknown format 'yaml'"* ]]
}

@test "ipc-exporter: /metrics, / and errors; values follow the objects" {
	command -v promtool >/dev/null || skip "promtool (prometheus) is not installed"
	exporter --interval 200ms
	run curl -s -D - "http://127.0.0.1:$PORT/metrics" -o "$BATS_TEST_TMPDIR/m"
	[[ "$output" == *"Content-Type: text/plain; version=0.0.4; charset=utf-8"* ]]
	run promtool check metrics <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	[ "$(sample "$BATS_TEST_TMPDIR/m" 'ipckit_objects{kind="posix-shm"}')" = 0 ]
	mk --count 4 posix-shm name=/e%d >/dev/null
	for i in $(seq 100); do
		curl -s "http://127.0.0.1:$PORT/metrics" -o "$BATS_TEST_TMPDIR/m"
		[ "$(sample "$BATS_TEST_TMPDIR/m" 'ipckit_objects{kind="posix-shm"}')" = 4 ] && break
		sleep 0.05
	done
	[ "$(sample "$BATS_TEST_TMPDIR/m" 'ipckit_objects{kind="posix-shm"}')" = 4 ]
	run curl -s "http://127.0.0.1:$PORT/"
	[[ "$output" == *'<a href="/metrics">'* ]]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nope")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/metrics")" = 405 ]
	kill -TERM "$EXPORTER"
	st=0
	wait "$EXPORTER" || st=$?
	[ "$st" -eq 0 ]
}

@test "ipc-exporter: filters and --per-object apply as in ipc-ls" {
	mk posix-shm name=/keep size=4096 >/dev/null
	mk posix-shm name=/other size=4096 >/dev/null
	exporter --interval 200ms --kind posix-shm --name 'keep*' --per-object
	curl -s "http://127.0.0.1:$PORT/metrics" -o "$BATS_TEST_TMPDIR/m"
	[ "$(sample "$BATS_TEST_TMPDIR/m" 'ipckit_objects{kind="posix-shm"}')" = 1 ]
	! grep -q 'ipckit_objects{kind="sysv-shm"}' "$BATS_TEST_TMPDIR/m" || false
	grep -q 'ref="posix-shm:/keep"' "$BATS_TEST_TMPDIR/m"
	! grep -q 'posix-shm:/other' "$BATS_TEST_TMPDIR/m" || false
}

@test "ipc-exporter: a slow or silent client stalls no other scrape" {
	exporter --interval 200ms
	# clients that connect and send half a request, then nothing
	for i in 1 2 3 4 5; do
		exec {fd}<>/dev/tcp/127.0.0.1/"$PORT"
		printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n' >&$fd
		eval "slow$i=$fd"
	done
	start=$(date +%s%N)
	for i in $(seq 10); do
		curl -sf --max-time 2 "http://127.0.0.1:$PORT/metrics" >/dev/null
	done
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "10 scrapes beside 5 stalled clients: $ms ms"
	[ "$ms" -lt 5000 ]
	for i in 1 2 3 4 5; do eval "exec {slow$i}>&-"; done
}

@test "ipc-exporter --textfile: rewritten atomically, nothing left beside it" {
	command -v promtool >/dev/null || skip "promtool (prometheus) is not installed"
	dir=$BATS_TEST_TMPDIR/tf
	mkdir "$dir"
	mk --count 2 sysv-msg >/dev/null
	run ipc-exporter --textfile "$dir/ipckit.prom" --interval 100ms --count 3
	[ "$status" -eq 0 ]
	[ "$(ls "$dir")" = ipckit.prom ]
	run promtool check metrics <"$dir/ipckit.prom"
	[ "$status" -eq 0 ]
	[ "$(sample "$dir/ipckit.prom" 'ipckit_objects{kind="sysv-msg"}')" = 2 ]
	# a reader never sees a half-written file: every read parses whole
	ipc-exporter --textfile "$dir/ipckit.prom" --interval 10ms --count 200 3>&- &
	w=$!
	while kill -0 "$w" 2>/dev/null; do
		tail -n 1 "$dir/ipckit.prom" | grep -q '^ipckit_scan_duration_seconds ' ||
			{ echo "torn file"; tail -n 2 "$dir/ipckit.prom"; false; }
	done
	wait "$w"
	run ipc-exporter --textfile /nonexistent-dir/x.prom --count 1
	[ "$status" -eq 1 ]
	[[ "$output" == "ipc-exporter: cannot write '/nonexistent-dir/x.prom': no such file or directory" ]]
}

@test "node_exporter's textfile collector reads both outputs: no scrape error, the values" {
	command -v prometheus-node-exporter >/dev/null || skip "prometheus-node-exporter is not installed"
	dir=$BATS_TEST_TMPDIR/collector
	mkdir "$dir"
	mk --count 3 sysv-sem >/dev/null
	mk posix-mq name=/ne maxmsg=10 send=5 >/dev/null
	ipc-exporter --textfile "$dir/ipckit.prom" --per-object --count 1
	ipc-ls --format prometheus --kind posix-mq >"$dir/one-shot.prom.tmp"
	# node_exporter wants one file per set of families: the one-shot goes alone
	port=$(free_port)
	mkdir "$dir/2"
	mv "$dir/one-shot.prom.tmp" "$dir/2/ipckit.prom"
	for d in "$dir" "$dir/2"; do
		prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
			--collector.disable-defaults --collector.textfile \
			--collector.textfile.directory="$d" >"$BATS_TEST_TMPDIR/ne.log" 2>&1 3>&- &
		ne=$!
		HOLDERS+=("$ne")
		for i in $(seq 100); do
			curl -sf "http://127.0.0.1:$port/metrics" -o "$BATS_TEST_TMPDIR/ne" && break
			sleep 0.1
		done
		kill "$ne"
		wait "$ne" || true
		grep -q '^node_textfile_scrape_error 0$' "$BATS_TEST_TMPDIR/ne" ||
			{ cat "$BATS_TEST_TMPDIR/ne.log"; grep textfile "$BATS_TEST_TMPDIR/ne"; false; }
		[ "$(sample "$BATS_TEST_TMPDIR/ne" 'ipckit_queued_messages{kind="posix-mq"}')" = 5 ]
	done
	# the first directory had the exporter's file, per-object series included
	grep -q '^ipckit_objects{kind="sysv-sem"} 3$' "$dir/ipckit.prom"
	grep -q 'ipckit_object_queued_messages{kind="posix-mq",ref="posix-mq:/ne"' "$dir/ipckit.prom"
}

@test "ipc-exporter usage errors: one line, exit 2; a port in use: exit 1" {
	for args in "--listen nonsense" "--listen 127.0.0.1:99999" "--interval 0" "--max-series 5" \
		"--count x" "--kind nope" "operand"; do
		run ipc-exporter $args
		[ "$status" -eq 2 ] || { echo "$args: $status $output"; false; }
		[ "$(lines_of "$output")" -eq 1 ]
	done
	exporter
	run ipc-exporter --listen "127.0.0.1:$PORT"
	[ "$status" -eq 1 ]
	[[ "$output" == "ipc-exporter: cannot listen on '127.0.0.1:$PORT': address already in use" ]]
}

@test "ipc-exporter(1): its scrape configuration and alert rules pass promtool" {
	command -v promtool >/dev/null || skip "promtool (prometheus) is not installed"
	unroff() { sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e '/^\.fi/d'; }
	sed -n '/^groups:/,/^\.fi/p' man/ipc-exporter.1 | unroff >"$BATS_TEST_TMPDIR/rules.yml"
	run promtool check rules "$BATS_TEST_TMPDIR/rules.yml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"SUCCESS: 3 rules found"* ]]
	{ sed -n '/^scrape_configs:/,/^\.fi/p' man/ipc-exporter.1 | unroff
	  echo "rule_files: [rules.yml]"; } >"$BATS_TEST_TMPDIR/prometheus.yml"
	run promtool check config "$BATS_TEST_TMPDIR/prometheus.yml"
	[ "$status" -eq 0 ]
}
