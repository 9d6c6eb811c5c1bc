/*
 * The contract rig: pcemu's PCI host bridge and e1000 model in this
 * process, with the guest's own PCI, driver-core and e1000 driver code
 * built for the host against them (through tests/shim/x86.h and mmio.h).
 * Guest memory is a host buffer mapped into pcemu's memory address space
 * at its own host address, so the guest's pointers are bus addresses and
 * the model's DMA lands where the driver looks. The wire is a test double
 * that records what the NIC sends and injects what it should receive.
 *
 * Only plain types here: the guest's and pcemu's PCI headers cannot meet
 * in one file.
 */
#ifndef TESTS_CONTRACT_RIG_H
#define TESTS_CONTRACT_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RIG_IRQ 11                  /* the e1000's line on pcemu's board (PCI_E1000_IRQ) */

/* firmware_bars: BARs placed and decoding on as pcemu's firmware does
 * (bus mastering left off for the driver); otherwise left at zero for
 * the guest to assign. Warnings name the driver's lines, found in this
 * executable's own debug information. */
void rig_init(const uint8_t mac[6], bool firmware_bars);
void rig_fini(void);

/* the device, seen from outside the guest */
uint32_t rig_reg(uint32_t reg);     /* a register, as the device has it */
void rig_set_link(bool up);         /* the monitor's set_link */
void rig_eeprom_xor(unsigned word, uint16_t bits);

/* the wire */
bool rig_inject(const void *frame, size_t len);   /* false: dropped */
/* The frame arrives at the first port write after which the e1000's
 * memory decoding is off (in the middle of BAR sizing, say). */
void rig_inject_when_decode_off(const void *frame, size_t len);
size_t rig_sent_count(void);
const uint8_t *rig_sent(size_t i, size_t *len);
unsigned rig_frames_waiting(void);  /* waiting in the NIC's receive FIFO or on the wire */

/* time and interrupts: the device starts what a doorbell asks for a
 * little after it (E1000_DMA_DELAY_NS), as hardware does, so a test
 * lets time pass before it looks for the result */
void rig_advance_us(uint64_t us);
uint64_t rig_now_us(void);
unsigned rig_irqs_delivered(void);
bool rig_irq_storm(void);           /* a handler left the line high 1000 times */

/* what the guest printed, and what pcemu warned about */
const char *rig_printed(void);
const char *rig_warnings(void);

#endif
