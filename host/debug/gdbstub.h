/*
 * The gdb stub: -gdb tcp::PORT (or -s for port 1234). One debugger at a
 * time; while it is attached the guest runs only when it says so.
 */
#ifndef HOST_DEBUG_GDBSTUB_H
#define HOST_DEBUG_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu/cpu.h"

struct machine;
struct gdbstub;

struct gdbstub *gdbstub_open(struct machine *m, const char *spec, char *why, size_t whylen);
void gdbstub_close(struct gdbstub *g);

/* The vcpu stopped for a #BP or #DB the stub asked for. */
void gdbstub_debug_exit(struct gdbstub *g, const struct cpu_debug_exit *e);

bool gdbstub_has_breakpoint(struct gdbstub *g, uint64_t va);

/* The breakpoints and watchpoints in force while the debugger has the
 * guest running (continue, not a step); NULL otherwise. For a device's
 * writes into guest memory, which no CPU watchpoint sees (dma_watch.h). */
const struct cpu_debug *gdbstub_watching(struct gdbstub *g);

/* For tests: run one packet payload, the reply payload in out (empty for
 * "not supported"). Returns the reply length. */
size_t gdbstub_handle(struct gdbstub *g, const char *payload, size_t len,
                      char *out, size_t outlen);

#endif
