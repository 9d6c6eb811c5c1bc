/* What the system tests share: loading a blob (sys/blobs.asm), entering
 * it at CPL 0 or 3, running to a label, and checking values. */
#ifndef TESTS_CPU_SYS_UTIL_H
#define TESTS_CPU_SYS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rig.h"
#include "state.h"

struct sys_test {
    struct rig *r;
    struct x86_cpu *c;
    char name[96];
    const uint8_t *blob;
    uint64_t base;              /* linear address the blob runs at */
    struct cpu_state in;        /* registers to start with */
    struct outcome o;           /* how the run ended */
};

#define BLOB(name) extern const uint8_t name[], name##_end[]

/* A topic's tests, a table that ends with a NULL name: sys_run_all runs
 * each (if CPU_TEST_ONLY selects "sys/<name>") in a fresh rig. */
struct sys_entry {
    const char *name;
    void (*fn)(struct sys_test *);
};
/* Fresh rig with the blob at CODE_VA (user-accessible) or, _low, at
 * LOW_CODE_PA (supervisor). Registers zero, RSP at STACK_TOP (CPL 3) or
 * below KSTACK_TOP (CPL 0) unless set, RIP at entry. */
void sys_begin(struct sys_test *t, const uint8_t *start, const uint8_t *end,
               const uint8_t *entry);
void sys_begin_low(struct sys_test *t, const uint8_t *start, const uint8_t *end,
                   const uint8_t *entry);
uint64_t sys_va(const struct sys_test *t, const uint8_t *label);
/* Enters (after the test changed t->in or the rig) and runs to stop. */
void sys_run_user(struct sys_test *t, const uint8_t *stop);
void sys_run_kernel(struct sys_test *t, const uint8_t *stop);

/* One check each; a failing one prints a line with the test's name. */
bool expect(struct sys_test *t, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool expect_eq(struct sys_test *t, const char *what, uint64_t got, uint64_t want);
/* The run ended in this exception (or -1: at the stop label). */
bool expect_vector(struct sys_test *t, int vector);
/* The exception frame: RIP, error code, CS, SS, RSP pushed, and where the
 * handler's RSP ended up. */
void expect_frame(struct sys_test *t, uint64_t rip, uint64_t cs, uint64_t ss, uint64_t rsp,
                  uint64_t handler_rsp);

/* The topics */
extern const struct sys_entry sys_except_tests[], sys_paging_tests[], sys_io_tests[],
    sys_misc_tests[], sys_fpu_tests[], sys_sysreg_tests[], sys_pm32_tests[];

#endif
