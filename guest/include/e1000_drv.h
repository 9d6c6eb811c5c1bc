/* The guest's e1000 driver (guest/drivers/e1000.c, or the lab's skeleton
 * guest/lab/e1000.c with LAB=1, each with the PCI side e1000_pci.c and
 * the register access e1000_regs.c they share): its state, register
 * access, the EEPROM and PHY, and the transmit and receive calls the
 * tests use. The network stack sees none of this: it has the NIC's
 * struct netdev (netdev.h). */
#ifndef GUEST_E1000_DRV_H
#define GUEST_E1000_DRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "contract/e1000.h"
/* <>, not "": found on the include path, so that the contract tests' shim
 * (tests/shim/mmio.h) stands in for guest/include/mmio.h beside this */
#include <mmio.h>
#include "netdev.h"
#include "pci.h"

/* The self-tests, tools/e1000.gdb and the contract tests read these
 * fields: a driver may add its own, but keeps these. */
struct e1000_nic {
    struct netdev netdev;       /* what the network stack sees */
    struct e1000_nic *next;     /* every bound NIC, in bus order */
    struct pci_dev *pci;
    volatile uint8_t *regs;     /* BAR0, as pci_map_bar gives it */
    uint16_t io_base;           /* the I/O BAR: IOADDR at +0, IODATA at +4 */
    uint8_t mac[6];
    uint16_t phy_id1, phy_id2;
    volatile uint32_t irq_count, irq_causes;   /* from the interrupt handler */
    volatile uint32_t irq_unreachable;  /* interrupts whose ICR read all ones */
    /* rings: E1000_NDESC descriptors each, a 2 KiB buffer per descriptor */
    volatile struct e1000_tx_desc *txd;
    volatile struct e1000_rx_desc *rxd;
    uint8_t *txbuf, *rxbuf;
    unsigned tx_next;           /* the next descriptor to fill */
    unsigned tx_clean;          /* the oldest not yet seen done */
    unsigned rx_next;           /* the next descriptor the device fills */
    unsigned rx_owed;           /* taken descriptors not yet given back */
    uint8_t rx_status, rx_errors;   /* of the frame e1000_receive returned last */
    int ctx_tcp;                /* the TX context in force: 1 TCP, 0 UDP, -1 none,
                                   2 TCP segmentation (with the fields below) */
    unsigned long tx_offloaded; /* frames sent with checksum offload (a TSO
                                   packet counts once) */
    /* the context's offsets and, for TSO, what else it fixes (3.3.6) */
    uint8_t ctx_ihl, ctx_hdr_len;
    uint16_t ctx_mss;
    uint32_t ctx_paylen;
    unsigned long tx_tso;       /* packets handed to the NIC to segment */
    bool irqs_quiet;            /* RXT0 and TXDW masked while the stack polls */
    unsigned long tx_contexts;  /* context descriptors written */
};

/* 256: a burst from the user-mode network (a TCP window) fits without
 * the device having to hold frames back */
#define E1000_NDESC 256
#define E1000_BUFSZ 2048
/* how long probe waits for STATUS.LU before calling the link missing */
#define E1000_LINK_WAIT_MS 3000

extern const struct pci_driver e1000_driver;
/* How often probe and remove ran, for the self-tests. */
extern unsigned e1000_probe_calls, e1000_remove_calls;
/* E1000_NDESC, for debuggers and tests (macros do not reach gdb) */
extern const unsigned e1000_ring_size;

/* The causes the driver takes interrupts for: a frame arrived (RXT0),
 * transmit descriptors written back (TXDW: the handler reclaims them),
 * the link changed (LSC). The handler reads ICR and notes them; the
 * stack sleeps in hlt until one comes. Transmit descriptors carry IDE,
 * so TXDW comes E1000_DRV_TIDV x 1.024 us after the last of a burst. */
#define E1000_DRV_IMS (E1000_ICR_RXT0 | E1000_ICR_TXDW | E1000_ICR_LSC)
#define E1000_DRV_TIDV 64
/* At most one interrupt per E1000_DRV_ITR x 256 ns (about 1 ms): the
 * first after a quiet spell comes at once, a stream of them is spaced
 * out. An interrupt costs far more than polling a ring under an
 * emulating hypervisor (docs/results.md). */
#define E1000_DRV_ITR 4000
/* The driver's interrupt mask again (IMC for the rest, IMS for its own),
 * after a test changed it. */
void e1000_irqs_on(struct e1000_nic *nic);
/* What a handler may mask while the stack polls the rings (irqs_quiet);
 * the netdev's before_sleep unmasks them (e1000_netdev.c). */
#define E1000_QUIET_CAUSES (E1000_ICR_RXT0 | E1000_ICR_TXDW)
/* One interrupt from this NIC: the line's handler (e1000_pci.c) calls
 * it for each NIC on the line. */
void e1000_nic_irq(struct e1000_nic *nic);

/* The NIC the driver bound with the lowest bus address, or NULL. */
struct e1000_nic *e1000_first(void);

/* BAR0's registers. Inline, so that pcemu's warnings name the driver's
 * function and line that made the access (docs/lab/README.md, Hints). */
static inline uint32_t e1000_read(const struct e1000_nic *nic, uint32_t reg)
{
    return mmio_read32(nic->regs + reg);
}

static inline void e1000_write(const struct e1000_nic *nic, uint32_t reg, uint32_t v)
{
    mmio_write32(nic->regs + reg, v);
}

/* The I/O window (IOADDR, IODATA, e1000_regs.c) */
uint32_t e1000_io_read(const struct e1000_nic *nic, uint32_t reg);
void e1000_io_write(const struct e1000_nic *nic, uint32_t reg, uint32_t v);
/* -1 on timeout */
int e1000_eeprom_read(const struct e1000_nic *nic, unsigned word, uint16_t *out);
int e1000_eeprom_read_microwire(const struct e1000_nic *nic, unsigned word, uint16_t *out);
int e1000_phy_read(const struct e1000_nic *nic, unsigned reg, uint16_t *out);
int e1000_phy_write(const struct e1000_nic *nic, unsigned reg, uint16_t v);

/* Queue one frame for transmission (copied); -1 when the ring is full.
 * e1000_flush writes TDT once for everything queued since. */
int e1000_queue(struct e1000_nic *nic, const void *frame, size_t len);
void e1000_flush(struct e1000_nic *nic);
/* The same for an Ethernet + 20-byte IPv4 + TCP (tcp) or UDP frame whose
 * checksum field holds the pseudo-header sum: the NIC computes the IPv4
 * header checksum and the TCP/UDP one. */
int e1000_queue_csum(struct e1000_nic *nic, const void *frame, size_t len, bool tcp);
/* TCP segmentation (3.5): one Ethernet + IPv4 + TCP frame of up to
 * NETDEV_TSO_MAX bytes, filled as netdev.h's NETDEV_TX_TSO says, sent as
 * segments of at most mss payload bytes. -1 when the ring has no room
 * now, NETDEV_TX_REFUSED when the packet is not one the NIC can cut. */
int e1000_queue_tso(struct e1000_nic *nic, const void *frame, size_t len, unsigned mss);
int e1000_send(struct e1000_nic *nic, const void *frame, size_t len);
/* Take one received frame into buf; returns its length, 0 when none.
 * Descriptors go back to the device (RDT, a VM exit) every E1000_RX_BATCH
 * frames, and when a call finds none waiting and E1000_RX_IDLE_BATCH are
 * owed. The device is never short: it keeps at least E1000_NDESC - 1 -
 * E1000_RX_BATCH descriptors, three quarters of the ring. */
#define E1000_RX_BATCH 64
#define E1000_RX_IDLE_BATCH 16
size_t e1000_receive(struct e1000_nic *nic, void *buf, size_t size);
/* Whether the next receive descriptor holds a frame (memory only). */
bool e1000_rx_pending(const struct e1000_nic *nic);

/* The calls above as the stack's struct netdev (e1000_netdev.c). Each
 * driver's e1000_netdev_init sets nic->netdev's features and these ops,
 * for probe to register. */
extern const struct netdev_ops e1000_netdev_ops;
void e1000_netdev_init(struct e1000_nic *nic);

/* ---- what each driver implements, for e1000_pci.c's probe ---- */

/* Besides e1000_nic_irq and e1000_netdev_init above: probe's steps in
 * the manual's order (chapter 14). Reset (13.4.1): true when the
 * receiver or transmitter was found running. */
bool e1000_reset(struct e1000_nic *nic);
/* The MAC address from the EEPROM (chapter 5) into nic->mac, the sum of
 * words 00h-3Fh into *sum: one of these. */
enum { EEPROM_OK, EEPROM_TIMEOUT, EEPROM_CHECKSUM };
int e1000_read_mac_address(struct e1000_nic *nic, uint16_t *sum);
/* The PHY and link (14.3); -1 when no PHY answers. */
int e1000_link_setup(struct e1000_nic *nic);
/* Bus mastering on (4.1), once the device is reset and the rings exist. */
void e1000_bus_master_on(struct e1000_nic *nic);
/* The rings' registers (14.5, 14.4) and interrupt moderation (13.4.18). */
void e1000_tx_init(struct e1000_nic *nic);
void e1000_rx_init(struct e1000_nic *nic);
void e1000_irq_init(struct e1000_nic *nic);

#endif
