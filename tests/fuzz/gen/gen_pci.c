/* Seeds for the PCI target: enumeration, reads at every width, BAR
 * sizing and moves, INTx, bus mastering, an I/O BAR over the
 * configuration ports. */
#include "contract/pci.h"
#include "gen.h"
#include "pci/ops.h"
#include "writer.h"

/* P_ADDR with a raw CONFIG_ADDRESS dword */
static void addr(struct seed *s, uint32_t v)
{
    w8(s, P_ADDR); w8(s, 2); w8(s, 8); w8(s, 0); w8(s, 0); w32(s, v);
}

static void rd(struct seed *s, unsigned width, unsigned off)
{
    w8(s, P_READ); w8(s, width | off << 2);
}

static void wr(struct seed *s, unsigned width, unsigned off, uint32_t v)
{
    w8(s, P_WRITE); w8(s, width | off << 2); w32(s, v);
}

void gen_pci(const char *dir, const char *crashes)
{
    static struct seed s;

    w8(&s, 1);                              /* firmware set up */
    for (unsigned dev = 0; dev < 32; dev += 1) {
        addr(&s, PCI_CONFIG_ADDR(0, dev, 0, 0));
        rd(&s, 2, 0);
        addr(&s, PCI_CONFIG_ADDR(0, dev, 0, PCI_HEADER_TYPE));
        rd(&s, 0, 2);
    }
    addr(&s, PCI_CONFIG_ADDR(1, 3, 0, 0));
    rd(&s, 2, 0);
    addr(&s, PCI_CONFIG_ADDR(0, 1, 1, 0) & ~PCI_CONFIG_ENABLE);
    rd(&s, 2, 0);
    emit(&s, dir, "enumerate");

    w8(&s, 1);
    for (unsigned reg = 0; reg < 64; reg += 4) {
        addr(&s, PCI_CONFIG_ADDR(0, 3, 0, reg));
        for (unsigned off = 0; off < 4; off++)
            rd(&s, 0, off);
        rd(&s, 1, 1);
        rd(&s, 1, 2);
    }
    emit(&s, dir, "widths");

    w8(&s, 0);                              /* BARs left for the guest */
    for (unsigned bar = 0; bar < 6; bar++) {
        w8(&s, P_SIZE); w8(&s, bar);
    }
    addr(&s, PCI_CONFIG_ADDR(0, 3, 0, PCI_BASE_ADDRESS_0));
    wr(&s, 2, 0, 0xfe000000);
    addr(&s, PCI_CONFIG_ADDR(0, 3, 0, PCI_BASE_ADDRESS_0 + 4));
    wr(&s, 2, 0, 0xd001);
    addr(&s, PCI_CONFIG_ADDR(0, 3, 0, PCI_COMMAND));
    wr(&s, 1, 0, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    w8(&s, P_BAR); w8(&s, 1); w16(&s, 2); w32(&s, 0);
    w8(&s, P_BAR); w8(&s, 2); w16(&s, 0); w32(&s, 8);
    addr(&s, PCI_CONFIG_ADDR(0, 3, 0, PCI_BASE_ADDRESS_0));
    wr(&s, 1, 2, 0xfd00);                   /* moved by its upper half */
    wr(&s, 2, 0, 0xffffffff);               /* the sizing pattern: unmapped */
    addr(&s, PCI_CONFIG_ADDR(0, 3, 0, PCI_COMMAND));
    wr(&s, 0, 0, 0);
    emit(&s, dir, "bars");

    w8(&s, 1);
    w8(&s, P_IRQ); w8(&s, 0);
    addr(&s, PCI_CONFIG_ADDR(0, 3, 0, PCI_COMMAND));
    wr(&s, 1, 0, PCI_COMMAND_INTX_DISABLE | 7);
    rd(&s, 2, 0);
    wr(&s, 1, 2, 0xffff);                   /* status: write 1 to clear */
    wr(&s, 1, 0, 7);
    w8(&s, P_IRQ); w8(&s, 1);
    w8(&s, P_IRQ); w8(&s, 0);
    w8(&s, P_IRQ); w8(&s, 2);
    w8(&s, P_DMA); w32(&s, 0x1000); w8(&s, 0);
    wr(&s, 1, 0, 3);                        /* bus mastering off */
    w8(&s, P_DMA); w32(&s, 0x1000); w8(&s, 1);
    w8(&s, P_DMA); w32(&s, 0xffff8); w8(&s, 0);
    emit(&s, dir, "irq_dma");

    w8(&s, 1);
    addr(&s, PCI_CONFIG_ADDR(0, 3, 0, PCI_BASE_ADDRESS_0 + 4));
    wr(&s, 2, 0, 0xcc1);                    /* the I/O BAR over 0xcf8-0xcff */
    rd(&s, 2, 0);
    w8(&s, P_DIRECT); w8(&s, 2); w8(&s, PCI_BASE_ADDRESS_0 + 4); w8(&s, 2); w32(&s, 0xc001);
    addr(&s, PCI_CONFIG_ADDR(0, 1, 0, 0x60));
    wr(&s, 2, 0, 0x0b0a0980);               /* PIIX3 PIRQ routing */
    rd(&s, 2, 0);
    w8(&s, P_ADDR); w8(&s, 0 | 3 << 2); w8(&s, 1); w8(&s, 2); w8(&s, 0);   /* 1 byte at 0xcfb */
    w8(&s, P_ADDR); w8(&s, 1); w8(&s, 1); w8(&s, 2); w8(&s, 0);            /* 2 bytes */
    emit(&s, dir, "shadow_piix3");
    (void)crashes;
}
