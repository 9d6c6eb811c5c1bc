/* Single steps a hypervisor sent into the guest's #DB handler (gdb_step.c). */
#ifndef HOST_DEBUG_GDB_STEP_H
#define HOST_DEBUG_GDB_STEP_H

#include <stdbool.h>

struct machine;

/* After a single step that began at CPL cpl_before: if it ended one push
 * into the guest's #DB handler, put the vcpu back where the CPU's frame
 * says the step ended; true when it did. */
bool gdb_undo_diverted_step(struct machine *m, unsigned cpl_before);

#endif
