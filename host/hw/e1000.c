/*
 * The 82540EM register file. Each register the device gives meaning to
 * has an entry in the table below (name, read and write behaviour);
 * everything else in BAR0 reads as zero and ignores writes, reported once
 * per register so a driver author sees what the model does not do.
 * The same registers are reachable through the I/O BAR: IOADDR selects,
 * IODATA reads and writes.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/e1000_internal.h"

struct reg_desc {
    uint32_t offset;
    const char *name;
    uint32_t (*read)(struct e1000 *e, uint32_t off);
    void (*write)(struct e1000 *e, uint32_t off, uint32_t v);
};

/* INTA follows ICR & IMS, but with ITR set it rises at most once per
 * interval: causes arriving sooner wait for the interval's end. */
static void update_irq(struct e1000 *e)
{
    uint32_t *r = e->regs;
    uint32_t pending = r[E1000_ICR / 4] & r[E1000_IMS / 4] & ~E1000_ICR_INT_ASSERTED;
    if (pending)
        r[E1000_ICR / 4] |= E1000_ICR_INT_ASSERTED;
    else
        r[E1000_ICR / 4] &= ~E1000_ICR_INT_ASSERTED;
    if (pending && !e->pci.irq_level && e->loop && (r[E1000_ITR / 4] & 0xffff)) {
        uint64_t now = loop_now(e->loop);
        if (now < e->itr_next) {
            timer_mod(&e->itr, e->itr_next);   /* asserted when the interval ends */
            return;
        }
        e->itr_next = now + (uint64_t)(r[E1000_ITR / 4] & 0xffff) * 256;
    }
    pci_set_irq(&e->pci, pending != 0);
}

static void itr_expired(void *opaque)
{
    update_irq(opaque);
}

/* Delay timers count in units of 1.024 µs. */
static uint64_t delay_ns(const struct e1000 *e, uint32_t reg)
{
    return (uint64_t)(e->regs[reg / 4] & 0xffff) * 1024;
}

static void rx_timer_expired(void *opaque)
{
    struct e1000 *e = opaque;
    timer_del(&e->rdtr);
    timer_del(&e->radv);
    e1000dev_raise(e, E1000_ICR_RXT0);
}

static void tx_timer_expired(void *opaque)
{
    struct e1000 *e = opaque;
    timer_del(&e->tidv);
    timer_del(&e->tadv);
    e1000dev_raise(e, E1000_ICR_TXDW);
}

/* A packet's cause waits for its delay timer, restarted by every packet,
 * but no longer than the absolute timer, started by the first (RDTR and
 * RADV for receive, TIDV and TADV for transmit); a delay of 0 raises it
 * at once. */
static void delay_cause(struct e1000 *e, uint32_t cause, struct timer *delay, uint32_t delay_reg,
                        struct timer *absolute, uint32_t absolute_reg)
{
    uint64_t d = delay_ns(e, delay_reg), a = delay_ns(e, absolute_reg);
    if (!e->loop || !d) {
        e1000dev_raise(e, cause);
        return;
    }
    uint64_t now = loop_now(e->loop);
    timer_mod(delay, now + d);
    if (a && !absolute->armed)
        timer_mod(absolute, now + a);
}

void e1000dev_rx_done(struct e1000 *e)
{
    delay_cause(e, E1000_ICR_RXT0, &e->rdtr, E1000_RDTR, &e->radv, E1000_RADV);
}

void e1000dev_tx_done_delayed(struct e1000 *e)
{
    delay_cause(e, E1000_ICR_TXDW, &e->tidv, E1000_TIDV, &e->tadv, E1000_TADV);
}

static void tx_more_expired(void *opaque)
{
    e1000dev_tx_run(opaque);
}

static void rx_more_expired(void *opaque)
{
    e1000dev_rx_kick(opaque);
}

/* What a doorbell asks for, E1000_DMA_DELAY_NS after it on the loop's
 * clock (at once without a loop: the unit tests' synchronous device). */
static void start_tx(struct e1000 *e)
{
    if (!e->loop)
        e1000dev_tx_run(e);
    else if (!e->tx_more.armed)
        timer_mod(&e->tx_more, loop_now(e->loop) + e->dma_delay);
}

static void start_rx(struct e1000 *e)
{
    if (!e->loop)
        e1000dev_rx_kick(e);
    else if (!e->rx_more.armed)
        timer_mod(&e->rx_more, loop_now(e->loop) + e->dma_delay);
}

void e1000dev_set_dma_delay(struct e1000 *e, uint64_t ns)
{
    e->dma_delay = ns;
}

void e1000dev_attach_loop(struct e1000 *e, struct loop *l)
{
    e->loop = l;
    timer_init(&e->rdtr, l, rx_timer_expired, e);
    timer_init(&e->radv, l, rx_timer_expired, e);
    timer_init(&e->tidv, l, tx_timer_expired, e);
    timer_init(&e->tadv, l, tx_timer_expired, e);
    timer_init(&e->itr, l, itr_expired, e);
    timer_init(&e->tx_more, l, tx_more_expired, e);
    timer_init(&e->rx_more, l, rx_more_expired, e);
}

static void stop_timers(struct e1000 *e)
{
    if (!e->loop)
        return;
    timer_del(&e->rdtr);
    timer_del(&e->radv);
    timer_del(&e->tidv);
    timer_del(&e->tadv);
    timer_del(&e->itr);
    timer_del(&e->tx_more);
    timer_del(&e->rx_more);
}

void e1000dev_raise(struct e1000 *e, uint32_t causes)
{
    e->regs[E1000_ICR / 4] |= causes & E1000_ICR_VALID_MASK;
    update_irq(e);
}

static uint32_t status_value(const struct e1000 *e)
{
    uint32_t v = E1000_STATUS_FD | E1000_STATUS_SPEED_1000 | E1000_STATUS_ASDV_1000;
    /* in PHY loopback the PHY is linked to itself, cable or not */
    if ((e->link_up || e1000dev_phy_loopback(e)) && (e->regs[E1000_CTRL / 4] & E1000_CTRL_SLU))
        v |= E1000_STATUS_LU;
    return v;
}

static void reset(struct e1000 *e)
{
    stop_timers(e);
    e->itr_next = 0;
    memset(e->regs, 0, sizeof e->regs);
    e->regs[E1000_CTRL / 4] = E1000_CTRL_FD | E1000_CTRL_SLU | E1000_CTRL_SPD_1000;
    e->regs[E1000_PBA / 4] = 0x00100030;            /* 48 KiB RX, 16 KiB TX */
    e->regs[E1000_LEDCTL / 4] = 0x07068302;
    e->regs[E1000_TIPG / 4] = E1000_TIPG_IPGT_COPPER;
    /* what the hardware loads from the EEPROM at reset: RAL0/RAH0 */
    e->regs[E1000_RAL(0) / 4] = (uint32_t)e->mac[0] | e->mac[1] << 8 |
                                e->mac[2] << 16 | (uint32_t)e->mac[3] << 24;
    e->regs[E1000_RAH(0) / 4] = (uint32_t)e->mac[4] | e->mac[5] << 8 | E1000_RAH_AV;
    memset(&e->mw, 0, sizeof e->mw);
    e->rx_was_enabled = e->rx_handed = false;
    e->rctl_site.known = e->rx_ring_site.known = false;
    e->tx_tail_stale = e->rx_tail_stale = true;
    e->tx_base_unaligned = e->rx_base_unaligned = false;
    e1000dev_tx_ring_reset(e);
    e1000dev_tx_reset(e);
    e1000dev_rx_flush(e, "CTRL.RST");
    e1000dev_phy_reset(e);
    update_irq(e);
}

/* ---- register behaviours ---- */

static uint32_t rd_plain(struct e1000 *e, uint32_t off) { return e->regs[off / 4]; }
static void wr_plain(struct e1000 *e, uint32_t off, uint32_t v) { e->regs[off / 4] = v; }
static void wr_ignore(struct e1000 *e, uint32_t off, uint32_t v) { }

/* 16-bit registers (FCAH 13.4.9, FCT 13.4.10, VET 13.4.11, AIT 13.4.35):
 * bits 31:16 are reserved and read 0. */
static void wr_16(struct e1000 *e, uint32_t off, uint32_t v) { e->regs[off / 4] = v & 0xffff; }

/* Receive addresses (RAL/RAH, 8254x manual 13.4): RAL is 32 bits; RAH
 * keeps the address's top 16 bits, ASEL (17:16) and AV (31); its bits
 * 30:18 are reserved and read 0. */
static void wr_ra(struct e1000 *e, uint32_t off, uint32_t v)
{
    e->regs[off / 4] = (off - E1000_RAL(0)) & 4 ? v & 0x8003ffffu : v;
}

static void wr_ctrl(struct e1000 *e, uint32_t off, uint32_t v)
{
    if (v & E1000_CTRL_RST) {
        reset(e);                      /* self-clearing: reads back clear */
        return;
    }
    bool was_up = status_value(e) & E1000_STATUS_LU;
    if (v & E1000_CTRL_PHY_RST)
        e1000dev_phy_reset(e);
    e->regs[E1000_CTRL / 4] = v & ~(E1000_CTRL_RST | E1000_CTRL_PHY_RST);
    if (was_up != !!(status_value(e) & E1000_STATUS_LU))
        e1000dev_raise(e, E1000_ICR_LSC);
}

static uint32_t rd_status(struct e1000 *e, uint32_t off) { return status_value(e); }
static uint32_t rd_eecd(struct e1000 *e, uint32_t off) { return e1000dev_eecd_read(e); }
static void wr_eecd(struct e1000 *e, uint32_t off, uint32_t v) { e1000dev_eecd_write(e, v); }

static void wr_eerd(struct e1000 *e, uint32_t off, uint32_t v)
{
    e->regs[E1000_EERD / 4] = e1000dev_eerd_write(e, v);
}

/* A PHY write can change the link the MAC sees (loopback on or off). */
static void wr_mdic(struct e1000 *e, uint32_t off, uint32_t v)
{
    bool was_up = status_value(e) & E1000_STATUS_LU;
    e->regs[E1000_MDIC / 4] = e1000dev_mdic_write(e, v);
    if (was_up != !!(status_value(e) & E1000_STATUS_LU))
        e1000dev_raise(e, E1000_ICR_LSC);
}

/* ICR clears on read: the causes are handed over once. */
static uint32_t rd_icr(struct e1000 *e, uint32_t off)
{
    uint32_t v = e->regs[E1000_ICR / 4];
    e->regs[E1000_ICR / 4] = 0;
    update_irq(e);
    return v;
}

/* Writing ICR clears the bits written (write 1 to clear). */
static void wr_icr(struct e1000 *e, uint32_t off, uint32_t v)
{
    e->regs[E1000_ICR / 4] &= ~v;
    update_irq(e);
}

/* 13.4.19: a 1 sets that bit of ICR, reserved positions included
 * (E1000_ICS_LATCH_MASK). */
static void wr_ics(struct e1000 *e, uint32_t off, uint32_t v)
{
    e->regs[E1000_ICR / 4] |= v & E1000_ICS_LATCH_MASK;
    update_irq(e);
}

static uint32_t rd_ims(struct e1000 *e, uint32_t off) { return e->regs[E1000_IMS / 4]; }

static void wr_ims(struct e1000 *e, uint32_t off, uint32_t v)
{
    if (!v)
        e1000dev_warn(e, E1000_RULE_IMS_ZERO, "IMS written with 0, which changes nothing: a 0 bit "
                   "leaves its cause's mask as it was; to mask causes, write them to IMC "
                   "(8254x 13.4.20)");
    e->regs[E1000_IMS / 4] |= v & E1000_ICS_LATCH_MASK;
    update_irq(e);
}

static void wr_imc(struct e1000 *e, uint32_t off, uint32_t v)
{
    e->regs[E1000_IMS / 4] &= ~v;
    update_irq(e);
}

/* A ring's base, length or head written: the ring is being set up anew,
 * and what earlier tail writes handed over no longer counts. */
static void ring_changed(struct e1000 *e, uint32_t off)
{
    if (off >= E1000_TDBAL) {
        e->tx_tail_stale = true;
        e1000dev_tx_ring_reset(e);
    } else {
        e->rx_tail_stale = true;
        e->rx_handed = false;
    }
}

/* 13.4.27, 13.4.38: ring lengths are multiples of 128 bytes; bits 6:0
 * are ignored and read back as 0. */
static void wr_ring_len(struct e1000 *e, uint32_t off, uint32_t v)
{
    bool tx = off == E1000_TDLEN;
    if (v & (E1000_RING_ALIGN - 1))
        e1000dev_warn(e, tx ? E1000_RULE_TX_RING_LEN : E1000_RULE_RX_RING_LEN, "%s = %u is not a "
                   "multiple of 128 bytes: bits 6:0 are ignored, leaving %u descriptors "
                   "(8254x %s)", tx ? "TDLEN" : "RDLEN", v, (v & 0xfff80u) / E1000_DESC_SIZE,
                   tx ? "13.4.38" : "13.4.27");
    e->regs[off / 4] = v & 0xfff80u;
    ring_changed(e, off);
}

/* 13.4.25, 13.4.36: bits 3:0 of a ring's base are ignored and read back
 * as 0, so a ring that is not 16-byte aligned is not where the driver
 * put it. */
static void wr_ring_base(struct e1000 *e, uint32_t off, uint32_t v)
{
    bool tx = off == E1000_TDBAL;
    if (off == E1000_TDBAL || off == E1000_RDBAL)
        *(tx ? &e->tx_base_unaligned : &e->rx_base_unaligned) = v & 0xf;
    if ((off == E1000_TDBAL || off == E1000_RDBAL) && (v & 0xf)) {
        e1000dev_warn(e, tx ? E1000_RULE_TX_RING_BASE : E1000_RULE_RX_RING_BASE, "%s = 0x%x: bits "
                   "3:0 are ignored (it reads back 0x%x), so the ring is not where the driver "
                   "put it; align it to 16 bytes (8254x %s)", tx ? "TDBAL" : "RDBAL", v,
                   v & ~0xfu, tx ? "13.4.36" : "13.4.25");
        v &= ~0xfu;
    }
    e->regs[off / 4] = v;
    ring_changed(e, off);
}

/* 13.4.28, 13.4.39: software writes a head only to set a ring up,
 * to an index inside it. */
static void wr_head(struct e1000 *e, uint32_t off, uint32_t v)
{
    bool tx = off == E1000_TDH;
    uint32_t n = e->regs[(tx ? E1000_TDLEN : E1000_RDLEN) / 4] / E1000_DESC_SIZE;
    v &= 0xffff;                       /* head and tail: 16-bit indices */
    if (n && v >= n)
        e1000dev_warn(e, tx ? E1000_RULE_TDH_RANGE : E1000_RULE_RDH_RANGE, "%s = %u is past the "
                   "end of the %u-descriptor %s ring: nothing is %s until it is set inside it "
                   "(8254x %s)", tx ? "TDH" : "RDH", v, n, tx ? "transmit" : "receive",
                   tx ? "sent" : "received", tx ? "13.4.39" : "13.4.28");
    e->regs[off / 4] = v;
    ring_changed(e, off);
}

/* A tail's 16 bits; the value before it (UINT32_MAX: not one the driver
 * wrote) for the doorbell's checks. */
static uint32_t new_tail(struct e1000 *e, uint32_t off, uint32_t v, bool *stale)
{
    uint32_t old = *stale ? UINT32_MAX : e->regs[off / 4];
    e->regs[off / 4] = v & 0xffff;
    *stale = false;
    return old;
}

static void wr_tdt(struct e1000 *e, uint32_t off, uint32_t v)
{
    e1000dev_tdt_written(e, new_tail(e, off, v, &e->tx_tail_stale));
    start_tx(e);
}

static void wr_rdt(struct e1000 *e, uint32_t off, uint32_t v)
{
    e1000dev_rdt_written(e, new_tail(e, off, v, &e->rx_tail_stale));
    start_rx(e);
}

/* 8254x manual 13.4.22: with EN clear frames are dropped; those waiting
 * in the receive FIFO go too. */
static void wr_rctl(struct e1000 *e, uint32_t off, uint32_t v)
{
    e1000dev_site_record(e, &e->rctl_site);
    if (!(v & E1000_RCTL_EN))
        e1000dev_rx_flush(e, "RCTL.EN cleared");
    else
        e->rx_was_enabled = true;
    if ((v & E1000_RCTL_BSEX) && !(v & E1000_RCTL_BSIZE_MASK))
        e1000dev_warn(e, E1000_RULE_BSEX, "RCTL = 0x%08x sets BSEX with BSIZE 00, a reserved "
                   "combination; taken as 2048-byte buffers (8254x 13.4.22)", v);
    e->regs[off / 4] = v;
    start_rx(e);
}

/* RDTR bit 31 (flush partial descriptor block): the delayed RXT0 now. */
static void wr_rdtr(struct e1000 *e, uint32_t off, uint32_t v)
{
    e->regs[off / 4] = v & 0xffff;
    if ((v & 0x80000000u) && e->loop && (e->rdtr.armed || e->radv.armed))
        rx_timer_expired(e);
}

static void wr_tctl(struct e1000 *e, uint32_t off, uint32_t v)
{
    e->regs[off / 4] = v;
    start_tx(e);                       /* descriptors queued while disabled */
}

/* Statistics clear when read. */
static uint32_t rd_stat(struct e1000 *e, uint32_t off)
{
    uint32_t v = e->regs[off / 4];
    e->regs[off / 4] = 0;
    return v;
}

static const struct reg_desc regs[] = {
    { E1000_CTRL, "CTRL", rd_plain, wr_ctrl },
    { E1000_STATUS, "STATUS", rd_status, wr_ignore },
    { E1000_EECD, "EECD", rd_eecd, wr_eecd },
    { E1000_EERD, "EERD", rd_plain, wr_eerd },
    { E1000_CTRL_EXT, "CTRL_EXT", rd_plain, wr_plain },
    { E1000_FLA, "FLA", rd_plain, wr_plain },
    { E1000_MDIC, "MDIC", rd_plain, wr_mdic },
    { E1000_FCAL, "FCAL", rd_plain, wr_plain },
    { E1000_FCAH, "FCAH", rd_plain, wr_16 },
    { E1000_FCT, "FCT", rd_plain, wr_16 },
    { E1000_VET, "VET", rd_plain, wr_16 },
    { E1000_ICR, "ICR", rd_icr, wr_icr },
    { E1000_ITR, "ITR", rd_plain, wr_plain },
    { E1000_ICS, "ICS", rd_plain, wr_ics },
    { E1000_IMS, "IMS", rd_ims, wr_ims },
    { E1000_IMC, "IMC", rd_plain, wr_imc },
    { E1000_RCTL, "RCTL", rd_plain, wr_rctl },
    { E1000_FCTTV, "FCTTV", rd_plain, wr_plain },
    { E1000_TXCW, "TXCW", rd_plain, wr_plain },
    { E1000_RXCW, "RXCW", rd_plain, wr_plain },
    { E1000_TCTL, "TCTL", rd_plain, wr_tctl },
    { E1000_TIPG, "TIPG", rd_plain, wr_plain },
    { E1000_AIT, "AIT", rd_plain, wr_16 },
    { E1000_LEDCTL, "LEDCTL", rd_plain, wr_plain },
    { E1000_PBA, "PBA", rd_plain, wr_plain },
    { E1000_FCRTL, "FCRTL", rd_plain, wr_plain },
    { E1000_FCRTH, "FCRTH", rd_plain, wr_plain },
    { E1000_RDBAL, "RDBAL", rd_plain, wr_ring_base },
    { E1000_RDBAH, "RDBAH", rd_plain, wr_ring_base },
    { E1000_RDLEN, "RDLEN", rd_plain, wr_ring_len },
    { E1000_RDH, "RDH", rd_plain, wr_head },
    { E1000_RDT, "RDT", rd_plain, wr_rdt },
    { E1000_RDTR, "RDTR", rd_plain, wr_rdtr },
    { E1000_RXDCTL, "RXDCTL", rd_plain, wr_plain },
    { E1000_RADV, "RADV", rd_plain, wr_plain },
    { E1000_RSRPD, "RSRPD", rd_plain, wr_plain },
    { E1000_TDBAL, "TDBAL", rd_plain, wr_ring_base },
    { E1000_TDBAH, "TDBAH", rd_plain, wr_ring_base },
    { E1000_TDLEN, "TDLEN", rd_plain, wr_ring_len },
    { E1000_TDH, "TDH", rd_plain, wr_head },
    { E1000_TDT, "TDT", rd_plain, wr_tdt },
    { E1000_TIDV, "TIDV", rd_plain, wr_plain },
    { E1000_TXDCTL, "TXDCTL", rd_plain, wr_plain },
    { E1000_TADV, "TADV", rd_plain, wr_plain },
    { E1000_TSPMT, "TSPMT", rd_plain, wr_plain },
    { E1000_RXCSUM, "RXCSUM", rd_plain, wr_plain },
    { E1000_WUC, "WUC", rd_plain, wr_plain },
    { E1000_WUFC, "WUFC", rd_plain, wr_plain },
    { E1000_WUS, "WUS", rd_plain, wr_plain },
    { E1000_MANC, "MANC", rd_plain, wr_plain },
};

/* Table lookup by offset: ranges (MTA, RAL/RAH, VFTA, statistics) are
 * matched by range, the rest through a small index built at start. */
static const struct reg_desc ranged[] = {
    { E1000_MTA, "MTA", rd_plain, wr_plain },
    { E1000_RAL(0), "RAL/RAH", rd_plain, wr_ra },
    { E1000_VFTA, "VFTA", rd_plain, wr_plain },
    { E1000_STATS_FIRST, "statistics", rd_stat, wr_ignore },
};
static const uint32_t ranged_len[] = {
    4 * E1000_MTA_SIZE, 8 * E1000_RAR_ENTRIES, 4 * 128, E1000_STATS_LAST + 4 - E1000_STATS_FIRST,
};

static const struct reg_desc *find_reg(uint32_t off)
{
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        if (regs[i].offset == off)
            return &regs[i];
    for (size_t i = 0; i < sizeof ranged / sizeof ranged[0]; i++)
        if (off >= ranged[i].offset && off - ranged[i].offset < ranged_len[i])
            return &ranged[i];
    return NULL;
}

uint32_t e1000dev_reg_read(struct e1000 *e, uint32_t off)
{
    off &= ~3u;
    if (off >= E1000_BAR0_SIZE)
        return 0;
    const struct reg_desc *r = find_reg(off);
    if (!r) {
        log_warn_rl(&e->rl, "e1000: read of register 0x%05x, which the 82540EM model does "
                    "not implement; reads 0", off);
        return 0;
    }
    return r->read(e, off);
}

void e1000dev_reg_write(struct e1000 *e, uint32_t off, uint32_t v)
{
    off &= ~3u;
    if (off >= E1000_BAR0_SIZE)
        return;
    const struct reg_desc *r = find_reg(off);
    if (!r) {
        log_warn_rl(&e->rl, "e1000: write 0x%x to register 0x%05x, which the 82540EM "
                    "model does not implement; ignored", v, off);
        return;
    }
    r->write(e, off, v);
}

/* The 8254x manual (13, register descriptions) has the registers 32 bits
 * wide and accessed as dwords, as Linux's driver does. A read of part of
 * one register returns those bytes of it: the whole register is read,
 * side effects included (ICR and the statistics clear as on a full
 * read). A read across two registers and any write but an aligned dword
 * are refused with a warning: the model never applies a value to bytes
 * the guest did not name. 8-byte accesses reach here as two dwords (the
 * region layer splits them), as register pairs such as RDBAL/RDBAH want. */
static bool within_dword(uint64_t off, unsigned size)
{
    return (off & 3) + size <= 4;
}

static uint32_t bytes_of(uint32_t v, uint64_t off, unsigned size)
{
    v >>= 8 * (off & 3);
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void refuse(struct e1000 *e, bool write, const char *bar, int width, uint64_t off,
                   unsigned size)
{
    log_warn_rl(&e->rl, "e1000: %u-byte %s at %s offset 0x%0*llx refused: the 82540 takes %s",
                size, write ? "write" : "read", bar, width, (unsigned long long)off,
                write ? "aligned 32-bit writes" : "reads inside one 32-bit register");
}

/* BAR0: the registers. */
static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct e1000 *e = opaque;
    if (!within_dword(off, size)) {
        refuse(e, false, "BAR0", 5, off, size);
        return 0;
    }
    return bytes_of(e1000dev_reg_read(e, (uint32_t)off), off, size);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct e1000 *e = opaque;
    if (size != 4 || (off & 3)) {
        refuse(e, true, "BAR0", 5, off, size);
        return;
    }
    e1000dev_reg_write(e, (uint32_t)off, (uint32_t)val);
}

/* BAR1: IOADDR at 0 selects a register, IODATA at 4 reaches it; the same
 * rules as BAR0. The rest of the 64 bytes is reserved. */
static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
    struct e1000 *e = opaque;
    if (!within_dword(off, size)) {
        refuse(e, false, "I/O BAR", 1, off, size);
        return 0;
    }
    uint32_t v = 0;
    if (off < 4)
        v = e->ioaddr;
    else if (off < 8)
        v = e1000dev_reg_read(e, e->ioaddr & (E1000_BAR0_SIZE - 1));
    return bytes_of(v, off, size);
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct e1000 *e = opaque;
    if (size != 4 || (off & 3)) {
        refuse(e, true, "I/O BAR", 1, off, size);
        return;
    }
    if (off == E1000_IOADDR)
        e->ioaddr = (uint32_t)val & ~3u;
    else if (off == E1000_IODATA)
        e1000dev_reg_write(e, e->ioaddr & (E1000_BAR0_SIZE - 1), (uint32_t)val);
}

static const struct region_ops mmio_ops = { mmio_read, mmio_write, 4 };
static const struct region_ops io_ops = { io_read, io_write, 4 };

void e1000dev_set_link(struct e1000 *e, bool up)
{
    bool was = status_value(e) & E1000_STATUS_LU;
    e->link_up = up;
    e1000dev_phy_link(e, up);
    if (was != !!(status_value(e) & E1000_STATUS_LU))
        e1000dev_raise(e, E1000_ICR_LSC);
    if (up)
        e1000dev_rx_kick(e);
}

bool e1000dev_link(const struct e1000 *e)
{
    return e->link_up;
}

void e1000dev_mac(const struct e1000 *e, uint8_t mac[6])
{
    memcpy(mac, e->mac, 6);
}

/* Bus mastering switched on: what waited for it may start. */
static void config_written(struct pci_device *d, unsigned addr, unsigned len)
{
    struct e1000 *e = d->opaque;
    if (addr <= PCI_COMMAND && addr + len > PCI_COMMAND && pci_bus_master(d)) {
        start_tx(e);
        start_rx(e);
    }
}

/* The NIC takes every frame offered (its receive FIFO keeps or drops
 * it), so the net layer never queues for it. */
static const struct net_client_ops nic_ops = { "nic", NULL, e1000dev_rx_receive };

struct e1000 *e1000dev_create(struct pci_bus *bus, uint8_t devfn, const uint8_t mac[6])
{
    struct e1000 *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->tx.buf = malloc(NET_FRAME_MAX + 64);
    if (!e->tx.buf) {
        free(e);
        return NULL;
    }
    net_client_init(&e->nc, "e1000", &nic_ops, e);
    e->rl = (struct ratelimit)RATELIMIT_INIT;
    e->dma_delay = E1000_DMA_DELAY_NS;
    if (pci_device_init(&e->pci, bus, devfn, "e1000", PCI_VENDOR_INTEL, PCI_DEVICE_82540EM,
                        PCI_CLASS_NETWORK_ETHERNET, 0x03, PCI_HEADER_TYPE_NORMAL) < 0) {
        free(e->tx.buf);
        free(e);
        return NULL;
    }
    e->pci.opaque = e;
    e->pci.config_written = config_written;
    pci_set_subsystem(&e->pci, PCI_SUBVENDOR_QEMU, PCI_SUBDEVICE_QEMU);
    pci_set_interrupt_pin(&e->pci, PCI_INTERRUPT_PIN_A);
    region_init_io(&e->mmio, "e1000-mmio", E1000_BAR0_SIZE, &mmio_ops, e);
    /* The multicast table only stores (receive filtering reads it after
     * the queue is drained); drivers write all 128 entries at probe. An
     * EERD write starts an EEPROM read whose only sign is DONE in EERD:
     * the driver's next read of it, which exits and finds the queue
     * delivered first (64 such reads check the EEPROM at probe). */
    region_set_write_queue(&e->mmio, 0, E1000_MTA, 4 * E1000_MTA_SIZE);
    region_set_write_queue(&e->mmio, 1, E1000_EERD, 4);
    region_init_io(&e->io, "e1000-io", E1000_BAR1_SIZE, &io_ops, e);
    pci_register_bar(&e->pci, 0, PCI_BASE_ADDRESS_MEM_TYPE_32, E1000_BAR0_SIZE, &e->mmio);
    pci_register_bar(&e->pci, 1, PCI_BASE_ADDRESS_SPACE_IO, E1000_BAR1_SIZE, &e->io);
    memcpy(e->mac, mac, 6);
    e->link_up = true;
    e1000dev_eeprom_init(e);
    reset(e);
    return e;
}

void e1000dev_destroy(struct e1000 *e)
{
    if (!e)
        return;
    stop_timers(e);
    e1000dev_rx_flush(e, NULL);
    e1000dev_tx_handed_free(e);
    net_client_cleanup(&e->nc);
    free(e->tx.buf);
    free(e);
}

void e1000dev_frames(const struct e1000 *e, uint64_t *tx, uint64_t *rx)
{
    *tx = e->frames_tx;
    *rx = e->frames_rx;
}

struct net_client *e1000dev_net_client(struct e1000 *e)
{
    return &e->nc;
}

struct pci_device *e1000dev_pci(struct e1000 *e)
{
    return &e->pci;
}
