/* Single steps a hypervisor sent into the guest's #DB handler (gdb_step.c). */
#ifndef HOST_DEBUG_GDB_STEP_H
#define HOST_DEBUG_GDB_STEP_H

#include <stdbool.h>

struct machine;

/* After a single step: if it ended one push into the guest's #DB handler
 * entered from CPL 3, put the vcpu back where the CPU's frame says the
 * step ended; true when it did. */
bool gdb_undo_diverted_step(struct machine *m);

#endif
