/* A struct machine with only RAM at 0, its memory and I/O spaces and a
 * CPU backend the test supplies (a fake), for what runs against a
 * machine without its board: the gdb stub, the DMA watch. */
#ifndef TESTS_UNIT_MACHINE_RAM_H
#define TESTS_UNIT_MACHINE_RAM_H

#include "machine.h"

static inline void machine_ram_init(struct machine *m, uint8_t *ram, size_t size,
                                    const struct cpu_ops *ops, void *cpu)
{
    loop_init(&m->loop);
    board_spaces_init(&m->sysmem, &m->io, &m->mem_as, &m->io_as);
    region_init_ram(&m->ram_region, "pc.ram", size, ram);
    region_add(&m->sysmem, &m->ram_region, 0, 0);
    m->cpu_ops = ops;
    m->cpu = cpu;               /* never dereferenced by a fake */
}

#endif
