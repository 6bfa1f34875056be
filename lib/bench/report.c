/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Results and the machine as JSON, in one place for every caller: numbers
 * are JSON numbers, what was not measured is null.
 */
#include "bench.h"

#include <math.h>

const char *ipk_bench_placement(const int cpu[2])
{
	if (cpu[0] < 0 || cpu[1] < 0)
		return "any";
	return cpu[0] == cpu[1] ? "same" : "cross";
}

static int number(struct ipk_buf *out, double v, int decimals)
{
	if (isnan(v) || isinf(v))
		return ipk_buf_puts(out, "null");
	return ipk_buf_printf(out, "%.*f", decimals, v);
}

static double ratio(double now, double then)
{
	return now > 0 && then > 0 ? now / then : NAN;
}

static int baseline_json(const struct ipk_bench_result *r, const struct ipk_bench_figures *f,
			 bool streamed, struct ipk_buf *out)
{
	const struct {
		const char *key;
		double now, then;
	} v[] = {
		{ "p50", (double)r->rtt.p50, (double)f->rtt.p50 },
		{ "p99", (double)r->rtt.p99, (double)f->rtt.p99 },
		{ "p999", (double)r->rtt.p999, (double)f->rtt.p999 },
		{ "max", (double)r->rtt.max, (double)f->rtt.max },
		{ "msgs_per_s", streamed ? r->msgs_per_s : 0, f->msgs_per_s },
		{ "mb_per_s", streamed ? r->mb_per_s : 0, f->mb_per_s },
		{ "cpu_ns_per_rtt", r->cpu_ns_per_rtt, f->cpu_ns_per_rtt },
	};
	int rc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(v) && !rc; i++) {
		rc = ipk_buf_printf(out, "%s\"%s\": ", i ? ", " : "{", v[i].key);
		rc |= number(out, ratio(v[i].now, v[i].then), 4);
	}
	return rc ? rc : ipk_buf_puts(out, "}");
}

static int histogram_json(const struct ipk_hist *h, struct ipk_buf *out)
{
	uint64_t lo, hi, n;
	int rc = ipk_buf_puts(out, "[");

	for (size_t it = 0, k = 0; !rc && ipk_hist_next(h, &it, &lo, &hi, &n); k++)
		rc = ipk_buf_printf(out, "%s[%llu, %llu, %llu]", k ? ", " : "",
				    (unsigned long long)lo, (unsigned long long)hi,
				    (unsigned long long)n);
	return rc ? rc : ipk_buf_puts(out, "]");
}

int ipk_bench_result_json(const struct ipk_bench_result *r, const struct ipk_bench_json *opt,
			  struct ipk_buf *out)
{
	int rc = ipk_buf_puts(out, "{\"method\": ");

	rc |= ipk_buf_json_string(out, r->method ? r->method->name : "");
	rc |= ipk_buf_printf(out, ", \"size\": %llu, \"placement\": \"%s\", \"pin\": [%d, %d], ",
			     (unsigned long long)r->size, ipk_bench_placement(r->cpu),
			     r->cpu[0], r->cpu[1]);
	if (r->status != IPK_BENCH_OK) {
		rc |= ipk_buf_printf(out, "\"status\": \"%s\", \"error\": ",
				     ipk_bench_status_name(r->status));
		rc |= ipk_buf_json_string(out, r->why);
		return rc ? -ENOMEM : ipk_buf_puts(out, "}");
	}

	bool streamed = r->stream_count > 0;
	rc |= ipk_buf_printf(out, "\"count\": %llu, \"rtt_ns\": {\"min\": %llu, \"mean\": %.1f, "
			     "\"p50\": %llu, \"p90\": %llu, \"p99\": %llu, \"p999\": %llu, "
			     "\"max\": %llu}, \"msgs_per_s\": ",
			     (unsigned long long)r->count, (unsigned long long)r->rtt.min,
			     r->rtt.mean, (unsigned long long)r->rtt.p50,
			     (unsigned long long)r->rtt.p90, (unsigned long long)r->rtt.p99,
			     (unsigned long long)r->rtt.p999, (unsigned long long)r->rtt.max);
	rc |= number(out, streamed ? r->msgs_per_s : NAN, 0);
	rc |= ipk_buf_puts(out, ", \"mb_per_s\": ");
	rc |= number(out, streamed ? r->mb_per_s : NAN, 3);
	rc |= ipk_buf_printf(out, ", \"stream_count\": %llu, \"cpu_ns_per_rtt\": %.0f, "
			     "\"steal_ns\": %llu, \"vs_cacheline\": ",
			     (unsigned long long)r->stream_count, r->cpu_ns_per_rtt,
			     (unsigned long long)r->steal_ns);
	rc |= number(out, opt ? opt->vs_cacheline : NAN, 3);
	if (opt && opt->with_baseline) {
		rc |= ipk_buf_puts(out, ", \"vs_baseline\": ");
		rc |= opt->baseline ? baseline_json(r, opt->baseline, streamed, out)
				    : ipk_buf_puts(out, "null");
	}
	if (opt && opt->histogram && r->hist) {
		rc |= ipk_buf_puts(out, ", \"histogram\": ");
		rc |= histogram_json(r->hist, out);
	}
	return rc ? -ENOMEM : ipk_buf_puts(out, "}");
}

static int string_or_null(struct ipk_buf *out, const char *s)
{
	return *s ? ipk_buf_json_string(out, s) : ipk_buf_puts(out, "null");
}

int ipk_bench_machine_json(const struct ipk_bench_machine *m, uint64_t steal_ns,
			   struct ipk_buf *out)
{
	int rc = ipk_buf_printf(out, "{\"cpus\": %d, \"model\": ", m->cpus);

	rc |= string_or_null(out, m->model);
	rc |= ipk_buf_puts(out, ", \"hypervisor\": ");
	rc |= string_or_null(out, m->hypervisor);
	rc |= ipk_buf_puts(out, ", \"cpuidle_driver\": ");
	rc |= string_or_null(out, m->cpuidle_driver);
	rc |= ipk_buf_puts(out, ", \"cpuidle_governor\": ");
	rc |= string_or_null(out, m->cpuidle_governor);
	rc |= ipk_buf_puts(out, ", \"guest_halt_poll_ns\": ");
	rc |= m->guest_halt_poll_ns >= 0
		      ? ipk_buf_printf(out, "%lld", (long long)m->guest_halt_poll_ns)
		      : ipk_buf_puts(out, "null");
	rc |= ipk_buf_puts(out, ", \"clocksource\": ");
	rc |= string_or_null(out, m->clocksource);
	rc |= ipk_buf_printf(out, ", \"clock\": \"CLOCK_MONOTONIC\", \"clock_cost_ns\": %llu, "
			     "\"clock_resolution_ns\": %llu, \"kernel\": ",
			     (unsigned long long)m->clock_cost_ns,
			     (unsigned long long)m->clock_resolution_ns);
	rc |= string_or_null(out, m->kernel);
	rc |= ipk_buf_printf(out, ", \"loadavg\": [%.2f, %.2f, %.2f], \"steal_ns\": %llu, "
			     "\"ipckit\": \"%s\"}", m->loadavg[0], m->loadavg[1], m->loadavg[2],
			     (unsigned long long)steal_ns, IPCKIT_VERSION);
	return rc ? -ENOMEM : 0;
}
