/* Shared by the e1000 target's files: the rig, guest memory layout and
 * the checks that run while frames go out. */
#ifndef TESTS_FUZZ_E1000_HARNESS_H
#define TESTS_FUZZ_E1000_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bus_rig.h"
#include "hw/e1000_internal.h"
#include "input.h"

/* Guest memory as the harness lays it out (the fuzzer may point the
 * device anywhere else too). */
#define TXR         0x1000u     /* transmit ring, up to 256 descriptors */
#define RXR         0x2000u     /* receive ring, up to 256 descriptors */
#define PKT         0x10000u    /* transmit packets, 64 KiB */
#define RXBUF       0x40000u    /* receive buffers */
#define RXBUF_SIZE  0x80000u

/* A template packet going out: each frame the peer sees is checked
 * against it as it arrives (tx_check.c). */
struct tx_expect;

struct harness {
    struct bus_rig rig;
    struct net_client peer;     /* the wire's other end */
    unsigned frames;            /* frames the peer took, this input */
    struct tx_expect *expect;
    struct {                    /* the receive ring E_RX_SETUP laid out */
        bool on;
        unsigned n;
        size_t bufsize;
    } rx;
};

extern struct harness H;

static inline struct e1000 *nic(void) { return H.rig.nic; }
/* A register's value, without a read's side effects. */
static inline uint32_t reg(uint32_t off) { return R(nic(), off); }
static inline void wr(uint32_t off, uint32_t v) { e1000dev_reg_write(nic(), off, v); }
static inline bool master_on(void)
{
    return pci_get_word(nic()->pci.config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

/* Runs the loop's timers until none is due within a step, moving the
 * clock 1 ns at a time for work the device left to its loop. */
void settle(void);

/* e1000/tx_ops.c, tx_check.c, rx_check.c */
void op_tx_desc(struct input *in);
void op_tx_packet(struct input *in);
void tx_expect_frame(const uint8_t *f, size_t len);
void op_rx_setup(struct input *in);
void op_rx_frame(struct input *in);
size_t rx_buffer_size(uint32_t rctl);

#endif
