/*
 * The lab's e1000 driver, to be written (docs/lab/README.md): the same
 * file as guest/drivers/e1000.c with the bodies of the exercises taken
 * out. `make LAB=1` builds the kernel with this file instead of that one
 * (into build-lab/), and `make grade LAB=1` grades it.
 *
 * Written in the order of Intel's PCI/PCI-X Family of Gigabit Ethernet
 * Controllers Software Developer's Manual (8254x), whose section numbers
 * the comments cite:
 *
 *   exercise 1   probe and reset: reset (13.4.1 CTRL.RST), the PHY and
 *                link (13.4.7 MDIC, 14.3), bus mastering (4.1)
 *   exercise 2   the MAC address from the EEPROM (chapter 5, 13.4.4 EERD)
 *   exercise 3   the transmit ring: initialization (14.5), legacy
 *                descriptors (3.3.3), the ring (3.4)
 *   exercise 4   the receive ring: initialization (14.4), legacy
 *                descriptors (3.2.3), the ring (3.2.6)
 *   exercise 5   interrupts (13.4.17-21): ICR read once, every cause
 *                in it handled
 *   optional     checksum offload (3.3.5, 3.3.6), TCP segmentation (3.5)
 *
 * Each function to write says LAB_TODO(n) and returns what makes probe
 * (or the stack) give up at once: the kernel boots, tells you which one
 * is missing, and the tests fail quickly instead of hanging. Delete the
 * LAB_TODO line when you write the body. What is not marked is given,
 * and so is what three files the reference driver shares hold (read
 * them, don't edit them):
 *
 *   guest/drivers/e1000_pci.c     probe: the PCI set-up, then your
 *                 functions in the order e1000_drv.h lists them, the
 *                 link wait; remove; the rings' memory (nic->txd, rxd,
 *                 txbuf, rxbuf: allocated, every transmit descriptor free)
 *   guest/drivers/e1000_regs.c    the I/O window (e1000_io_read,
 *                 e1000_io_write), the Microwire EEPROM, the PHY's MDIC
 *                 protocol (e1000_phy_read, e1000_phy_write)
 *   guest/drivers/e1000_netdev.c  the stack's struct netdev calls,
 *                 passed on to yours
 *
 * and e1000_read and e1000_write, inline in e1000_drv.h.
 *
 * Keep the names: the self-tests, the contract tests and tools/e1000.gdb
 * call these functions and read struct e1000_nic (e1000_drv.h), whose
 * fields you keep and may add to.
 */
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "clock.h"
#include "heap.h"
#include "irq.h"
#include "kernel.h"
#include "mmio.h"
#include "netdev.h"
#include "usermode.h"
#include "x86.h"

/* Says once, as a TAP comment, that the function it is in is still to be
 * written. */
#define LAB_TODO(exercise) do {                                                  \
        static bool said_;                                                      \
        if (!said_) {                                                           \
            said_ = true;                                                       \
            printf("# e1000 lab: %s is not written yet (exercise %d, "           \
                   "docs/lab/README.md)\n", __func__, (exercise));              \
        }                                                                       \
    } while (0)

/* The kernel maps memory one to one, so a buffer's address is the bus
 * address the device's DMA needs (3.2.3, 3.3.3: buffer addresses are
 * physical). */
static inline uint64_t dma_addr(const volatile void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* The device reads and writes descriptors and buffers by DMA. x86 keeps
 * stores in order and loads in order, so only the compiler must be kept
 * from moving the buffer copies across a descriptor access or a tail
 * write: call this before writing TDT or RDT, and after seeing DD and
 * before reading the buffer. */
static inline void dma_barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

/* ---- reset: 13.4.1 CTRL.RST ---- */

/* TODO (exercise 1): reset the device, and return whether its receiver
 * or transmitter was found running.
 *
 * Mask every interrupt first (IMC, 13.4.21). Firmware (a UEFI driver,
 * iPXE) may have left RCTL.EN or TCTL.EN set: clear them and give what
 * was under way 10 ms (delay_us) to drain. Then set CTRL.RST, keeping
 * CTRL's other bits (read, or, write); the bit clears itself, and the
 * manual wants about a microsecond before the next register access. A
 * reset reloads every register from its power-up value and the EEPROM,
 * but not PCI configuration. Mask interrupts again afterwards and read
 * ICR once, so no cause from before is left pending. */
bool e1000_reset(struct e1000_nic *nic)
{
    LAB_TODO(1);
    return false;
}

/* ---- the EEPROM: chapter 5; 13.4.4 EERD, 13.4.3 EECD ---- */

/* TODO (exercise 2): read one 16-bit word of the EEPROM through EERD
 * (13.4.4): write the word's address (E1000_EERD_ADDR_SHIFT) with
 * EERD.START, then read EERD until DONE is set; the word is in the high
 * half (E1000_EERD_DATA_SHIFT). Give up (-1) after a bounded number of
 * reads: a device that never says DONE must not hang the kernel. */
int e1000_eeprom_read(const struct e1000_nic *nic, unsigned word, uint16_t *out)
{
    LAB_TODO(2);
    return -1;
}

/* TODO (exercise 2): read words 00h-3Fh, adding them up into *sum; they
 * must add up to E1000_EEPROM_SUM (BABAh: the checksum word 3Fh is
 * chosen to make them), or the contents are not to be trusted
 * (EEPROM_CHECKSUM). The Ethernet address is words 00h-02h, low byte
 * first: word 0 holds nic->mac[0] in its low byte and mac[1] in its
 * high byte. EEPROM_TIMEOUT when a read gives up. */
int e1000_read_mac_address(struct e1000_nic *nic, uint16_t *sum)
{
    LAB_TODO(2);
    *sum = 0;
    return EEPROM_TIMEOUT;
}

/* ---- 14.3 General configuration: the PHY and the link ---- */

/* TODO (exercise 1): the PHY and the link (14.3); -1 when no PHY
 * answers.
 *
 * Read the PHY's identifier (PHY_ID1, PHY_ID2 through e1000_phy_read)
 * into nic->phy_id1 and phy_id2, and restart autonegotiation as after
 * any reset (PHY_CTRL: MII_CR_AUTONEG_EN | MII_CR_RESTART_AUTONEG). In
 * CTRL, set SLU (set link up) and ASDE (speed from the PHY) and clear
 * LRST, ILOS, FRCSPD, FRCDPLX, VME and PHY_RST. Without flow control,
 * FCAL, FCAH, FCT and FCTTV are zero. Probe then waits for STATUS.LU. */
int e1000_link_setup(struct e1000_nic *nic)
{
    LAB_TODO(1);
    return 0;
}

/* ---- 14.5 Transmit initialization ---- */

/* TODO (exercise 3): program the transmit ring (14.5).
 *
 * TDBAL and TDBAH: the ring's bus address (dma_addr(nic->txd)), low
 * and high halves. TDLEN: its length in bytes, a multiple of 128. TDH
 * and TDT: 0 (an empty ring: the device sends from TDH up to TDT). TIPG:
 * E1000_TIPG_IPGT_COPPER | 8 << 10 | 6 << 20 (13.4.34). Last, TCTL
 * (13.4.33): EN, PSP (pad short frames), CT 10h (E1000_TCTL_CT_SHIFT),
 * COLD 40h for full duplex (E1000_TCTL_COLD_SHIFT). */
void e1000_tx_init(struct e1000_nic *nic)
{
    LAB_TODO(3);
}

/* ---- 14.4 Receive initialization ---- */

/* TODO (exercise 4): program the receive ring (14.4).
 *
 * RAL(0) and RAH(0): our address (nic->mac; RAL holds bytes 0-3, RAH
 * bytes 4-5 and E1000_RAH_AV). The multicast table (E1000_MTA_SIZE
 * dwords from E1000_MTA): zero. RDBAL, RDBAH, RDLEN as for transmit.
 * RDH 0, and RDT at the last descriptor, E1000_NDESC - 1: the device
 * owns the descriptors from RDH up to, not including, RDT, so RDH ==
 * RDT would give it none (3.2.6). RXCSUM: IPOFLD and TUOFLD, if you
 * want the device's checksum verdicts (optional). Last, RCTL (13.4.22):
 * EN, BAM (broadcasts: DHCP and ARP need them), a buffer size matching
 * the buffers (BSIZE and BSEX: 2048 bytes is BSIZE 00b, BSEX 0), and
 * SECRC, or every frame keeps its 4-byte FCS, counted in its length. */
void e1000_rx_init(struct e1000_nic *nic)
{
    LAB_TODO(4);
}

/* ---- transmit: 3.3.3 legacy descriptors, 3.4 the ring ---- */

/* TODO (exercise 3): queue one frame; -1 when it is too long for a
 * buffer (E1000_BUFSZ) or the ring has no free descriptor.
 *
 * The next descriptor to fill is nic->tx_next. It is free only when the
 * device has written DD back into its status (3.3.3), which it does for
 * descriptors whose command has RS: a descriptor between TDH and TDT is
 * the device's (3.4), and one it has not finished may still be read.
 * Keep the oldest not yet seen done in nic->tx_clean and move it on past
 * every descriptor with DD; leave one descriptor unused, or a full ring
 * (TDT == TDH) would look empty to the device. The TXDW interrupt
 * (exercise 5) frees descriptors too: hold interrupts off (cli, and sti
 * if irqs_enabled() said they were on) while you move tx_clean here.
 *
 * Copy the frame into that descriptor's buffer (nic->txbuf + i *
 * E1000_BUFSZ), then fill the descriptor: buffer_addr, length, cso and
 * css 0, status 0, cmd EOP (the frame ends here) | IFCS (append the FCS)
 * | RS (write DD back), and IDE if you like one TXDW for a burst. Move
 * tx_next on. Nothing is sent until e1000_flush. */
int e1000_queue(struct e1000_nic *nic, const void *frame, size_t len)
{
    LAB_TODO(3);
    return -1;
}

/* Optional (checksum offload, 3.3.5 and 3.3.6): a context descriptor
 * saying where the IPv4 header and the TCP/UDP checksum are, then the
 * frame in a data descriptor with POPTS IXSM and TXSM. The caller has put
 * the pseudo-header sum in the TCP/UDP checksum field. Once it works,
 * set NETDEV_F_TX_CSUM in e1000_netdev_init; until then the stack sums
 * in software and never calls this. */
int e1000_queue_csum(struct e1000_nic *nic, const void *frame, size_t len, bool tcp)
{
    return -1;
}

/* Optional, after checksum offload (3.5 TCP segmentation): a TCP/IP
 * context descriptor with TSE, then the packet in data descriptors the
 * device cuts into segments of mss payload bytes. Once it works, set
 * NETDEV_F_TSO in e1000_netdev_init; until then the stack never calls
 * this. */
int e1000_queue_tso(struct e1000_nic *nic, const void *frame, size_t len, unsigned mss)
{
    return NETDEV_TX_REFUSED;
}

/* TODO (exercise 3): hand the queued frames to the device: TDT one past
 * the last descriptor filled (nic->tx_next), after a dma_barrier().
 * (Out of line, so that gdb's `break e1000_flush` stops at every
 * doorbell, the stack's too.) */
__attribute__((noinline)) void e1000_flush(struct e1000_nic *nic)
{
    LAB_TODO(3);
}

int e1000_send(struct e1000_nic *nic, const void *frame, size_t len)
{
    if (e1000_queue(nic, frame, len) < 0)
        return -1;
    e1000_flush(nic);
    return 0;
}

/* ---- receive: 3.2.3 legacy descriptors, 3.2.6 the ring ---- */

/* TODO (exercise 4): whether the descriptor at nic->rx_next holds a
 * frame: the device sets DD in its status when it has written it
 * (3.2.3). Memory only: no register, this is asked with interrupts off
 * before the stack sleeps. */
bool e1000_rx_pending(const struct e1000_nic *nic)
{
    LAB_TODO(4);
    return false;
}

/* TODO (exercise 4): take the frame at nic->rx_next into buf (at most
 * size bytes) and return its length; 0 when there is none (no DD).
 *
 * After seeing DD, a dma_barrier(), then copy from that descriptor's
 * buffer (nic->rxbuf + i * E1000_BUFSZ): length says how much the device
 * wrote. Keep its status and errors in nic->rx_status and rx_errors (the
 * stack's checksum verdict comes from them). A frame longer than one
 * buffer spans descriptors up to the one with EOP (3.2.2); with 2 KiB
 * buffers and RCTL.LPE clear none does.
 *
 * Then, and only then, give the descriptor back: clear its status (a DD
 * left set would be taken for a new frame when the ring comes round)
 * and move RDT to it, the last descriptor you have finished with (3.2.6:
 * RDT is the first the device may not use). Move rx_next on. Writing
 * RDT costs a VM exit: once every few frames is enough (E1000_RX_BATCH,
 * counting in nic->rx_owed; and when a call finds no frame, once
 * E1000_RX_IDLE_BATCH are owed). */
size_t e1000_receive(struct e1000_nic *nic, void *buf, size_t size)
{
    LAB_TODO(4);
    return 0;
}

/* ---- interrupts: 13.4.17 ICR, 13.4.18 ITR, 13.4.20 IMS, 13.4.21 IMC ---- */

/* TODO (exercise 5): the driver's causes on, the rest off: IMC with
 * ~E1000_DRV_IMS, then IMS with E1000_DRV_IMS. (Writing 0 to IMS masks
 * nothing: a 1 bit sets a mask bit, a 0 leaves it; IMC clears.) */
void e1000_irqs_on(struct e1000_nic *nic)
{
    LAB_TODO(5);
}

/* TODO (exercise 5): one interrupt from this NIC.
 *
 * Read ICR once (13.4.17): the read acknowledges every cause in it, so
 * handle each of them, not only the first (no else-if chain). All ones
 * means the registers are not there (decoding off): count it in
 * nic->irq_unreachable and believe nothing. Zero means it was another
 * device's on a shared line. Otherwise add the causes to nic->irq_causes,
 * count nic->irq_count, and on TXDW move tx_clean past the descriptors
 * the device has finished (as in e1000_queue). RXT0 needs nothing here:
 * the stack, woken from hlt, takes the frames. */
void e1000_nic_irq(struct e1000_nic *nic)
{
    LAB_TODO(5);
}

/* TODO (exercise 5): interrupt moderation: TIDV (E1000_DRV_TIDV: TXDW a
 * while after the last IDE descriptor of a burst) and ITR
 * (E1000_DRV_ITR: at most one interrupt per 1 ms or so, 13.4.18). The
 * causes themselves are unmasked by e1000_irqs_on, once probe has
 * registered the handler. */
void e1000_irq_init(struct e1000_nic *nic)
{
    LAB_TODO(5);
}

/* ---- what e1000_pci.c's probe calls besides ---- */

/* TODO (exercise 1): the device is reset and ours: let it reach memory
 * (4.1: the command register's bus master enable). Probe calls this
 * after the reset and link, before the rings start; until then, its DMA
 * goes nowhere: pci.h has what you need. (No LAB_TODO here: finding it
 * missing is part of the exercise.) */
void e1000_bus_master_on(struct e1000_nic *nic)
{
}

/* What the stack is offered: NETDEV_F_TX_CSUM once e1000_queue_csum
 * works, NETDEV_F_RX_CSUM once RXCSUM is on (optional). */
void e1000_netdev_init(struct e1000_nic *nic)
{
    nic->netdev.features = 0;
    nic->netdev.ops = &e1000_netdev_ops;
}
