/*
 * Guest addresses to source: the function and file:line an instruction
 * belongs to, from the DWARF of the guest's ELF (elfutils' libdw), for
 * diagnostics that name the guest's line. Inlined calls are unwound as
 * addr2line -i does, and frames in headers (an inline register accessor)
 * are passed over to the line that called them.
 */
#ifndef HOST_DEBUG_SYMBOLIZE_H
#define HOST_DEBUG_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct symbolizer;

/* path: an ELF file whose addresses are looked up as linked (the guest
 * kernel runs where it is linked); NULL: this process as loaded (the
 * contract tests, whose driver code runs on the host). NULL when the
 * file cannot be read; symbolize() then never succeeds. */
struct symbolizer *symbolizer_open(const char *path);
void symbolizer_close(struct symbolizer *s);

/* "func (file:line)", followed by ", inlined in outer (file:line)" for
 * each function it was inlined into; file names relative to the
 * compilation directory. Without line information, "func+0xoff". false
 * (and buf empty) when the address is in no known function. */
bool symbolize(struct symbolizer *s, uint64_t addr, char *buf, size_t size);

#endif
