/* Running a case's bytes on the host CPU, at CPL 3 under Linux. */
#ifndef TESTS_CPU_NATIVE_H
#define TESTS_CPU_NATIVE_H

#include <stddef.h>
#include <stdint.h>
#include "state.h"

/* The bytes the case's code is followed by (a jump back to the harness);
 * the interpreter's copy gets the same bytes, so memory agrees. */
#define EXIT_STUB_LEN 14
void native_exit_stub(uint8_t out[EXIT_STUB_LEN]);

/* Maps CODE_VA, SCRATCH_VA and a guard page after it, installs the fault
 * handlers. Returns NULL, or why it could not. */
const char *native_setup(void);
/* Loads the code (with the exit stub after it) at CODE_VA. */
void native_load(const uint8_t *code, size_t len);
/* Runs from CODE_VA with the given registers and scratch memory; on
 * return scratch_out holds the memory afterwards. */
void native_run(const struct cpu_state *in, const uint8_t *scratch_in, struct outcome *out,
                uint8_t *scratch_out);

#endif
