/* A PCI bus as pcemu's machine has it, without a CPU: RAM, the memory
 * and I/O spaces, the i440FX host bridge, the PIIX3 and the e1000 at
 * 00:03.0 on a loop whose clock the harness moves. Rebuilt for every
 * input, so nothing one input did carries into the next. */
#ifndef TESTS_FUZZ_BUS_RIG_H
#define TESTS_FUZZ_BUS_RIG_H

#include <stdbool.h>
#include <stdint.h>
#include "core/loop.h"
#include "board.h"
#include "hw/e1000.h"

#define RIG_RAM_SIZE (1u << 20)

struct bus_rig {
    uint8_t *ram;
    struct region sysmem, ram_region, io;
    struct address_space mem_as, io_as;
    struct board board;         /* the PIIX3 and the e1000 of pcemu's */
    struct e1000 *nic;
    struct loop loop;
    uint64_t now;
    int irq_line;               /* what INTA shows the interrupt controller */
    unsigned irq_edges;
};

/* firmware: BARs, decoding and bus mastering as pcemu sets them before
 * the guest starts; otherwise left as at reset. */
void bus_rig_init(struct bus_rig *r, bool firmware);
void bus_rig_fini(struct bus_rig *r);

#endif
