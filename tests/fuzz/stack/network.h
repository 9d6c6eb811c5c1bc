/* How the network behind the NIC behaves now: set by the operations. */
#ifndef TESTS_FUZZ_STACK_NETWORK_H
#define TESTS_FUZZ_STACK_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { PING_ANSWER, PING_SILENT, PING_WRONG_ID, PING_BAD_SUM, PING_MODES };

struct network_mode {
    unsigned ping;                  /* PING_* */
    unsigned echo_replies;
    bool stranger_completes;
    uint32_t arp_senders[4];        /* whose ARP replies arp_replies_to counts */
    /* a UDP server (DHCP, DNS) while its exchange runs */
    void (*udp_server)(uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *d,
                       size_t len);
};

extern struct network_mode NET;

#endif
