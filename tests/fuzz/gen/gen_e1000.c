/* Seeds for the e1000 target: rings set up, TSO and checksum offload
 * packets, frames received into the ring, loopback, resets, the EEPROM
 * and PHY, interrupts, DMA with bus mastering off. */
#include "e1000/ops.h"
#include "contract/e1000.h"
#include "gen.h"
#include "writer.h"

static void tx_setup(struct seed *s, unsigned n8, unsigned flags)
{
    w8(s, E_TX_SETUP); w8(s, n8 - 1); w8(s, flags); w8(s, 0); w8(s, 0);
}

static void rx_setup(struct seed *s, unsigned n8, unsigned f1, unsigned f2)
{
    w8(s, E_RX_SETUP); w8(s, n8 - 1); w8(s, f1); w8(s, f2); w8(s, 0); w8(s, 0); w8(s, 0);
    w8(s, 0);
}

static void tx_packet(struct seed *s, unsigned flags, unsigned payload, unsigned mss,
                      unsigned extra, unsigned ndesc)
{
    w8(s, E_TX_PACKET); w8(s, flags); w16(s, payload); w16(s, mss); w8(s, extra);
    w8(s, ndesc - 1);
    for (unsigned i = 1; i < ndesc; i++)
        w16(s, 17 + i * 301);
    w16(s, 0x1234); w32(s, 0x10000000);
    if (flags & TXP_PERTURB) {
        w8(s, 8); w32(s, 3);
    }
    /* the payload's first bytes (up to 32) come from the input */
    unsigned from_input = extra + payload < 32 ? extra + payload : 32;
    for (unsigned i = 0; i < from_input; i++)
        w8(s, "the payload's first bytes, here"[i % 31]);
}

static void rx_frame(struct seed *s, unsigned kind, unsigned len)
{
    w8(s, E_RX_FRAME); w8(s, kind); w16(s, len);
    if ((kind & 3) == 2) {
        w8(s, 0); w8(s, 0); w8(s, 1);
    }
    if ((kind & 3) == 3)
        wbytes(s, "\x52\x54\x00\x12\x34\x56", 6);
    /* the frame's first bytes (up to 64) come from the input */
    for (unsigned i = 0; i < len && i < 64; i++)
        w8(s, i < 14 ? 0 : i);
}

static void reg_write(struct seed *s, unsigned sel, uint32_t v)
{
    w8(s, E_REG_WRITE); w8(s, sel); w32(s, v);
}

static void time_ns(struct seed *s, uint32_t ns) { w8(s, E_TIME); w32(s, ns); w8(s, 0); }

void gen_e1000(const char *dir, const char *crashes)
{
    static struct seed s;
    const unsigned sum = TXP_IXSM | TXP_TXSM;

    tx_setup(&s, 8, 0);
    tx_packet(&s, TXP_TSE | sum | TXP_PSH | TXP_FIN, 4000, 1000, 0, 3);
    time_ns(&s, 100000);
    emit(&s, dir, "tx_tso_tcp");

    tx_setup(&s, 8, 0);
    tx_packet(&s, TXP_UDP | TXP_TSE | sum, 3000, 512, 12, 2);
    tx_packet(&s, TXP_UDP | TXP_TSE | sum, 3000, 512, 0, 1);
    emit(&s, dir, "tx_tso_udp");

    tx_setup(&s, 8, 0);
    tx_packet(&s, sum, 1400, 0, 0, 4);
    tx_packet(&s, TXP_IXSM, 20, 0, 0, 1);
    tx_setup(&s, 8, 1);                     /* no padding */
    tx_packet(&s, sum, 10, 0, 0, 2);
    emit(&s, dir, "tx_offload");

    tx_setup(&s, 8, 0);
    tx_packet(&s, TXP_LEGACY | TXP_TXSM, 600, 0, 0, 3);
    tx_packet(&s, TXP_LEGACY, 60, 0, 0, 1);
    emit(&s, dir, "tx_legacy");

    tx_setup(&s, 8, 0);
    tx_packet(&s, TXP_TSE | sum, 5000, 1, 0, 2);          /* too many segments */
    tx_packet(&s, TXP_TSE | sum, 20000, 4000, 0, 2);
    reg_write(&s, 14 /* PBA */, 60);                      /* a 4 KiB FIFO */
    tx_packet(&s, TXP_TSE | sum, 20000, 4000, 0, 2);
    tx_packet(&s, TXP_TSE | sum | TXP_PERTURB, 3000, 500, 0, 2);
    emit(&s, dir, "tx_tso_refused");

    rx_setup(&s, 2, 0x01, 0x06);            /* BAM, IP and TCP/UDP offload */
    rx_frame(&s, RXF_IPV4, 1000);
    rx_frame(&s, 1 | RXF_IPV4 | RXF_UDP, 300);
    rx_frame(&s, RXF_IPV4 | RXF_BAD_IP, 200);
    rx_frame(&s, RXF_IPV4 | RXF_BAD_L4, 200);
    rx_frame(&s, RXF_IPV4 | RXF_FRAG, 200);
    rx_frame(&s, 2, 100);
    emit(&s, dir, "rx_checksums");

    rx_setup(&s, 4, 0xc0 | 0x08, 0x06);     /* 256-byte buffers, long packets */
    rx_frame(&s, RXF_IPV4, 1500);
    rx_frame(&s, RXF_IPV4, 3000);
    rx_setup(&s, 2, 0x20 | 0x40, 0x00);     /* BSEX: 16 KiB buffers */
    rx_frame(&s, RXF_IPV4 | RXF_UDP, 9000);
    emit(&s, dir, "rx_multi_descriptor");

    rx_setup(&s, 1, 0x01, 0x00);
    w8(&s, E_RX_SETUP); w8(&s, 0); w8(&s, 0x01); w8(&s, 0); w8(&s, 6); w8(&s, 0); w8(&s, 0);
    w8(&s, 1);                              /* SECRC: the FCS stripped */
    for (int i = 0; i < 6; i++)
        rx_frame(&s, RXF_IPV4, 400);
    reg_write(&s, 19 /* RDT */, 5);
    reg_write(&s, 19, 7);
    time_ns(&s, 1000000);
    emit(&s, dir, "rx_fifo");

    rx_setup(&s, 4, 0x02, 0x07);            /* UPE, loopback, offload */
    tx_setup(&s, 8, 0);
    tx_packet(&s, TXP_TSE | sum, 3000, 1000, 0, 2);
    tx_packet(&s, sum, 500, 0, 0, 1);
    w8(&s, E_LOOPBACK); w8(&s, 0);
    tx_packet(&s, sum, 500, 0, 0, 1);
    emit(&s, dir, "loopback");

    tx_setup(&s, 8, 0);
    rx_setup(&s, 2, 0x01, 0x00);
    tx_packet(&s, TXP_TSE | sum, 2000, 700, 0, 2);
    w8(&s, E_RESET); w8(&s, 0);
    tx_setup(&s, 8, 0);
    tx_packet(&s, sum, 200, 0, 0, 1);
    w8(&s, E_RESET); w8(&s, 1);
    w8(&s, E_RESET); w8(&s, 2);
    w8(&s, E_RESET); w8(&s, 3);
    emit(&s, dir, "reset");

    for (unsigned w = 0; w < 4; w++) {
        w8(&s, E_EEPROM); w8(&s, 0); w8(&s, w);
        w8(&s, E_EEPROM); w8(&s, 1); w8(&s, w * 13);
    }
    w8(&s, E_EEPROM); w8(&s, 2); w8(&s, 0);
    w8(&s, E_EEPROM); w8(&s, 0); w8(&s, 200);
    w8(&s, E_EEPROM); w8(&s, 3); w8(&s, 0); w32(&s, 0x46);
    w8(&s, E_MDIC); w8(&s, 0); w8(&s, 1); w8(&s, PHY_ID1); w16(&s, 0);
    w8(&s, E_MDIC); w8(&s, 0); w8(&s, 1); w8(&s, PHY_ID2); w16(&s, 0);
    w8(&s, E_MDIC); w8(&s, 1); w8(&s, 1); w8(&s, PHY_CTRL); w16(&s, 0x1340);
    w8(&s, E_MDIC); w8(&s, 0); w8(&s, 0); w8(&s, 2); w8(&s, 1); w16(&s, 0);
    w8(&s, E_LINK); w8(&s, 0);
    w8(&s, E_LINK); w8(&s, 1);
    emit(&s, dir, "eeprom_phy_link");

    reg_write(&s, 9 /* IMS */, 0xffff);
    reg_write(&s, 8 /* ICS */, E1000_ICR_TXDW | E1000_ICR_RXT0);
    w8(&s, E_REG_READ); w8(&s, 6 /* ICR */);
    reg_write(&s, 7 /* ITR */, 1000);
    reg_write(&s, 8, E1000_ICR_LSC);
    w8(&s, E_REG_READ); w8(&s, 6);
    reg_write(&s, 8, E1000_ICR_LSC);
    time_ns(&s, 300000);
    tx_setup(&s, 8, 0);
    reg_write(&s, 27 /* TIDV */, 10);
    tx_packet(&s, sum, 100, 0, 0, 1);
    time_ns(&s, 50000);
    w8(&s, E_REG_READ); w8(&s, 38 /* MPC */);
    emit(&s, dir, "interrupts");

    tx_setup(&s, 8, 0);
    w8(&s, E_PCI); w8(&s, 0); w32(&s, 0x0003);              /* bus mastering off */
    tx_packet(&s, sum, 300, 0, 0, 1);
    rx_setup(&s, 1, 0x02, 0x00);
    rx_frame(&s, RXF_IPV4, 100);
    w8(&s, E_PCI); w8(&s, 0); w32(&s, 0x0007);
    reg_write(&s, 26 /* TDT */, 0);
    w8(&s, E_PCI); w8(&s, 1); w32(&s, 0xfe000000);           /* BAR0 moved */
    w8(&s, E_PCI); w8(&s, 2); w32(&s, 0xd000);
    emit(&s, dir, "pci_master_bars");

    w8(&s, E_MMIO); w8(&s, 1 | 2 << 1); w32(&s, E1000_IMS); w64(&s, 0x80);
    w8(&s, E_MMIO); w8(&s, 0 | 1 << 1); w32(&s, E1000_STATUS + 2);
    w8(&s, E_MMIO); w8(&s, 1 | 0 << 1); w32(&s, E1000_ICR); w64(&s, 1);
    w8(&s, E_MMIO); w8(&s, 1 | 3 << 1); w32(&s, E1000_RDBAL); w64(&s, 0x100002000ull);
    w8(&s, E_MMIO); w8(&s, 0 | 2 << 1); w32(&s, E1000_RAL(0) + 2);
    w8(&s, E_IO); w8(&s, 1 | 2 << 1); w8(&s, 0); w32(&s, E1000_STATUS);
    w8(&s, E_IO); w8(&s, 0 | 2 << 1); w8(&s, 4); w32(&s, 0);
    w8(&s, E_IO); w8(&s, 1 | 1 << 1); w8(&s, 4); w32(&s, 0);
    emit(&s, dir, "mmio_io");

    tx_setup(&s, 4, 0);
    w8(&s, E_TX_DESC); w8(&s, 0); w8(&s, TXD_CONTEXT);
    w8(&s, 14); w8(&s, 24); w16(&s, 33); w8(&s, 34); w8(&s, 50); w16(&s, 0);
    w32(&s, 200 | E1000_TXD_CMD_IP | E1000_TXD_CMD_TCP | E1000_TXD_CMD_TSE); w8(&s, 54);
    w16(&s, 100);
    w8(&s, E_TX_DESC); w8(&s, 1); w8(&s, TXD_DATA); w8(&s, 0); w16(&s, 0); w16(&s, 254);
    w8(&s, (E1000_TXD_DCMD_EOP | E1000_TXD_DCMD_TSE | E1000_TXD_DCMD_RS) >> 24); w8(&s, 3);
    w8(&s, E_TX_DESC); w8(&s, 2); w8(&s, TXD_LEGACY); w8(&s, 0); w16(&s, 0); w16(&s, 60);
    w8(&s, 0); w8(&s, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS); w8(&s, 0);
    w8(&s, E_TX_DESC); w8(&s, 3); w8(&s, TXD_RAW); wstr(&s, "0123456789abcdef");
    reg_write(&s, 26 /* TDT */, 4);
    time_ns(&s, 1000);
    emit(&s, dir, "tx_descriptors");

    tx_setup(&s, 4, 0);
    rx_setup(&s, 4, 0x01, 0x00);
    tx_packet(&s, sum, 100, 0, 0, 1);
    w8(&s, E_INFO);
    w8(&s, E_RAM); w32(&s, 0x1000); w8(&s, 16); wstr(&s, "descriptor bytes");
    w8(&s, E_INFO);
    emit(&s, dir, "info");

    /* once a finding (fixed): a packet of no bytes left as a 0-byte frame */
    tx_setup(&s, 1, 1);                     /* TCTL.PSP clear */
    w8(&s, E_TX_DESC); w8(&s, 0); w8(&s, TXD_LEGACY); w8(&s, 0); w16(&s, 0); w16(&s, 0);
    w8(&s, 0); w8(&s, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS); w8(&s, 0);
    reg_write(&s, 26 /* TDT */, 1);
    time_ns(&s, 10000);
    emit(&s, dir, "empty_frame");
}
