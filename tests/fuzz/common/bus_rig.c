#include <string.h>
#include "bus_rig.h"
#include "contract/pci.h"
#include "core/log.h"

static uint8_t ram[RIG_RAM_SIZE];

static uint64_t rig_now(void *opaque)
{
    return ((struct bus_rig *)opaque)->now;
}

static void inta(void *opaque, int n, int level)
{
    struct bus_rig *r = opaque;
    if (level != r->irq_line)
        r->irq_edges++;
    r->irq_line = level;
}

/* Warnings are the model's answer to a hostile guest: expected here, and
 * too many to print. */
static void quiet(void *opaque, const char *line) { }

void bus_rig_init(struct bus_rig *r, bool firmware)
{
    memset(r, 0, sizeof *r);
    memset(ram, 0, sizeof ram);
    r->ram = ram;
    log_capture(quiet, NULL);
    board_spaces_init(&r->sysmem, &r->io, &r->mem_as, &r->io_as);
    region_init_ram(&r->ram_region, "pc.ram", RIG_RAM_SIZE, ram);
    region_add(&r->sysmem, &r->ram_region, 0, 0);
    static const struct board_config cfg = { .mac = E1000_DEFAULT_MAC };
    board_init(&r->board, &cfg, &r->sysmem, &r->io, &r->mem_as, &r->io_as);
    r->board.cfg.unassigned_bars = !firmware;
    loop_init(&r->loop);
    r->now = 1000000000ull;
    r->loop.now = rig_now;
    r->loop.now_opaque = r;
    r->board.loop = &r->loop;
    r->board.irq[PCI_E1000_IRQ] = (struct irq_line){ inta, r, PCI_E1000_IRQ };
    board_add(&r->board, board_pc_device("piix3"));
    r->nic = board_add(&r->board, board_pc_device("e1000"));
    if (firmware)   /* and bus mastering, which the fuzzer would otherwise rarely find */
        pci_firmware_set_command(e1000dev_pci(r->nic),
                                 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

void bus_rig_fini(struct bus_rig *r)
{
    board_destroy(&r->board);
    r->nic = NULL;
}
