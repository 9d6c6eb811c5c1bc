/* What the network self-tests need before they start. */
#ifndef GUEST_TESTS_NET_TESTS_H
#define GUEST_TESTS_NET_TESTS_H

#include <stdbool.h>
#include "tap.h"

/* The stack on the bound e1000; fails t when there is none. */
bool net_test_ready(struct tap *t);
/* The same, and a DHCP lease (taken now if there is none yet). */
bool net_test_leased(struct tap *t);

#endif
