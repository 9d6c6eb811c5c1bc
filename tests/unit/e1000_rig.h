/* The e1000 of pcemu's board on a pci_rig, for the model's unit tests,
 * and its descriptors as a driver lays them out in RAM (8254x manual
 * 3.2.3 receive, 3.3.3 legacy, 3.3.6-7 context and data descriptors). */
#ifndef TESTS_UNIT_E1000_RIG_H
#define TESTS_UNIT_E1000_RIG_H

#include "contract/pci.h"
#include "hw/e1000.h"
#include "net/net.h"
#include "clock_rig.h"
#include "pci_rig.h"

/* The e1000 with its timers on loop (NULL: none), INTA on set (NULL:
 * nowhere), firmware's BARs when firmware, and COMMAND then as given. */
static inline struct e1000 *e1000_rig_add(struct pci_rig *p, struct loop *loop,
                                          void (*set)(void *opaque, int n, int level),
                                          bool firmware, uint16_t command)
{
    p->b.loop = loop;
    p->b.irq[PCI_E1000_IRQ] = (struct irq_line){ set, NULL, PCI_E1000_IRQ };
    struct e1000 *nic = pci_rig_add(p, "e1000", firmware);
    pci_firmware_set_command(e1000dev_pci(nic), command);
    return nic;
}

/* A cmocka setup's start: a fresh pci_rig p, left in *state for
 * pci_rig_teardown, and the e1000 as e1000_rig_add puts it, its timers on
 * clk's loop (clk NULL: none) at clock_rig_init's time. */
static inline struct e1000 *e1000_rig_start(void **state, struct pci_rig *p,
                                            struct clock_rig *clk,
                                            void (*set)(void *opaque, int n, int level),
                                            bool firmware, uint16_t command)
{
    pci_rig_init(p);
    *state = p;
    if (clk)
        clock_rig_init(clk);
    return e1000_rig_add(p, clk ? &clk->loop : NULL, set, firmware, command);
}

/* The other end of the e1000's cable, the client nc called name: what the
 * e1000 sends goes to ops' receive. */
static inline void e1000_rig_connect(struct net_client *nc, const char *name,
                                     const struct net_client_ops *ops, struct e1000 *nic)
{
    net_client_init(nc, name, ops, NULL);
    net_connect(nc, e1000dev_net_client(nic));
}

/* The other end of the cable, for a test to send frames on (it takes none
 * back). */
static inline void e1000_rig_wire(struct net_client *wire, struct e1000 *nic)
{
    static const struct net_client_ops wire_ops = { "test", NULL, NULL };
    e1000_rig_connect(wire, "wire", &wire_ops, nic);
}

/* n receive descriptors at ring, their buffers size bytes apart from bufs. */
static inline void e1000_rig_rx_descs(struct pci_rig *p, uint64_t ring, unsigned n,
                                      uint64_t bufs, uint64_t size)
{
    for (unsigned i = 0; i < n; i++) {
        struct e1000_rx_desc d = { .buffer_addr = bufs + size * i };
        memcpy(p->ram + ring + 16 * i, &d, 16);
    }
}

static inline void e1000_rig_context(struct pci_rig *p, uint64_t ring, unsigned idx,
                                     const struct e1000_context_desc *c)
{
    memcpy(p->ram + ring + 16 * idx, c, 16);
}

static inline void e1000_rig_data(struct pci_rig *p, uint64_t ring, unsigned idx, uint64_t addr,
                                  uint32_t len, uint32_t dcmd, uint8_t popts)
{
    struct e1000_data_desc d = { .buffer_addr = addr,
                                 .lower = len | E1000_TXD_DTYP_D | E1000_TXD_DCMD_DEXT | dcmd,
                                 .popts = popts };
    memcpy(p->ram + ring + 16 * idx, &d, 16);
}

#endif
