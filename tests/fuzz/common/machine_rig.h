/* pcemu's machine as machine_init() builds it (RAM, the legacy devices,
 * the PCI bus with the e1000 where firmware puts it), without a guest
 * image, a network backend or a real CPU: a fake vcpu keeps its
 * registers in memory. What the monitor and the gdb stub work on. */
#ifndef TESTS_FUZZ_MACHINE_RIG_H
#define TESTS_FUZZ_MACHINE_RIG_H

#include "machine.h"

#define MRIG_RAM_SIZE (256u << 10)

struct fake_cpu {
    struct cpu_state s;
    struct cpu_fpu f;
    struct cpu_debug dbg;
    unsigned kicks;
};

extern struct machine M;
extern struct fake_cpu FAKE;
extern uint8_t mrig_ram[MRIG_RAM_SIZE];

/* Builds M afresh (registers and RAM cleared); mrig_fini frees what it
 * allocated. */
struct input;

void mrig_init(void);
/* What the guest writes into its RAM next, from the input: an address in
 * it, and up to 64 bytes (how many, cut at the end of RAM). */
size_t mrig_ram_bytes(struct input *in, uint32_t *addr, uint8_t b[64]);
void mrig_fini(void);

#endif
