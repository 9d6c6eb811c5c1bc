/* The register file as gdb's x86-64 target description lays it out. */
#ifndef HOST_DEBUG_GDB_TARGET_H
#define HOST_DEBUG_GDB_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include "cpu/cpu.h"

#define GDB_NUM_REGS 64

extern const char gdb_target_xml[];
extern const size_t gdb_target_xml_len;

/* Register n to or from its little-endian bytes; returns its size, or 0
 * for a number gdb should not have sent. */
size_t gdb_regs_get(const struct cpu_state *s, const struct cpu_fpu *f, int n, uint8_t *out);
size_t gdb_regs_set(struct cpu_state *s, struct cpu_fpu *f, int n, const uint8_t *in);
size_t gdb_regs_size(int n);

#endif
