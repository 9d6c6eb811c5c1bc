/*
 * Device diagnostics for people writing drivers: the guest instruction
 * behind a device access, as function and file:line of the guest's
 * source, for a warning (log_warn, which keeps it off the console's
 * open line) to name.
 */
#ifndef HOST_DEBUG_DIAG_H
#define HOST_DEBUG_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;

/* kernel: the guest ELF to symbolize with (NULL: this process, for the
 * contract tests), opened at the first warning that needs it.
 * access_pc: the guest address of the instruction whose device access
 * is being performed, false when unknown (machine_access_pc). */
struct diag *diag_create(const char *kernel, bool (*access_pc)(void *opaque, uint64_t *pc),
                         void *opaque);
void diag_destroy(struct diag *d);

/* The guest instruction making the current device access; false when
 * unknown (d NULL, no vcpu, a backend that cannot tell). */
bool diag_access_pc(struct diag *d, uint64_t *pc);

/* "0x1018f0 in e1000_flush (guest/drivers/e1000.c:281)", or just the
 * address when it cannot be symbolized. */
void diag_where(struct diag *d, uint64_t pc, char *buf, size_t size);

#endif
