/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the figures depend on: CPUs, hypervisor, idle driver and halt
 * polling (on a virtual machine they decide what a wake-up costs), the
 * clock and its own cost, load, steal time.
 */
#include "bench.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* The first line of a small file, without its newline; "" when unreadable. */
static void read_line(const char *path, char *out, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	out[0] = '\0';
	if (fd >= 0) {
		n = read(fd, out, size - 1);
		close(fd);
	}
	if (n <= 0)
		return;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

static void cpu_model(char *out, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256];

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) != 0)
			continue;
		const char *v = strchr(line, ':');
		if (!v)
			continue;
		for (v++; *v == ' ' || *v == '\t'; v++)
			;
		snprintf(out, size, "%s", v);
		out[strcspn(out, "\n")] = '\0';
		break;
	}
	fclose(f);
}

static void hypervisor(char *out, size_t size)
{
	out[0] = '\0';
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;

	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return;
	/* The vendor leaf: "KVMKVMKVM", "Microsoft Hv", "VMwareVMware" ... */
	char id[13];
	__cpuid(0x40000000, a, b, c, d);
	memcpy(id, &b, 4);
	memcpy(id + 4, &c, 4);
	memcpy(id + 8, &d, 4);
	id[12] = '\0';
	static const struct {
		const char *id, *name;
	} known[] = {
		{ "KVMKVMKVM", "KVM" }, { "Microsoft Hv", "Hyper-V" },
		{ "VMwareVMware", "VMware" }, { "XenVMMXenVMM", "Xen" },
		{ "TCGTCGTCGTCG", "QEMU" }, { "ACRNACRNACRN", "ACRN" },
		{ " lrpepyh  vr", "Parallels" }, { "VBoxVBoxVBox", "VirtualBox" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		if (strncmp(id, known[i].id, strlen(known[i].id)) == 0) {
			snprintf(out, size, "%s", known[i].name);
			return;
		}
	}
	for (char *p = id; *p; p++)
		if (!isprint((unsigned char)*p))
			*p = '?';
	snprintf(out, size, "%s", *id ? id : "unknown");
#else
	char buf[32];

	read_line("/sys/hypervisor/type", buf, sizeof(buf));
	snprintf(out, size, "%s", buf);
#endif
}

/* The cheapest of many batches: what one call costs when nothing interferes. */
static uint64_t clock_cost(void)
{
	uint64_t best = UINT64_MAX;

	for (int batch = 0; batch < 20; batch++) {
		uint64_t t0 = bench_now();
		for (int i = 0; i < 1000; i++)
			bench_now();
		uint64_t per = (bench_now() - t0) / 1001;
		if (per < best)
			best = per;
	}
	return best;
}

int ipk_bench_machine(struct ipk_bench_machine *m)
{
	struct utsname u;
	struct timespec res;
	char buf[64];

	memset(m, 0, sizeof(*m));
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	m->cpus = n > 0 ? (int)n : 1;
	cpu_model(m->model, sizeof(m->model));
	hypervisor(m->hypervisor, sizeof(m->hypervisor));
	read_line("/sys/devices/system/cpu/cpuidle/current_driver", m->cpuidle_driver,
		  sizeof(m->cpuidle_driver));
	read_line("/sys/devices/system/cpu/cpuidle/current_governor", m->cpuidle_governor,
		  sizeof(m->cpuidle_governor));
	if (!m->cpuidle_governor[0])
		read_line("/sys/devices/system/cpu/cpuidle/current_governor_ro",
			  m->cpuidle_governor, sizeof(m->cpuidle_governor));
	read_line("/sys/module/haltpoll/parameters/guest_halt_poll_ns", buf, sizeof(buf));
	m->guest_halt_poll_ns = buf[0] ? strtoll(buf, NULL, 10) : -1;
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  m->clocksource, sizeof(m->clocksource));
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%.63s", u.release);
	if (getloadavg(m->loadavg, 3) < 0)
		memset(m->loadavg, 0, sizeof(m->loadavg));
	m->clock_cost_ns = clock_cost();
	if (clock_getres(CLOCK_MONOTONIC, &res) == 0)
		m->clock_resolution_ns = (uint64_t)res.tv_sec * 1000000000 + (uint64_t)res.tv_nsec;
	return 0;
}

uint64_t ipk_bench_steal_ns(void)
{
	char buf[512];
	unsigned long long v[8] = { 0 };

	/* "cpu  user nice system idle iowait irq softirq steal ...", in USER_HZ. */
	read_line("/proc/stat", buf, sizeof(buf));
	if (sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		return 0;
	long hz = sysconf(_SC_CLK_TCK);
	return (uint64_t)v[7] * (1000000000 / (uint64_t)(hz > 0 ? hz : 100));
}
