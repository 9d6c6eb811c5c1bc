/*
 * Device diagnostics for people writing drivers: one warning line on
 * stderr naming the guest instruction that caused it, as function and
 * file:line of the guest's source.
 *
 * The guest's console (COM1 on stdout) and these warnings often share a
 * terminal or a file (2>&1). Both are written unbuffered, so a warning
 * printed while the guest is in the middle of a line would land inside
 * that line and break its TAP. A warning is therefore held while the
 * console is mid-line and printed right after the guest's next newline
 * (or when pcemu stops), so it always stands on a line of its own.
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
/* Prints what is still held (the run is over): after a newline if the
 * guest's last line never ended and shares stderr's file. */
void diag_flush(struct diag *d);
void diag_destroy(struct diag *d);

/* What the guest wrote to a console that shares the terminal: a line
 * ending there lets held warnings out. */
void diag_console(struct diag *d, const uint8_t *buf, size_t len);

/* One warning (through log_warn, "pcemu: warning: " first), held while
 * the console is mid-line. d may be NULL: printed at once. */
void diag_warn(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The guest instruction making the current device access; false when
 * unknown (d NULL, no vcpu, a backend that cannot tell). */
bool diag_access_pc(struct diag *d, uint64_t *pc);

/* "0x1018f0 in e1000_flush (guest/drivers/e1000.c:281)", or just the
 * address when it cannot be symbolized. */
void diag_where(struct diag *d, uint64_t pc, char *buf, size_t size);

#endif
