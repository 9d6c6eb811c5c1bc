/* guest/net/net.c's state back to boot between inputs (its ARP cache,
 * UDP ports, echo state and transmit batch: net_internal.h). */
#include <string.h>
#include "net.h"
#include "../../../guest/net/net_internal.h"
#include "stack.h"

void fuzz_net_reset(void)
{
    memset(&netif, 0, sizeof netif);
    memset(arp_cache, 0, sizeof arp_cache);
    memset(udp_ports, 0, sizeof udp_ports);
    memset(&echo_wait, 0, sizeof echo_wait);
    echo_handler = NULL;
    tx_batch = tx_queued = 0;
}
