/* guest/net/net.c's state back to boot between inputs (its ARP cache,
 * UDP ports, echo state and transmit batch: net_internal.h). */
#include <string.h>
#include "net.h"
#include "../../../guest/net/net_internal.h"
#include "stack.h"

void fuzz_net_reset(void)
{
    memset(&netif, 0, sizeof netif);
    memset(net_arp_cache, 0, sizeof net_arp_cache);
    memset(net_udp_ports, 0, sizeof net_udp_ports);
    memset(&net_echo_wait, 0, sizeof net_echo_wait);
    net_echo_handler = NULL;
    net_tx_batch = net_tx_queued = 0;
}
