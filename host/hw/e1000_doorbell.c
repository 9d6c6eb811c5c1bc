/*
 * What a driver hands the device, checked at the doorbell write itself
 * (TDT, RDT), while the guest instruction that wrote it is known: the
 * ring and its indices, bus mastering and the enables, and each
 * descriptor handed over (its buffer, EOP, RS, a frame with an empty
 * Ethernet header, a receive descriptor still marked done). The device's
 * work itself starts later (E1000_DMA_DELAY_NS); transmit descriptors are
 * kept as handed over, so that one the driver rewrites before the device
 * has written DD back is caught when the device fetches it.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/e1000_internal.h"

static uint32_t ring_size(const struct e1000 *e, uint32_t len_reg)
{
    return R(e, len_reg) / E1000_DESC_SIZE;
}

static uint64_t ring_base(const struct e1000 *e, uint32_t bal)
{
    return (uint64_t)R(e, bal + 4) << 32 | R(e, bal);
}

/* How far idx is past head, going round a ring of n. */
static uint32_t ahead(uint32_t idx, uint32_t head, uint32_t n)
{
    return (idx + n - head) % n;
}

/* ---- transmit ---- */

void e1000dev_tx_handed_free(struct e1000 *e)
{
    free(e->txh.desc);
    free(e->txh.valid);
    e->txh = (struct tx_handed){ 0 };
}

void e1000dev_tx_ring_reset(struct e1000 *e)
{
    if (e->txh.valid)
        memset(e->txh.valid, 0, e->txh.n);
    e->txh.open = e->txh.rs_seen = false;
    e->txh.without_rs = 0;
}

static bool handed_ready(struct e1000 *e, uint32_t n)
{
    if (e->txh.n == n)
        return true;
    free(e->txh.desc);
    free(e->txh.valid);
    e->txh.desc = malloc((size_t)n * E1000_DESC_SIZE);
    e->txh.valid = calloc(n, 1);
    e->txh.n = e->txh.desc && e->txh.valid ? n : 0;
    return e->txh.n == n;
}

/* What a legacy or data descriptor carries; false for a context one. */
struct tx_fields {
    uint64_t addr;
    uint32_t len;
    bool eop, rs;
};

static bool tx_fields(const uint8_t d[E1000_DESC_SIZE], struct tx_fields *f)
{
    uint32_t lower;
    memcpy(&f->addr, d, 8);
    memcpy(&lower, d + 8, 4);
    if (d[11] & E1000_TXD_CMD_DEXT) {
        f->rs = lower & E1000_TXD_DCMD_RS;
        if ((lower & E1000_TXD_DTYP_MASK) != E1000_TXD_DTYP_D)
            return false;
        f->len = lower & E1000_TXD_LEN_MASK;
        f->eop = lower & E1000_TXD_DCMD_EOP;
        return true;
    }
    f->len = (uint32_t)d[8] | (uint32_t)d[9] << 8;
    f->eop = d[11] & E1000_TXD_CMD_EOP;
    f->rs = d[11] & E1000_TXD_CMD_RS;
    return true;
}

static void check_tx_buffer(struct e1000 *e, uint32_t idx, const struct tx_fields *f)
{
    static const uint8_t zeros[12];
    uint8_t hdr[12];
    if (!f->len)
        return;
    if (!f->addr)
        e1000dev_warn(e, E1000_RULE_TX_NULL_BUFFER, "transmit descriptor %u has buffer address "
                      "0 and length %u: a null buffer transfers no data (8254x 3.3.3.1)", idx,
                      f->len);
    else if (!pci_dma_is_ram(&e->pci, f->addr, f->len))
        e1000dev_warn(e, E1000_RULE_TX_BUFFER, "transmit descriptor %u: buffer 0x%llx (%u bytes) "
                   "is not RAM; descriptors hold physical addresses (8254x 3.3.3)", idx,
                   (unsigned long long)f->addr, f->len);
    else if (!e->txh.open && f->len >= sizeof hdr &&
             pci_dma_read(&e->pci, f->addr, hdr, sizeof hdr) && !memcmp(hdr, zeros, sizeof hdr))
        e1000dev_warn(e, E1000_RULE_TX_ZERO_HEADER, "transmit descriptor %u starts a frame whose "
                   "Ethernet header is all zeros (no destination, no source MAC): its buffer "
                   "was not filled, or is not the one filled (8254x 3.3.3)", idx);
}

/* Each descriptor from `from` up to TDT, as the driver hands it over. */
static void check_handed_tx(struct e1000 *e, uint32_t from, uint32_t n)
{
    uint32_t tail = R(e, E1000_TDT), last = n;
    uint64_t base = ring_base(e, E1000_TDBAL);
    if (e->tx_base_unaligned)
        return;
    bool keep = handed_ready(e, n);
    for (uint32_t i = from, k = 0; i != tail && k < n; i = (i + 1) % n, k++) {
        uint8_t d[E1000_DESC_SIZE];
        uint64_t at = base + (uint64_t)i * E1000_DESC_SIZE;
        if (!pci_dma_read(&e->pci, at, d, sizeof d)) {
            e1000dev_warn(e, E1000_RULE_TX_RING_RAM, "TDT = %u hands over transmit descriptor %u "
                       "at 0x%llx, which is not RAM: TDBAL/TDBAH hold the ring's physical "
                       "address (8254x 13.4.36)", tail, i, (unsigned long long)at);
            return;
        }
        if (keep) {
            memcpy(e->txh.desc[i], d, sizeof d);
            e->txh.valid[i] = 1;
        }
        struct tx_fields f;
        bool data = tx_fields(d, &f);
        if (f.rs)
            e->txh.rs_seen = true;
        else
            e->txh.without_rs++;
        if (!data)
            continue;
        check_tx_buffer(e, i, &f);
        e->txh.open = !f.eop;
        last = i;
    }
    if (e->txh.open && last < n)
        e1000dev_warn(e, E1000_RULE_TX_NO_EOP, "TDT = %u hands over transmit descriptors ending "
                   "with %u, which has no EOP: the device holds the packet until a descriptor "
                   "with EOP (CMD bit 0) ends it (8254x 3.3.3.1)", tail, last);
    if (!e->txh.rs_seen && e->txh.without_rs >= n - 1)
        e1000dev_warn(e, E1000_RULE_TX_NO_RS, "%u transmit descriptors handed over and none has "
                   "RS: the device writes DD back only where RS (CMD bit 3) is set, so a driver "
                   "waiting for DD waits for ever (8254x 3.3.3.1)", e->txh.without_rs);
}

void e1000dev_tdt_written(struct e1000 *e, uint32_t old)
{
    uint32_t n = ring_size(e, E1000_TDLEN), tail = R(e, E1000_TDT), head = R(e, E1000_TDH);
    if (!n) {
        /* (a TDLEN that left no descriptor was explained when written) */
        if (tail != (old == UINT32_MAX ? head : old) &&
            !(e->warned & 1u << E1000_RULE_TX_RING_LEN))
            e1000dev_warn(e, E1000_RULE_TX_NO_RING, "TDT written (%u) while TDLEN is 0: there "
                       "is no transmit ring; program TDBAL, TDBAH and TDLEN first (8254x 14.5)",
                       tail);
        return;
    }
    if (tail >= n) {
        e1000dev_warn(e, E1000_RULE_TDT_RANGE, "TDT = %u is past the end of the %u-descriptor "
                   "transmit ring (TDLEN %u bytes); the last index is %u (8254x 13.4.40)", tail,
                   n, R(e, E1000_TDLEN), n - 1);
        return;
    }
    if (head >= n || tail == (old < n ? old : head))
        return;                         /* nothing newly handed over */
    if (!(R(e, E1000_TCTL) & E1000_TCTL_EN))
        e1000dev_warn(e, E1000_RULE_TX_DISABLED, "TDT written (%u) while TCTL.EN is clear: the "
                   "transmitter is off and sends nothing until TCTL.EN is set (8254x 13.4.33)",
                   tail);
    if (!pci_bus_master(&e->pci)) {
        e1000dev_warn(e, E1000_RULE_NO_BME, "TDT written (%u) while PCI COMMAND.BME is off: "
                   "without bus mastering the device cannot fetch descriptors, so nothing is "
                   "sent; set COMMAND bit 2 first (PCI 3.0 6.2.2)", tail);
        return;
    }
    if (old >= n) {
        check_handed_tx(e, head, n);
        return;
    }
    /* the device owns [TDH, TDT): a new tail at or behind TDH hands
     * back descriptors it has not processed yet */
    if (ahead(tail, head, n) < ahead(old, head, n)) {
        e1000dev_warn(e, E1000_RULE_TX_OVERRUN, "TDT moved from %u to %u, onto or past TDH (%u), "
                   "while the device still owned the descriptors in between: they were reused "
                   "before DD; stop one short of TDH and wait for DD (8254x 13.4.40)", old,
                   tail, head);
        e->warned |= 1u << E1000_RULE_TX_REUSED;   /* the same mistake */
    }
    check_handed_tx(e, old, n);
}

void e1000dev_tx_check_fetched(struct e1000 *e, uint32_t idx, uint64_t at, const uint8_t *d)
{
    if (idx >= e->txh.n || !e->txh.valid[idx])
        return;
    e->txh.valid[idx] = 0;
    if (memcmp(e->txh.desc[idx], d, E1000_DESC_SIZE) != 0)
        e1000dev_warn(e, E1000_RULE_TX_REUSED, "transmit descriptor %u changed after TDT handed "
                   "it over and before the device wrote DD back: a driver reuses a descriptor "
                   "only once DD is set (8254x 3.3.3.1); gdb: watch -l *(char (*)[16])0x%llx",
                   idx, (unsigned long long)at);
}

/* ---- receive ---- */

static size_t rx_buffer_size(uint32_t rctl)
{
    static const size_t sizes[2][4] = {
        { 2048, 1024, 512, 256 },
        { 2048, 16384, 8192, 4096 },
    };
    return sizes[!!(rctl & E1000_RCTL_BSEX)][(rctl & E1000_RCTL_BSIZE_MASK) >> 16];
}

static void check_handed_rx(struct e1000 *e, uint32_t from, uint32_t n)
{
    uint32_t tail = R(e, E1000_RDT);
    uint64_t base = ring_base(e, E1000_RDBAL);
    size_t bsize = rx_buffer_size(R(e, E1000_RCTL));
    if (e->rx_base_unaligned)
        return;
    for (uint32_t i = from, k = 0; i != tail && k < n; i = (i + 1) % n, k++) {
        struct e1000_rx_desc d;
        uint64_t at = base + (uint64_t)i * E1000_DESC_SIZE;
        if (!pci_dma_read(&e->pci, at, &d, sizeof d)) {
            e1000dev_warn(e, E1000_RULE_RX_RING_RAM, "RDT = %u hands over receive descriptor %u "
                       "at 0x%llx, which is not RAM: RDBAL/RDBAH hold the ring's physical "
                       "address (8254x 13.4.25)", tail, i, (unsigned long long)at);
            return;
        }
        if (d.status & E1000_RXD_STAT_DD)
            e1000dev_warn(e, E1000_RULE_RX_DD_SET, "RDT = %u hands receive descriptor %u back "
                       "with DD still set: a descriptor goes back once its frame is copied out "
                       "and its status cleared, or the driver takes an old frame for a new one "
                       "(8254x 3.2.3.1)", tail, i);
        if (!d.buffer_addr)
            e1000dev_warn(e, E1000_RULE_RX_NULL_BUFFER, "RDT = %u hands over receive descriptor "
                       "%u with buffer address 0: the device has nowhere to put a frame "
                       "(8254x 3.2.3)", tail, i);
        else if (!pci_dma_is_ram(&e->pci, d.buffer_addr, bsize))
            e1000dev_warn(e, E1000_RULE_RX_BUFFER, "RDT = %u hands over receive descriptor %u "
                       "whose buffer 0x%llx (%zu bytes, RCTL.BSIZE) is not RAM; descriptors hold "
                       "physical addresses (8254x 3.2.3)", tail, i,
                       (unsigned long long)d.buffer_addr, bsize);
    }
}

void e1000dev_rdt_written(struct e1000 *e, uint32_t old)
{
    uint32_t n = ring_size(e, E1000_RDLEN), tail = R(e, E1000_RDT), head = R(e, E1000_RDH);
    if (!n) {
        if (tail != (old == UINT32_MAX ? head : old) &&
            !(e->warned & 1u << E1000_RULE_RX_RING_LEN))
            e1000dev_warn(e, E1000_RULE_RX_NO_RING, "RDT written (%u) while RDLEN is 0: there "
                       "is no receive ring; program RDBAL, RDBAH and RDLEN first (8254x 14.4)",
                       tail);
        return;
    }
    if (tail >= n) {
        e1000dev_warn(e, E1000_RULE_RDT_RANGE, "RDT = %u is past the end of the %u-descriptor "
                   "receive ring (RDLEN %u bytes): nothing is received until it is fixed; the "
                   "last index is %u (8254x 13.4.29)", tail, n, R(e, E1000_RDLEN), n - 1);
        return;
    }
    if (head >= n)
        return;
    /* the device owns [RDH, RDT): a tail moved onto the head gives it
     * none, however many the driver meant to hand back */
    if (tail == head) {
        if (old < n && old != head)
            e1000dev_warn(e, E1000_RULE_RDT_ONTO_RDH, "RDT = %u moved onto RDH: with RDH == RDT "
                       "the device owns no descriptor (an empty ring, never a full one), so "
                       "frames wait; RDT names the descriptor after the last one handed back "
                       "(8254x 13.4.29)", tail);
        return;
    }
    if (old < n && ahead(tail, head, n) <= ahead(old, head, n))
        return;                         /* nothing newly handed over */
    if (!e->rx_handed)
        e1000dev_site_record(e, &e->rx_ring_site);
    e->rx_handed = true;
    if (!pci_bus_master(&e->pci)) {
        e1000dev_warn(e, E1000_RULE_NO_BME, "RDT written (%u) while PCI COMMAND.BME is off: "
                   "without bus mastering the device cannot write frames to memory, so they "
                   "wait; set COMMAND bit 2 first (PCI 3.0 6.2.2)", tail);
        return;
    }
    check_handed_rx(e, old < n ? old : head, n);
}
