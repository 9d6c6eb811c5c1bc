/* Shared by the e1000's files: the device state. */
#ifndef HOST_HW_E1000_INTERNAL_H
#define HOST_HW_E1000_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "contract/e1000.h"
#include "core/log.h"
#include "core/loop.h"
#include "debug/diag.h"
#include "hw/e1000.h"
#include "net/net.h"

/* The TCP/IP context a context descriptor sets (8254x manual 3.3.6). */
struct tx_context {
    uint8_t ipcss, ipcso, tucss, tucso, hdr_len;
    uint16_t ipcse, tucse, mss;
    uint32_t paylen, tucmd;
};

/* A packet being gathered from transmit descriptors. */
struct tx_packet {
    uint8_t *buf;           /* NET_FRAME_MAX bytes */
    size_t len;
    bool active;            /* descriptors taken, no EOP yet */
    bool tse, ixsm, txsm, legacy_ic;
    uint8_t css, cso;       /* legacy checksum start and offset */
    struct tx_context ctx;  /* the context in force when the packet began */
};

/* Work done by the current transmit batch (e1000_tx.c bounds it). */
struct tx_work {
    unsigned descs, frames;
    size_t bytes;           /* fetched from the guest and sent */
};

/* Frames taken off the wire that wait for receive descriptors: the
 * receive FIFO, bounded by E1000_RX_FIFO_BYTES (e1000_rx.c). */
struct rx_fifo {
    struct net_packet *head, *tail;
    unsigned frames;
    size_t bytes;
};

/* The mistakes a driver makes that the device can see (e1000_diag.c),
 * each reported once, however often it is made. */
enum e1000_rule {
    E1000_RULE_NO_BME,      /* TDT or RDT, whichever comes first */
    E1000_RULE_TX_DISABLED, E1000_RULE_RX_DISABLED, E1000_RULE_RX_NO_DESC,
    E1000_RULE_TDT_RANGE, E1000_RULE_RDT_RANGE, E1000_RULE_TDH_RANGE, E1000_RULE_RDH_RANGE,
    E1000_RULE_TX_RING_LEN, E1000_RULE_RX_RING_LEN, E1000_RULE_TX_NO_RING, E1000_RULE_RX_NO_RING,
    E1000_RULE_TX_RING_BASE, E1000_RULE_RX_RING_BASE,
    E1000_RULE_TX_RING_RAM, E1000_RULE_RX_RING_RAM,
    E1000_RULE_RX_DD_SET, E1000_RULE_RDT_ONTO_RDH, E1000_RULE_IMS_ZERO,
    E1000_RULE_TX_NO_EOP, E1000_RULE_TX_NO_RS, E1000_RULE_TX_ZERO_HEADER,
    E1000_RULE_TX_BUFFER, E1000_RULE_RX_BUFFER, E1000_RULE_TX_NULL_BUFFER,
    E1000_RULE_RX_NULL_BUFFER,
    E1000_RULE_TX_REUSED, E1000_RULE_TX_OVERRUN, E1000_RULE_BSEX,
    E1000_RULES
};
_Static_assert(E1000_RULES <= 32, "one bit of e1000.warned per rule");

/* Where the guest was when it wrote a register, for a warning that comes
 * later (a frame arriving with the receiver off names the RCTL write). */
struct e1000_site {
    bool known;
    uint64_t pc;
};

/* What a TDT write handed over, as the doorbell checks saw it
 * (e1000_doorbell.c): each descriptor as it was then, to find one the
 * driver changes before the device has written DD back. */
struct tx_handed {
    uint8_t (*desc)[E1000_DESC_SIZE];
    uint8_t *valid;         /* desc[i] holds what TDT handed over */
    uint32_t n;             /* the ring size they were taken for */
    bool open;              /* the last descriptor handed over had no EOP */
    bool rs_seen;           /* any with RS since the ring was set up */
    uint32_t without_rs;    /* handed over without RS since then */
};

/* Adaptive IFS Throttle (8254x manual 13.4.35): bits 15:0, the rest
 * reserved. Stored only: the model has no inter-frame gap to stretch. */
#ifndef E1000_AIT
#define E1000_AIT 0x00458
#endif

/* ICS and IMS latch bits 16:0, the reserved cause positions 5, 8 and 11
 * of 13.4.17 included: a driver that forces them (Linux's ethtool
 * interrupt test forces bits 0-9 on the 82540) reads them back in ICR and
 * gets the interrupt, as on the chip. The model itself raises only the
 * causes of E1000_ICR_VALID_MASK. */
#define E1000_ICS_LATCH_MASK 0x0001ffffu

#define E1000_NREGS (E1000_BAR0_SIZE / 4)
/* A register's storage, without a read's or write's side effects. */
#define R(e, reg) ((e)->regs[(reg) / 4])

/* The Microwire conversation over EECD, one SK rising edge at a time. */
struct microwire {
    uint8_t last_eecd;      /* SK/CS/DI as last written */
    unsigned bits_in;       /* bits received since CS rose */
    uint16_t shift_in;
    bool reading;
    unsigned addr;          /* word being shifted out */
    int bit_out;            /* 16: the dummy zero; 15..0: data */
    bool data_out;          /* DO */
};

struct e1000 {
    struct pci_device pci;
    struct region mmio, io;
    uint32_t regs[E1000_NREGS];
    uint16_t eeprom[E1000_EEPROM_WORDS];
    uint16_t phy[32];
    uint8_t mac[6];
    uint32_t ioaddr;
    bool link_up;           /* the cable */
    struct microwire mw;
    struct tx_context ctx;  /* the last context descriptor */
    struct tx_packet tx;
    struct tx_work txw;
    struct rx_fifo rxq;
    struct net_client nc;   /* the NIC's end of the wire */
    /* interrupt moderation (8254x manual 3.4): timers on the loop */
    struct loop *loop;
    struct timer rdtr, radv, tidv, tadv, itr;
    struct timer tx_more;   /* starts transmit after TDT, resumes a batch cut short */
    struct timer rx_more;   /* delivers waiting frames after RDT or RCTL */
    uint64_t itr_next;      /* earliest time INTA may be asserted again */
    uint64_t dma_delay;     /* from a doorbell to the work it starts, ns */
    struct ratelimit rl;
    uint64_t frames_tx, frames_rx;  /* since power-on, for -stats */
    struct e1000dev_rx_stats rx_stats; /* since power-on (e1000_rx.c) */
    /* diagnostics (e1000_diag.c, e1000_doorbell.c) */
    struct diag *diag;
    uint32_t warned;        /* a bit per enum e1000_rule already reported */
    struct e1000_site rctl_site;    /* the last RCTL write */
    bool rx_was_enabled;    /* RCTL.EN has been set since reset */
    bool rx_handed;         /* RDT handed descriptors over since the ring was set up */
    struct e1000_site rx_ring_site; /* the RDT write that first did */
    /* the ring was set up anew since the last TDT/RDT write, so the tail
     * before it says nothing about what is handed over now */
    bool tx_tail_stale, rx_tail_stale;
    /* the ring base was written unaligned: its descriptors are not the
     * driver's, so checking them would only add noise to that warning */
    bool tx_base_unaligned, rx_base_unaligned;
    struct tx_handed txh;
};

/* e1000_eeprom.c */
void e1000dev_eeprom_init(struct e1000 *e);
uint32_t e1000dev_eecd_read(struct e1000 *e);
void e1000dev_eecd_write(struct e1000 *e, uint32_t v);
uint32_t e1000dev_eerd_write(struct e1000 *e, uint32_t v);

/* e1000_phy.c */
void e1000dev_phy_reset(struct e1000 *e);
void e1000dev_phy_link(struct e1000 *e, bool up);
/* PHY control bit 14: the PHY's transmit side feeds its receive side and
 * it is cut off from the cable (e1000_phy.c). */
bool e1000dev_phy_loopback(const struct e1000 *e);
/* Performs the MDIC operation v asks for; returns MDIC's new value. */
uint32_t e1000dev_mdic_write(struct e1000 *e, uint32_t v);

/* e1000_tx.c: walk the transmit ring from TDH to TDT, a bounded batch
 * at a time; with a loop, what is left resumes from it (tx_more). */
void e1000dev_tx_run(struct e1000 *e);
void e1000dev_tx_reset(struct e1000 *e);

/* e1000_rx.c: frames from the wire, always taken (delivered, queued in
 * the receive FIFO, or dropped and counted) */
bool e1000dev_rx_receive(struct net_client *nc, const uint8_t *f, size_t len);
/* A frame the PHY loops back from the transmitter: received whatever the
 * cable's state. */
void e1000dev_rx_loopback(struct e1000 *e, const uint8_t *f, size_t len);
/* RDT, RCTL or the link changed: deliver what the FIFO holds. */
void e1000dev_rx_kick(struct e1000 *e);
/* Discard the FIFO; why (NULL: silently) names the cause in a warning. */
void e1000dev_rx_flush(struct e1000 *e, const char *why);

/* e1000_diag.c: one warning per rule, naming the guest instruction of
 * the access being performed (e1000dev_warn) or the one recorded at a
 * register write (e1000dev_warn_site, reg names that register). */
void e1000dev_warn(struct e1000 *e, enum e1000_rule rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void e1000dev_warn_site(struct e1000 *e, enum e1000_rule rule, const char *reg,
                     const struct e1000_site *site, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void e1000dev_site_record(struct e1000 *e, struct e1000_site *site);

/* e1000_doorbell.c: what a driver hands over, checked at the write */
void e1000dev_tdt_written(struct e1000 *e, uint32_t old_tdt);
void e1000dev_rdt_written(struct e1000 *e, uint32_t old_rdt);
/* The descriptor the device fetched differs from what TDT handed over. */
void e1000dev_tx_check_fetched(struct e1000 *e, uint32_t idx, uint64_t at, const uint8_t *d);
/* The transmit ring was set up anew (TDBAL, TDLEN, TDH written, reset). */
void e1000dev_tx_ring_reset(struct e1000 *e);
void e1000dev_tx_handed_free(struct e1000 *e);

/* e1000.c */
void e1000dev_raise(struct e1000 *e, uint32_t causes);
/* A frame was received / a descriptor with IDE done: RXT0 / TXDW now or
 * after the delay timers (RDTR/RADV, TIDV/TADV). */
void e1000dev_rx_done(struct e1000 *e);
void e1000dev_tx_done_delayed(struct e1000 *e);

#endif
