/*
 * Builds a board from its devices' entries (board.h) and lists it.
 */
#include <inttypes.h>
#include <string.h>
#include "board.h"
#include "contract/platform.h"
#include "core/log.h"

void board_spaces_init(struct region *sysmem, struct region *io,
                       struct address_space *mem_as, struct address_space *io_as)
{
    region_init_container(sysmem, "system", UINT64_MAX);
    address_space_init(mem_as, "memory", sysmem);
    region_init_container(io, "io", 0x10000);
    address_space_init(io_as, "I/O", io);
}

void board_init(struct board *b, const struct board_config *cfg, struct region *sysmem,
                struct region *io, struct address_space *mem_as, struct address_space *io_as)
{
    memset(b, 0, sizeof *b);
    if (cfg)
        b->cfg = *cfg;
    b->io = io;
    b->io_as = io_as;
    /* PCI memory lies under RAM: a BAR never hides it */
    region_init_container(&b->pci_mem, "pci", UINT64_MAX);
    region_add(sysmem, &b->pci_mem, 0, -1);
    pci_host_init(&b->pci, &b->pci_mem, io, mem_as);
}

/* INTA on irq, set level-triggered in the PIIX's ELCR: PCI interrupts
 * are level-sensitive and shareable (PCI Local Bus 2.3, 2.2.6). */
static void route_inta(struct board *b, struct pci_device *pd, int irq)
{
    pd->irq = b->irq[irq];
    pd->config[PCI_INTERRUPT_LINE] = (uint8_t)irq;
    if (b->pic) {
        uint16_t port = irq < 8 ? PIC_ELCR1 : PIC_ELCR2;
        uint64_t elcr = as_read(b->io_as, port, 1);
        as_write(b->io_as, port, elcr | 1u << (irq & 7), 1);
    }
}

void *board_add(struct board *b, const struct board_device *d)
{
    if (b->n == BOARD_MAX_DEVICES) {
        log_error("%s: the board has no room for more than %d devices", d->name,
                  BOARD_MAX_DEVICES);
        return NULL;
    }
    void *dev = d->create(b, d);
    if (!dev) {
        log_error("cannot create the %s: out of memory", d->name);
        return NULL;
    }
    b->slot[b->n++] = (struct board_slot){ .desc = d, .dev = dev };
    for (unsigned i = 0; d->region && i < 3 && d->ports[i]; i++)
        region_add(b->io, d->region(dev, i), d->ports[i], 0);
    if (d->pci) {
        struct pci_device *pd = d->pci(dev);
        if (d->irq >= 0)
            route_inta(b, pd, d->irq);
        if (!b->cfg.unassigned_bars && d->command) {
            for (int i = 0; i < 2; i++)
                if (d->bars[i])
                    pci_firmware_set_bar(pd, i, d->bars[i]);
            pci_firmware_set_command(pd, d->command);
        }
    }
    return dev;
}

int board_add_all(struct board *b)
{
    for (unsigned i = 0; i < board_pc_count; i++)
        if (!board_add(b, &board_pc[i]))
            return -1;
    return 0;
}

void board_destroy(struct board *b)
{
    while (b->n) {
        struct board_slot *s = &b->slot[--b->n];
        s->desc->destroy(s->dev);
    }
}

const struct board_device *board_pc_device(const char *name)
{
    for (unsigned i = 0; i < board_pc_count; i++)
        if (strcmp(board_pc[i].name, name) == 0)
            return &board_pc[i];
    return NULL;
}

struct board_slot *board_find(struct board *b, const char *name)
{
    for (unsigned i = 0; i < b->n; i++)
        if (strcmp(b->slot[i].desc->name, name) == 0)
            return &b->slot[i];
    return NULL;
}

struct board_slot *board_nic(struct board *b)
{
    for (unsigned i = 0; i < b->n; i++)
        if (b->slot[i].desc->nic)
            return &b->slot[i];
    return NULL;
}

void *board_dev(struct board *b, const char *name)
{
    struct board_slot *s = board_find(b, name);
    return s ? s->dev : NULL;
}

struct pci_device *board_pci(struct board *b, const char *name)
{
    struct board_slot *s = board_find(b, name);
    return s && s->desc->pci ? s->desc->pci(s->dev) : NULL;
}

void board_start(struct board *b)
{
    for (unsigned i = 0; i < b->n; i++)
        if (b->slot[i].desc->start)
            b->slot[i].desc->start(b->slot[i].dev);
}

void board_set_dma_delay(struct board *b, uint64_t ns)
{
    for (unsigned i = 0; i < b->n; i++)
        if (b->slot[i].desc->dma_delay)
            b->slot[i].desc->dma_delay(b->slot[i].dev, ns);
}

void board_print_mac(FILE *out, const uint8_t mac[6])
{
    fprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
            mac[5]);
}

static void print_prop(FILE *out, int ind, const struct board_prop *p)
{
    switch (p->kind) {
    case PROP_UINT:
        fprintf(out, "%*s%s = %" PRIu64 " (0x%" PRIx64 ")\n", ind, "", p->name, p->value,
                p->value);
        break;
    case PROP_BOOL:
        fprintf(out, "%*s%s = %s\n", ind, "", p->name, p->value ? "true" : "false");
        break;
    case PROP_ISA_IRQ:
        fprintf(out, "%*sisa irq %" PRIu64 "\n", ind, "", p->value);
        break;
    case PROP_NONE:
        break;
    }
}

/* Newest first, as QEMU lists a bus's children. */
void board_qtree_isa(const struct board *b, FILE *out, int ind)
{
    for (unsigned i = b->n; i-- > 0;) {
        const struct board_device *d = b->slot[i].desc;
        for (unsigned q = 0; q < 2 && d->qtree[q].type; q++) {
            fprintf(out, "%*sdev: %s, id \"\"\n", ind, "", d->qtree[q].type);
            for (unsigned p = 0; p < 5; p++)
                print_prop(out, ind + 2, &d->qtree[q].props[p]);
        }
    }
}

const struct board_slot *board_slot_of(const struct board *b, const struct pci_device *pd)
{
    for (unsigned i = 0; i < b->n; i++) {
        const struct board_slot *s = &b->slot[i];
        if (s->desc->pci && s->desc->pci(s->dev) == pd)
            return s;
    }
    return NULL;
}
