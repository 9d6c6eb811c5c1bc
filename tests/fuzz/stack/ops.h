/*
 * The stack target's input: a configuration, then operations, each an
 * opcode byte (modulo S_OPS) and its arguments. gen/gen_corpus.c writes
 * seeds in this encoding.
 *
 * Configuration: flags u8 (CFG_*), peer ISN u32, peer MSS option u16
 * (0: none), peer window u16, SYN handling u8 (active open: answer,
 * refuse, ignore the first, ignore all).
 */
#ifndef TESTS_FUZZ_STACK_OPS_H
#define TESTS_FUZZ_STACK_OPS_H

#define CFG_PASSIVE   0x01  /* the peer connects to the guest's listener */
#define CFG_TX_CSUM   0x02  /* the NIC offers transmit checksum offload */
#define CFG_RX_CSUM   0x04  /* ... and receive checksum verdicts */
#define CFG_PRE_ARP   0x08  /* the peer's MAC is known before the connection */
#define CFG_TX_TIGHT  0x10  /* the NIC's ring takes few frames between flushes */
#define CFG_NO_TCP    0x20  /* no connection: the other protocols only */

enum { SYN_ANSWER, SYN_REFUSE, SYN_IGNORE_FIRST, SYN_IGNORE_ALL, SYN_MODES };

/* S_WIRE: what the wire does with the peer's frames */
enum { W_DELIVER, W_DELIVER_POLL, W_DUP, W_DROP, W_CORRUPT, W_FLUSH, W_REVERSE, W_OPS };

enum stack_op {
    S_PEER_SEND,    /* where u8, off u16, len u16, flags u8, window u16 */
    S_PEER_ACK,     /* window u16 */
    S_PEER_FIN,     /* extra u16: data sent with it */
    S_PEER_RST,     /* where u8, delta u32 */
    S_PEER_SYN,     /* (none): a SYN on the connection */
    S_WIRE,         /* what u8, index u8, [pos u16, mask u8]: deliver, duplicate,
                       drop, corrupt, flush, reverse what the peer put on the wire */
    S_POLL,         /* (none): net_poll */
    S_TIME,         /* ms u16: time passes, tcp_timers */
    S_READ,         /* len u16 */
    S_WRITE,        /* len u16 */
    S_SHUTDOWN,     /* (none) */
    S_CLOSE,        /* ms u8: tcp_close with that timeout */
    S_LOSE,         /* count u8: the next frames the guest sends are lost */
    S_DRAIN,        /* (none): poll and read until nothing is left */
    S_ARP,          /* op u8, sender u8, mac u8, target u8 */
    S_PING,         /* how u8, seq u16 */
    S_UDP,          /* port u8, csum u8, len u8, bytes */
    S_DHCP,         /* replies u8, then per reply fields (servers.c) */
    S_DNS,          /* name u8, id u8, rcode u8, count u8, records (servers.c) */
    S_RAW,          /* len u16, bytes: any frame, IPv4 ones from a stranger */
    S_STRANGER,     /* port u8, flags u8, seq u32, ack u32, window u16, optlen u8, options,
                       len u8: a well-formed TCP segment from a stranger */
    S_OPS
};

#endif
