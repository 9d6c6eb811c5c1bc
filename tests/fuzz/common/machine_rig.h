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
void mrig_init(void);
void mrig_fini(void);

#endif
