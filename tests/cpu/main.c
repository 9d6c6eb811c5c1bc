/*
 * cpu-test: pcemu's x86 interpreter against the host CPU and the SDM.
 *
 *   differential cases (cases/)         diff.c
 *   random instruction sequences        gen.c
 *   system tests (exceptions, paging,   sys_*.c
 *     I/O, 32-bit entry)
 *
 * Environment: CPU_TEST_SEED (the seed, default fixed so runs repeat),
 * CPU_TEST_ONLY (run only tests whose name contains it), CPU_TEST_RANDOM
 * (how many random sequences), CPU_TEST_VERBOSE=1 (every failing run).
 * Prints one line per failure and ends with "cpu: N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include "diff.h"
#include "gen.h"
#include "native.h"
#include "report.h"
#include "rig.h"
#include "sys.h"

#define DEFAULT_SEED 0x0c0ffee5eedull
#define DEFAULT_RANDOM 20000

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : dflt;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    uint64_t seed = env_u64("CPU_TEST_SEED", DEFAULT_SEED);
    report_seed = seed;
    report_verbose = env_u64("CPU_TEST_VERBOSE", 0) != 0;
    printf("cpu: seed %#llx (set CPU_TEST_SEED to change it)\n", (unsigned long long)seed);

    const char *why = native_setup();
    if (!why)
        why = diff_check_layout();
    if (why) {
        fail("setup", "%s", why);
        printf("cpu: %u passed, %u failed\n", report_passed, report_failed);
        return 1;
    }
    struct rig r;
    rig_init(&r);
    diff_run_all(&r, seed);
    gen_run(&r, seed, (unsigned)env_u64("CPU_TEST_RANDOM", DEFAULT_RANDOM));
    sys_run_all(&r);
    rig_free(&r);

    if (report_skipped)
        printf("cpu: %u checks skipped (see SKIP lines), not counted\n", report_skipped);
    printf("cpu: %u passed, %u failed\n", report_passed, report_failed);
    return report_failed ? 1 : 0;
}
