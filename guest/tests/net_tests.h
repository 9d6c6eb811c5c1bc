/* What the network self-tests need before they start. Each says at once
 * when what it needs is missing, rather than waiting for it again. */
#ifndef GUEST_TESTS_NET_TESTS_H
#define GUEST_TESTS_NET_TESTS_H

#include <stdbool.h>
#include "tap.h"

/* The stack on the first NIC a driver registered; fails t when there
 * is none. */
bool net_test_ready(struct tap *t);
/* The same, and an IPv4 address: a DHCP lease, taken now if there is
 * none yet, or with net.static=1 on the command line the addresses
 * slirp hands out (10.0.2.15/24, router 10.0.2.2, DNS 10.0.2.3) without
 * asking, so that a graded test does not hang on DHCP. A lease that
 * could not be had is not asked for again: later tests fail at once,
 * naming the test that failed first. */
bool net_test_configured(struct tap *t);

#endif
