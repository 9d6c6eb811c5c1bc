/* guest/net/net.c as it is, and a way back to its state at boot between
 * inputs (its ARP cache, UDP ports and echo state are its own). */
#include "../../../guest/net/net.c"

void fuzz_net_reset(void)
{
    memset(&netif, 0, sizeof netif);
    memset(arp_cache, 0, sizeof arp_cache);
    memset(udp_ports, 0, sizeof udp_ports);
    memset(&echo, 0, sizeof echo);
    echo_handler = NULL;
    tx_batch = tx_queued = 0;
}
