/*
 * The Intel 82540EM gigabit controller ("e1000"), PCI 8086:100e: its PCI
 * function (BAR0 128 KiB of registers, BAR1 the IOADDR/IODATA window,
 * INTA), the register file with reset, link state, the EEPROM (EERD and
 * bit-banged Microwire through EECD), the PHY through MDIC, and the
 * interrupt causes and mask driving INTA, transmit (e1000_tx.c) and
 * receive (e1000_rx.c), interrupt moderation on the event loop's timers.
 */
#ifndef HOST_HW_E1000_H
#define HOST_HW_E1000_H

#include <stdbool.h>
#include <stdio.h>
#include "contract/e1000.h"
#include "hw/pci.h"

struct e1000;


struct e1000 *e1000dev_create(struct pci_bus *bus, uint8_t devfn, const uint8_t mac[6]);
void e1000dev_destroy(struct e1000 *e);
struct pci_device *e1000dev_pci(struct e1000 *e);

/* The link as the cable would have it: off and on raise LSC. */
void e1000dev_set_link(struct e1000 *e, bool up);
bool e1000dev_link(const struct e1000 *e);
void e1000dev_mac(const struct e1000 *e, uint8_t mac[6]);

/* Interrupt moderation (ITR, RDTR/RADV, TIDV/TADV) needs the loop's
 * timers; without this call every interrupt is immediate. With a loop,
 * a doorbell (TDT, RDT, TCTL, RCTL, bus mastering switched on) starts
 * the device's work E1000_DMA_DELAY_NS after the write, not inside it:
 * the 82540 fetches descriptors over PCI after the posted write, so a
 * driver that reads a status right after TDT, or reuses a descriptor
 * before DD, meets what hardware shows it. Without a loop (unit tests
 * of the data path) the work is done inside the write. */
#define E1000_DMA_DELAY_NS 1000
/* Another delay (0: at the loop's next pass, when no guest instruction
 * can have run yet on a backend that returns to the loop at every
 * device access, as KVM does). */
void e1000dev_set_dma_delay(struct e1000 *e, uint64_t ns);
struct loop;
void e1000dev_attach_loop(struct e1000 *e, struct loop *l);

/* Diagnostics of driver mistakes go through d (NULL: plain warnings,
 * without the guest instruction). */
struct diag;
void e1000dev_attach_diag(struct e1000 *e, struct diag *d);

/* The NIC's end of the wire, to connect to a backend. */
struct net_client *e1000dev_net_client(struct e1000 *e);

/* Register access as through BAR0, for tests and the monitor. */
uint32_t e1000dev_reg_read(struct e1000 *e, uint32_t offset);
void e1000dev_reg_write(struct e1000 *e, uint32_t offset, uint32_t value);

/* Received frames wait for receive descriptors in a FIFO of at most this
 * many bytes; frames beyond it are dropped and counted in MPC. */
#define E1000_RX_FIFO_BYTES (1u << 20)

/* Received frames waiting for receive descriptors, and their bytes. */
unsigned e1000dev_rx_waiting(const struct e1000 *e, size_t *bytes);

/* Frames sent and received since power-on (never cleared). */
void e1000dev_frames(const struct e1000 *e, uint64_t *tx, uint64_t *rx);

/* What became of every frame from the wire since power-on (never
 * cleared, unlike the clear-on-read statistics registers): arrived ==
 * delivered + each way of dropping + waiting in the receive FIFO now. */
struct e1000dev_rx_stats {
    uint64_t arrived;       /* offered by the peer */
    uint64_t delivered;     /* written to the ring (GPRC) */
    uint64_t waited;        /* found no free descriptor and waited (RNBC) */
    uint64_t off;           /* dropped: no link, PHY loopback, or RCTL.EN clear */
    uint64_t filtered;      /* dropped: not for this station's addresses */
    uint64_t oversize;      /* dropped: too long without RCTL.LPE (ROC) */
    uint64_t missed;        /* dropped: FIFO full, or more than the ring holds (MPC) */
    uint64_t flushed;       /* dropped: waiting at CTRL.RST or when RCTL.EN cleared */
    uint64_t bad_ring;      /* dropped: the descriptor was not in RAM */
};
const struct e1000dev_rx_stats *e1000dev_rx_stats(const struct e1000 *e);
/* The same, appended to a -stats line: "; e1000 rx: ...". */
void e1000dev_rx_stats_print(const struct e1000 *e, FILE *out);

/* `info e1000`: registers and both rings as the device sees them. */
void e1000dev_info(struct e1000 *e, FILE *out);

#endif
