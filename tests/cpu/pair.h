/* One differential run: the same code, registers and scratch memory on
 * the host CPU and on the interpreter, compared. */
#ifndef TESTS_CPU_PAIR_H
#define TESTS_CPU_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rig.h"
#include "state.h"
#include "values.h"

/* The RFLAGS bits compared (RF, VM, VIF and VIP are not: see pair.c). */
#define CMP_FLAGS (X86_ARITH_FLAGS | 0x2 | X86_TF | X86_IF | X86_DF | X86_IOPL | X86_NT | \
                   X86_AC | X86_ID)

/* Input registers and scratch memory for one run. */
void pair_inputs(struct rng *g, struct cpu_state *in, uint8_t *scratch);

/* Loads code for the runs that follow (both sides). */
void pair_load(struct rig *r, const uint8_t *code, size_t len);
/* Runs it; false and a description of every difference in msg if the
 * two disagree on anything but the flags in undef. */
bool pair_run(struct rig *r, const struct cpu_state *in, const uint8_t *scratch,
              uint64_t undef, char *msg, size_t n);

/* Runs on the host only and prints how it ended (CPU_TEST_HOST=1: for
 * writing cases). */
void pair_host_dump(const char *name, const struct cpu_state *in, const uint8_t *scratch);

/* "rax=... rcx=... ... fl=..." */
void format_regs(char *buf, size_t n, const struct cpu_state *s);

#endif
