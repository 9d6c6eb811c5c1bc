/* Shared by the e1000's files: the device state. */
#ifndef HOST_HW_E1000_INTERNAL_H
#define HOST_HW_E1000_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "contract/e1000.h"
#include "core/log.h"
#include "core/loop.h"
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
    struct timer tx_more;   /* resumes a transmit batch cut short */
    uint64_t itr_next;      /* earliest time INTA may be asserted again */
    struct ratelimit rl;
    uint64_t frames_tx, frames_rx;  /* since power-on, for -stats */
};

/* e1000_eeprom.c */
void e1000_eeprom_init(struct e1000 *e);
uint32_t e1000_eecd_read(struct e1000 *e);
void e1000_eecd_write(struct e1000 *e, uint32_t v);
uint32_t e1000_eerd_write(struct e1000 *e, uint32_t v);

/* e1000_phy.c */
void e1000_phy_reset(struct e1000 *e);
void e1000_phy_link(struct e1000 *e, bool up);
/* Performs the MDIC operation v asks for; returns MDIC's new value. */
uint32_t e1000_mdic_write(struct e1000 *e, uint32_t v);

/* e1000_tx.c: walk the transmit ring from TDH to TDT, a bounded batch
 * at a time; with a loop, what is left resumes from it (tx_more). */
void e1000_tx_run(struct e1000 *e);
void e1000_tx_reset(struct e1000 *e);

/* e1000_rx.c: frames from the wire, always taken (delivered, queued in
 * the receive FIFO, or dropped and counted) */
bool e1000_rx_receive(struct net_client *nc, const uint8_t *f, size_t len);
/* RDT, RCTL or the link changed: deliver what the FIFO holds. */
void e1000_rx_kick(struct e1000 *e);
/* Discard the FIFO; why (NULL: silently) names the cause in a warning. */
void e1000_rx_flush(struct e1000 *e, const char *why);

/* e1000.c */
void e1000_raise(struct e1000 *e, uint32_t causes);
/* A frame was received / a descriptor with IDE done: RXT0 / TXDW now or
 * after the delay timers (RDTR/RADV, TIDV/TADV). */
void e1000_rx_done(struct e1000 *e);
void e1000_tx_done_delayed(struct e1000 *e);

#endif
