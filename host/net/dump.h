/* -object filter-dump: every frame through a net client, both ways, in a
 * pcap file that tshark and tcpdump read. */
#ifndef HOST_NET_DUMP_H
#define HOST_NET_DUMP_H

#include <stddef.h>
#include <stdint.h>

struct net_dump;

/* NULL and *why when the file cannot be written. */
struct net_dump *net_dump_open(const char *path, char *why, size_t whylen);
void net_dump_write(struct net_dump *d, const uint8_t *frame, size_t len);
void net_dump_close(struct net_dump *d);

#endif
