/* DHCP's numbers on the wire, shared by dhcp.c and the host tests that
 * play its server. */
#ifndef GUEST_DHCP_INTERNAL_H
#define GUEST_DHCP_INTERNAL_H

#define DHCP_CLIENT 68
#define DHCP_SERVER 67
#define MAGIC 0x63825363u           /* the options' cookie (RFC 2131 3) */

/* option 53's message types (RFC 2132 9.6) */
enum { DISCOVER = 1, OFFER = 2, REQUEST = 3, ACK = 5, NAK = 6 };

#endif
