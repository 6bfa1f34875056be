/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eventfd-posts [N]: the plain C loop make bench-scenario measures
 * ipc-scenario against: N writes of 1 to one eventfd (200,000 by default),
 * non-blocking as the scenario's eventfds are.  Prints the loop's time in
 * nanoseconds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	uint64_t one = 1;
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0 || n < 1) {
		perror("eventfd-posts");
		return 1;
	}
	uint64_t t0 = now();
	for (long i = 0; i < n; i++) {
		if (write(fd, &one, sizeof(one)) != sizeof(one)) {
			perror("eventfd-posts: write");
			return 1;
		}
	}
	uint64_t t1 = now();
	printf("%llu\n", (unsigned long long)(t1 - t0));
	return 0;
}
