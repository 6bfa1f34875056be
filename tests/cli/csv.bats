#!/usr/bin/env bats
# --csv, the shared output mode every command has: a header line, RFC 4180
# quoting, --noheadings, the same cells as the table.

load helpers

@test "ipc-ls --csv: a header, one line per object, quoting where needed" {
	mk posix-shm name=/plain size=10 >/dev/null
	mk posix-shm 'name=/with,comma' size=20 >/dev/null
	mk posix-shm 'name=/with"quote' size=30 >/dev/null
	run --separate-stderr "$IPC_LS" --csv -o name,size --bytes --kind pshm
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NAME,SIZE" ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[1]}" = "/plain,10" ]
	[ "${lines[2]}" = '"/with""quote",30' ]
	[ "${lines[3]}" = '"/with,comma",20' ]
	run --separate-stderr "$IPC_LS" --csv --noheadings -o name --kind pshm
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "/plain" ]
}

@test "ipc-ls --csv: absent fields are empty, an empty listing is its header" {
	mk sysv-shm size=4096 >/dev/null
	run --separate-stderr "$IPC_LS" --csv -o kind,name,size --kind shm
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "sysv-shm,,4K" ]
	clean_ns
	run --separate-stderr "$IPC_LS" --csv -o kind --kind shm
	[ "$status" -eq 0 ]
	[ "$output" = "KIND" ]
}
