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


struct e1000 *e1000_create(struct pci_bus *bus, uint8_t devfn, const uint8_t mac[6]);
void e1000_destroy(struct e1000 *e);
struct pci_device *e1000_pci(struct e1000 *e);

/* The link as the cable would have it: off and on raise LSC. */
void e1000_set_link(struct e1000 *e, bool up);
bool e1000_link(const struct e1000 *e);
void e1000_mac(const struct e1000 *e, uint8_t mac[6]);

/* Interrupt moderation (ITR, RDTR/RADV, TIDV/TADV) needs the loop's
 * timers; without this call every interrupt is immediate. */
struct loop;
void e1000_attach_loop(struct e1000 *e, struct loop *l);

/* The NIC's end of the wire, to connect to a backend. */
struct net_client *e1000_net_client(struct e1000 *e);

/* Register access as through BAR0, for tests and the monitor. */
uint32_t e1000_reg_read(struct e1000 *e, uint32_t offset);
void e1000_reg_write(struct e1000 *e, uint32_t offset, uint32_t value);

/* Received frames wait for receive descriptors in a FIFO of at most this
 * many bytes; frames beyond it are dropped and counted in MPC. */
#define E1000_RX_FIFO_BYTES (1u << 20)

/* Received frames waiting for receive descriptors, and their bytes. */
unsigned e1000_rx_waiting(const struct e1000 *e, size_t *bytes);

/* Frames sent and received since power-on (never cleared). */
void e1000_frames(const struct e1000 *e, uint64_t *tx, uint64_t *rx);

/* `info e1000`: registers and both rings as the device sees them. */
void e1000_info(struct e1000 *e, FILE *out);

#endif
