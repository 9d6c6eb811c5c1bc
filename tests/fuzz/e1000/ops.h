/*
 * The e1000 target's input: a sequence of operations, each an opcode
 * byte (taken modulo E_OPS) and its arguments in the order listed here.
 * gen/gen_corpus.c writes seeds in this encoding.
 */
#ifndef TESTS_FUZZ_E1000_OPS_H
#define TESTS_FUZZ_E1000_OPS_H

enum e1000_op {
    E_REG_WRITE,    /* sel u8 [raw u16 when sel >= table], value u32 */
    E_REG_READ,     /* sel u8 [raw u16] */
    E_MMIO,         /* flags u8 (bit 0 write, bits 1-2 size 1/2/4/8), off u32, [value u64] */
    E_IO,           /* flags u8 (bit 0 write, bits 1-2 size), off u8, [value u32] */
    E_RAM,          /* addr u32, len u8 (<= 64), bytes */
    E_TX_DESC,      /* index u8, kind u8, then the kind's fields (tx_ops.c) */
    E_TX_PACKET,    /* a whole packet with its context, checked frame by frame (tx_check.c) */
    E_TX_SETUP,     /* count u8, tctl flags u8, tidv u8, tadv u8 */
    E_RX_SETUP,     /* count u8, rctl flags u8, more flags u8, rdt back-off u8, rdtr u8, radv u8,
                       SECRC u8 (rx_check.c) */
    E_RX_FRAME,     /* kind u8, len u16, dst bytes, payload bytes (rx_check.c) */
    E_TIME,         /* ns u32, shift u8 */
    E_RESET,        /* how u8: CTRL.RST through BAR0 / the I/O BAR, PHY reset, RCTL.EN off */
    E_LINK,         /* up u8 */
    E_PCI,          /* which u8, value u32 */
    E_EEPROM,       /* mode u8, word u8, [EECD u32] */
    E_MDIC,         /* op u8, phy u8, reg u8, data u16 */
    E_INFO,         /* (none): `info e1000` */
    E_LOOPBACK,     /* on u8: RCTL.LBM */
    E_OPS
};

/* E_TX_DESC kinds */
enum { TXD_LEGACY, TXD_CONTEXT, TXD_DATA, TXD_RAW, TXD_KINDS };

/* E_TX_PACKET flags */
#define TXP_UDP     0x01
#define TXP_TSE     0x02
#define TXP_IXSM    0x04
#define TXP_TXSM    0x08
#define TXP_FIN     0x10
#define TXP_PSH     0x20
#define TXP_PERTURB 0x40    /* one context field replaced: no oracle, only the model's refusals */
#define TXP_LEGACY  0x80    /* legacy descriptors with IC instead of a context */

/* E_RX_FRAME kind: bits 0-1 destination (ours, broadcast, multicast, any) */
#define RXF_IPV4    0x04    /* a well-formed IPv4 packet */
#define RXF_UDP     0x08    /* ... carrying UDP (else TCP) */
#define RXF_BAD_IP  0x10    /* IP header checksum wrong */
#define RXF_BAD_L4  0x20    /* TCP/UDP checksum wrong */
#define RXF_FRAG    0x40    /* a fragment (no TCP/UDP checksum offload) */

#endif
