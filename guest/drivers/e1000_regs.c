/*
 * The e1000's I/O register window and the two serial protocols behind
 * registers: the EEPROM's Microwire pins (13.4.3 EECD) and the PHY's
 * MDIC (13.4.7). Given to the lab's students (guest/lab/e1000.c), shared
 * with the reference driver (guest/drivers/e1000.c); both builds link it.
 */
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "x86.h"

/* ---- register access: the I/O window (IOADDR, IODATA); BAR0's
 * e1000_read and e1000_write are inline in e1000_drv.h ---- */

uint32_t e1000_io_read(const struct e1000_nic *nic, uint32_t reg)
{
    outl(nic->io_base + E1000_IOADDR, reg);
    return inl(nic->io_base + E1000_IODATA);
}

void e1000_io_write(const struct e1000_nic *nic, uint32_t reg, uint32_t v)
{
    outl(nic->io_base + E1000_IOADDR, reg);
    outl(nic->io_base + E1000_IODATA, v);
}

/* ---- the EEPROM's Microwire pins: chapter 5, 13.4.3 EECD ---- */

static void ee_write(const struct e1000_nic *nic, uint32_t v)
{
    e1000_write(nic, E1000_EECD, v);
}

/* The Microwire way, for a 64-word EEPROM: request and be granted the
 * pins (EECD.REQ, GNT), clock out the start bit, the READ opcode and the
 * address on DI, then clock in sixteen bits from DO. (The other way to
 * the same words than EERD, which the e1000_eeprom test compares.) */
int e1000_eeprom_read_microwire(const struct e1000_nic *nic, unsigned word, uint16_t *out)
{
    uint32_t eecd = e1000_read(nic, E1000_EECD) | E1000_EECD_REQ;
    ee_write(nic, eecd);
    int spins = 0;
    while (!(e1000_read(nic, E1000_EECD) & E1000_EECD_GNT))
        if (++spins > 1000)
            return -1;
    eecd &= ~(E1000_EECD_SK | E1000_EECD_DI | E1000_EECD_DO);
    ee_write(nic, eecd | E1000_EECD_CS);
    uint32_t cmd = (uint32_t)E1000_EEPROM_READ_OPCODE << E1000_EEPROM_ADDR_BITS | (word & 0x3f);
    for (int b = 2 + E1000_EEPROM_ADDR_BITS; b >= 0; b--) {
        uint32_t di = (cmd >> b) & 1 ? E1000_EECD_DI : 0;
        ee_write(nic, eecd | E1000_EECD_CS | di);
        ee_write(nic, eecd | E1000_EECD_CS | di | E1000_EECD_SK);
        ee_write(nic, eecd | E1000_EECD_CS | di);
    }
    uint16_t v = 0;
    for (int b = 0; b < 16; b++) {
        ee_write(nic, eecd | E1000_EECD_CS | E1000_EECD_SK);
        v = (uint16_t)(v << 1 | !!(e1000_read(nic, E1000_EECD) & E1000_EECD_DO));
        ee_write(nic, eecd | E1000_EECD_CS);
    }
    ee_write(nic, eecd & ~E1000_EECD_REQ);
    *out = v;
    return 0;
}

/* ---- the PHY: 13.4.7 MDIC ---- */

int e1000_phy_read(const struct e1000_nic *nic, unsigned reg, uint16_t *out)
{
    e1000_write(nic, E1000_MDIC, E1000_MDIC_OP_READ | E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT |
                reg << E1000_MDIC_REG_SHIFT);
    for (int i = 0; i < 1000; i++) {
        uint32_t v = e1000_read(nic, E1000_MDIC);
        if (v & E1000_MDIC_READY) {
            *out = (uint16_t)v;
            return v & E1000_MDIC_ERROR ? -1 : 0;
        }
    }
    return -1;
}

int e1000_phy_write(const struct e1000_nic *nic, unsigned reg, uint16_t v)
{
    e1000_write(nic, E1000_MDIC, E1000_MDIC_OP_WRITE | E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT |
                reg << E1000_MDIC_REG_SHIFT | v);
    for (int i = 0; i < 1000; i++) {
        uint32_t m = e1000_read(nic, E1000_MDIC);
        if (m & E1000_MDIC_READY)
            return m & E1000_MDIC_ERROR ? -1 : 0;
    }
    return -1;
}
