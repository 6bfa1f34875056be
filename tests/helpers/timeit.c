/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * timeit RUNS COMMAND [ARG...]: runs COMMAND RUNS times with its output
 * thrown away and prints the median and the fastest wall time in
 * milliseconds, measured from fork to exit with CLOCK_MONOTONIC, so that
 * the benchmark scripts time the command and not a shell around it, the
 * largest resident set of any run, in KiB, and the median CPU time (user
 * and system, from wait4) in milliseconds.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: timeit RUNS COMMAND [ARG...]\n");
		return 2;
	}
	int runs = atoi(argv[1]);
	if (runs < 1) {
		fprintf(stderr, "timeit: RUNS must be at least 1\n");
		return 2;
	}
	double *ms = calloc((size_t)runs, sizeof(*ms));
	double *cpu = calloc((size_t)runs, sizeof(*cpu));
	long max_rss = 0;
	if (!ms || !cpu)
		return 1;
	for (int i = 0; i < runs; i++) {
		double start = now_ms();
		pid_t pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, STDOUT_FILENO);
			execvp(argv[2], argv + 2);
			perror(argv[2]);
			_exit(127);
		}
		int status;
		struct rusage ru;
		if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
			perror("timeit");
			return 1;
		}
		if (ru.ru_maxrss > max_rss)
			max_rss = ru.ru_maxrss;
		ms[i] = now_ms() - start;
		cpu[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
			 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "timeit: %s failed\n", argv[2]);
			return 1;
		}
	}
	qsort(ms, (size_t)runs, sizeof(*ms), cmp);
	qsort(cpu, (size_t)runs, sizeof(*cpu), cmp);
	printf("%.1f %.1f %ld %.1f\n", ms[runs / 2], ms[0], max_rss, cpu[runs / 2]);
	free(ms);
	free(cpu);
	return 0;
}
