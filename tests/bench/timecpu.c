/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * timecpu COMMAND [ARG...]: runs COMMAND once with its output thrown away
 * and prints its wall time, its CPU time (user + system, from wait4's
 * rusage, children included) and each part, in milliseconds, and its peak
 * resident set in KiB: "WALL CPU USER SYS RSS".  CPU time is what a shared
 * machine disturbs least; the benchmark scripts take medians of it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double ms(const struct timeval *t)
{
	return (double)t->tv_sec * 1e3 + (double)t->tv_usec / 1e3;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: timecpu COMMAND [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("timecpu: fork");
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("timecpu: wait4");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("%.2f %.2f %.2f %.2f %ld\n", wall, ms(&ru.ru_utime) + ms(&ru.ru_stime),
	       ms(&ru.ru_utime), ms(&ru.ru_stime), ru.ru_maxrss);
	return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? 1 : 0;
}
