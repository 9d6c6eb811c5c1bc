/*
 * Runs every hand-written case: each with `runs` input vectors (edge
 * values in every register but RSP, random arithmetic flags and DF,
 * random scratch memory), on the host and on the interpreter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diff.h"
#include "need.h"
#include "layout.h"
#include "pair.h"
#include "report.h"

extern const struct diff_case __start_cpu_cases[], __stop_cpu_cases[];
extern const uint64_t __start_cpu_layout[], __stop_cpu_layout[];

/* at most this many failing runs of one case are printed */
#define SHOWN_PER_CASE 3

const char *diff_check_layout(void)
{
    for (const uint64_t *p = __start_cpu_layout; p + 4 <= __stop_cpu_layout; p += 4)
        if (p[0] != CODE_VA || p[1] != SCRATCH_VA || p[2] != SCRATCH_SIZE || p[3] != STACK_TOP)
            return "layout.inc and layout.h disagree";
    if (__stop_cpu_cases - __start_cpu_cases == 0)
        return "no cases linked in";
    return NULL;
}

void diff_run_all(struct rig *r, uint64_t seed)
{
    uint32_t host = host_features(), interp = interp_features(r);
    static uint8_t scratch[SCRATCH_SIZE];
    char name[160], msg[2048], regs[512];
    bool host_only = getenv("CPU_TEST_HOST") && *getenv("CPU_TEST_HOST") == '1';

    for (const struct diff_case *dc = __start_cpu_cases; dc < __stop_cpu_cases; dc++) {
        snprintf(name, sizeof name, "%s/%s", dc->file, dc->name);
        if (!selected(name))
            continue;
        if (dc->need & ~host) {
            skip(name, "the host CPU lacks %s", feature_names(dc->need & ~host));
            continue;
        }
        if (dc->need & ~interp) {
            skip(name, "the interpreter's CPUID does not claim %s",
                 feature_names(dc->need & ~interp));
            continue;
        }
        if (dc->len + 14 > CODE_SIZE) {
            fail(name, "case too long (%llu bytes)", (unsigned long long)dc->len);
            continue;
        }
        pair_load(r, dc->code, dc->len);
        unsigned failed = 0;
        for (uint32_t run = 0; run < dc->runs; run++) {
            uint64_t s = seed_for(seed, name, run);
            struct rng g = { s };
            struct cpu_state in;
            pair_inputs(&g, &in, scratch);
            if (host_only) {
                pair_host_dump(name, &in, scratch);
                continue;
            }
            if (pair_run(r, &in, scratch, dc->undef, msg, sizeof msg)) {
                pass();
                continue;
            }
            if (failed++ < SHOWN_PER_CASE || report_verbose) {
                format_regs(regs, sizeof regs, &in);
                fail(name, "run %u (seed %#llx, CPU_TEST_ONLY='%s'):%s in: %s", run,
                     (unsigned long long)seed, name, msg, regs);
            } else {
                report_failed++;
            }
        }
        if (failed > SHOWN_PER_CASE && !report_verbose)
            printf("note %s: %u of %u runs failed (%u shown; CPU_TEST_VERBOSE=1 shows all)\n",
                   name, failed, dc->runs, SHOWN_PER_CASE);
    }
}
