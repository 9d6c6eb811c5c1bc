/*
 * The board: which devices the PC has, declared once (board_pc.c), and
 * what builds them. Each entry says where the device sits (ISA ports or a
 * PCI slot), its interrupt line, where firmware leaves its BARs, what
 * `info qtree` shows of it, its monitor hooks and its teardown; the
 * machine, `info qtree`, `info pci`, `info network`, `set_link` and the
 * tests' rigs are all built from the entries. A device's queued-write
 * ranges are declared by the device itself on its regions
 * (region_set_write_queue), ports and MMIO alike.
 */
#ifndef HOST_BOARD_H
#define HOST_BOARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "core/irq.h"
#include "core/memory.h"
#include "hw/pci_host.h"

#define BOARD_MAX_DEVICES 16
#define BOARD_IRQS 16

struct board;
struct loop;
struct diag;
struct pic;
struct user_net;

/* One property line of `info qtree`. */
enum board_prop_kind { PROP_NONE, PROP_UINT, PROP_BOOL, PROP_ISA_IRQ };
struct board_prop {
    enum board_prop_kind kind;
    const char *name;
    uint64_t value;
};

/* One `dev:` entry of `info qtree` on the ISA bus (an ISA device may
 * show as more than one: the 8259A pair is two). */
struct board_qdev {
    const char *type;               /* QEMU's type name */
    struct board_prop props[5];
};

/* A network card's monitor hooks: `info network`, `set_link`, -stats. */
struct board_nic {
    const char *model;
    void (*set_link)(void *dev, bool up);
    bool (*link)(const void *dev);
    void (*mac)(const void *dev, uint8_t mac[6]);
    void (*frames)(const void *dev, uint64_t *tx, uint64_t *rx);
    struct net_client *(*client)(void *dev);
    void (*print_stats)(const void *dev, FILE *out);   /* -stats: its own counts */
};

struct board_slot;

/* What a device is, for the board. */
struct board_device {
    const char *name;               /* the board's and the monitor's name for it */
    /* Creates the device wired to b (its loop, interrupt lines, the
     * diagnostics); NULL when out of memory. */
    void *(*create)(struct board *b, const struct board_device *d);
    void (*destroy)(void *dev);
    /* ISA: its port regions and where they go. */
    struct region *(*region)(void *dev, unsigned i);
    uint16_t ports[3];              /* region i at ports[i]; 0: no more */
    /* PCI: its function, slot, and what firmware does to it before
     * handing over (BARs, COMMAND; bus mastering is the driver's). */
    struct pci_device *(*pci)(void *dev);
    uint8_t devfn;
    uint64_t bars[2];
    uint16_t command;
    int irq;                        /* PIC input; for PCI, INTA routed there, level */
    /* `info qtree`: ISA entries as QEMU lists them; a PCI function's own
     * properties before its common ones. */
    struct board_qdev qtree[2];
    void (*qtree_props)(const struct board_slot *s, FILE *out, int indent);
    bool isa_bus;                   /* the ISA devices hang below it */
    /* monitor: `info NAME` (help text in info_help), a NIC's hooks */
    void (*info)(void *dev, FILE *out);
    const char *info_help;
    const struct board_nic *nic;
    /* the guest is about to run (the loop's clock is the vcpu's) */
    void (*start)(void *dev);
    /* how long after a doorbell the device starts its DMA */
    void (*dma_delay)(void *dev, uint64_t ns);
};

struct board_slot {
    const struct board_device *desc;
    void *dev;
    struct user_net *backend;       /* a NIC's netdev, or NULL */
};

/* Set by the owner before devices are added. */
struct board_config {
    uint8_t mac[6];                 /* the NIC's */
    int64_t rtc_base;               /* the RTC's date at start, seconds since 1970 */
    bool unassigned_bars;           /* leave BARs for the guest to assign */
    /* debug-exit's write; COM1's output */
    void (*exit)(void *opaque, int status);
    void (*console)(void *opaque, const uint8_t *buf, size_t len);
    void *opaque;
};

struct board {
    struct board_config cfg;
    struct loop *loop;              /* NULL: devices without timers */
    struct diag *diag;              /* device diagnostics, or NULL */
    struct region *io;
    struct address_space *io_as;
    struct region pci_mem;
    struct pci_host pci;
    /* Interrupt lines by PIC input: the PIC's entry fills them; a rig
     * without one sets its own before adding devices. */
    struct irq_line irq[BOARD_IRQS];
    struct pic *pic;                /* the CPU's interrupt controller, or NULL */
    struct board_slot slot[BOARD_MAX_DEVICES];
    unsigned n;
};

/* The PC: every device pcemu has, in the order they are created. */
extern const struct board_device board_pc[];
extern const unsigned board_pc_count;
const struct board_device *board_pc_device(const char *name);

/* The memory and I/O spaces: sysmem and io empty containers, and their
 * address spaces (RAM is the caller's to add). */
void board_spaces_init(struct region *sysmem, struct region *io,
                       struct address_space *mem_as, struct address_space *io_as);

/* The PCI host bridge and its memory window on sysmem, no devices yet. */
void board_init(struct board *b, const struct board_config *cfg, struct region *sysmem,
                struct region *io, struct address_space *mem_as, struct address_space *io_as);
/* Creates d and puts it on the board; NULL (with an error printed) when
 * it cannot. */
void *board_add(struct board *b, const struct board_device *d);
/* Every device of the PC; -1 when one could not be made. */
int board_add_all(struct board *b);
/* Destroys the devices, newest first. */
void board_destroy(struct board *b);

/* A device by its board name, or NULL. */
struct board_slot *board_find(struct board *b, const char *name);
/* The first network card (a device with NIC hooks), or NULL. */
struct board_slot *board_nic(struct board *b);
void *board_dev(struct board *b, const char *name);
struct pci_device *board_pci(struct board *b, const char *name);

/* The guest is about to run. */
void board_start(struct board *b);
/* Every device that does DMA after a doorbell starts it ns after. */
void board_set_dma_delay(struct board *b, uint64_t ns);

void board_print_mac(FILE *out, const uint8_t mac[6]);

/* `info qtree`'s ISA bus children, at indent. */
void board_qtree_isa(const struct board *b, FILE *out, int indent);
/* The board's device whose PCI function d is, or NULL. */
const struct board_slot *board_slot_of(const struct board *b, const struct pci_device *d);

#endif
