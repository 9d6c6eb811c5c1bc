/* The hand-written differential cases (the files in cases/, via cases.inc). */
#ifndef TESTS_CPU_DIFF_H
#define TESTS_CPU_DIFF_H

#include <stdint.h>
#include "rig.h"

/* an entry of section cpu_cases, as ENDCASE writes it */
struct diff_case {
    const char *name;
    const char *file;
    const uint8_t *code;
    uint64_t len;
    uint64_t undef;     /* flags not compared */
    uint32_t runs;
    uint32_t need;      /* NEED_* */
};

/* Checks the case files agree with layout.h; NULL or what disagrees. */
const char *diff_check_layout(void);
void diff_run_all(struct rig *r, uint64_t seed);

#endif
