/* A DNS client for A records (RFC 1035): one question from a random ID
 * and source port, retries with a per-try timeout, answers matched by
 * ID and question, and an address taken only from a record for the name
 * asked (or the end of its CNAME chain). */
#ifndef GUEST_DNS_H
#define GUEST_DNS_H

#include <stdint.h>

#define DNS_ETIMEDOUT (-1)          /* no answer after every try */
#define DNS_NXDOMAIN  (-2)          /* the server says the name does not exist */
#define DNS_ENODATA   (-3)          /* the name exists, without an A record */
#define DNS_EINVAL    (-4)          /* a name that cannot be asked for */
#define DNS_ESERVER   (-5)          /* any other error code from the server */

/* The name's first IPv4 address into *addr (host byte order). */
int dns_resolve(uint32_t server, uint16_t port, const char *name, uint32_t *addr,
                unsigned try_ms, unsigned tries);

#endif
