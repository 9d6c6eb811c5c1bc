/*
 * The 82540's 64-word serial EEPROM: the MAC address, the IDs and a
 * checksum word that makes all 64 words add up to 0xBABA. Software reads
 * it through EERD (one register write per word) or by bit-banging the
 * Microwire interface through EECD: CS high, then on each SK rising edge
 * a bit on DI (start bit, the READ opcode 10, six address bits), after
 * which the EEPROM answers a dummy 0 and the word's 16 bits on DO,
 * most significant first, and goes on with the next word (8254x
 * chapter 5; EECD 13.4.3, EERD 13.4.4).
 */
#include <string.h>
#include "contract/pci.h"
#include "hw/e1000_internal.h"

void e1000dev_eeprom_init(struct e1000 *e)
{
    uint16_t *w = e->eeprom;
    memset(w, 0, sizeof e->eeprom);
    for (int i = 0; i < 3; i++)
        w[E1000_EEPROM_MAC + i] = (uint16_t)(e->mac[2 * i] | e->mac[2 * i + 1] << 8);
    w[E1000_EEPROM_INIT_CTRL1] = 0x0420;     /* reserved bits set as a real part has */
    w[E1000_EEPROM_SUBSYS_ID] = PCI_SUBDEVICE_QEMU;
    w[E1000_EEPROM_SUBSYS_VEN] = PCI_SUBVENDOR_QEMU;
    w[E1000_EEPROM_DEVICE_ID] = PCI_DEVICE_82540EM;
    w[E1000_EEPROM_VENDOR_ID] = PCI_VENDOR_INTEL;
    w[E1000_EEPROM_INIT_CTRL2] = 0x3000;
    uint16_t sum = 0;
    for (int i = 0; i < E1000_EEPROM_CHECKSUM; i++)
        sum = (uint16_t)(sum + w[i]);
    w[E1000_EEPROM_CHECKSUM] = (uint16_t)(E1000_EEPROM_SUM - sum);
}

uint32_t e1000dev_eerd_write(struct e1000 *e, uint32_t v)
{
    if (!(v & E1000_EERD_START))
        return v & ~E1000_EERD_DONE;
    unsigned addr = (v & E1000_EERD_ADDR_MASK) >> E1000_EERD_ADDR_SHIFT;
    if (addr >= E1000_EEPROM_WORDS) {
        log_warn_rl(&e->rl, "e1000: EERD read of EEPROM word 0x%x, past the %d words; "
                    "reads 0", addr, E1000_EEPROM_WORDS);
        return (v & E1000_EERD_ADDR_MASK) | E1000_EERD_DONE;
    }
    /* the read completes at once: DONE and the data in one go */
    return (v & E1000_EERD_ADDR_MASK) | E1000_EERD_DONE |
           (uint32_t)e->eeprom[addr] << E1000_EERD_DATA_SHIFT;
}

static void rising_edge(struct e1000 *e, bool di)
{
    struct microwire *mw = &e->mw;
    if (mw->reading) {
        if (--mw->bit_out < 0) {           /* on to the next word */
            mw->addr = (mw->addr + 1) % E1000_EEPROM_WORDS;
            mw->bit_out = 15;
        }
        mw->data_out = (e->eeprom[mw->addr] >> mw->bit_out) & 1;
        return;
    }
    mw->shift_in = (uint16_t)(mw->shift_in << 1 | di);
    if (++mw->bits_in < 3 + E1000_EEPROM_ADDR_BITS)
        return;
    unsigned start = mw->shift_in >> 8 & 1, op = mw->shift_in >> 6 & 3;
    if (start && op == (E1000_EEPROM_READ_OPCODE & 3)) {
        mw->reading = true;
        mw->addr = mw->shift_in & 0x3f;
        mw->bit_out = 16;
        mw->data_out = 0;                  /* the dummy zero */
    } else {
        log_warn_rl(&e->rl, "e1000: EECD Microwire command 0x%03x (start %u, opcode %u) "
                    "is not READ; the EEPROM is read-only here, ignored",
                    mw->shift_in & 0x1ff, start, op);
        mw->bits_in = 0;
        mw->shift_in = 0;
    }
}

void e1000dev_eecd_write(struct e1000 *e, uint32_t v)
{
    struct microwire *mw = &e->mw;
    uint8_t old = mw->last_eecd;
    mw->last_eecd = (uint8_t)(v & (E1000_EECD_SK | E1000_EECD_CS | E1000_EECD_DI));
    e->regs[E1000_EECD / 4] = v & E1000_EECD_REQ;
    if (!(v & E1000_EECD_CS)) {            /* deselect: the conversation ends */
        mw->bits_in = 0;
        mw->shift_in = 0;
        mw->reading = false;
        mw->data_out = 0;
        return;
    }
    if (!(old & E1000_EECD_SK) && (v & E1000_EECD_SK))
        rising_edge(e, v & E1000_EECD_DI);
}

uint32_t e1000dev_eecd_read(struct e1000 *e)
{
    uint32_t v = e->mw.last_eecd | E1000_EECD_PRES;
    if (e->mw.data_out)
        v |= E1000_EECD_DO;
    if (e->regs[E1000_EECD / 4] & E1000_EECD_REQ)
        v |= E1000_EECD_REQ | E1000_EECD_GNT;   /* granted at once */
    return v;
}
