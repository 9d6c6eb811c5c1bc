/*
 * The wire between the TCP peer and the guest: what the peer sends
 * waits here until the input delivers it (in any order), duplicates it,
 * drops it, or delivers a copy with one byte of its IPv4 packet flipped
 * (which its checksums must catch: such a copy is not counted as
 * delivered). Each delivery is told to the peer (peer.c), which keeps
 * what the guest can have seen.
 */
#include <string.h>
#include "csum.h"
#include "ops.h"
#include "stack.h"

#define SLOTS 64

static struct {
    uint8_t b[1514];
    size_t len;
} q[SLOTS];
static unsigned n;

void wire_reset(void) { n = 0; }
unsigned wire_count(void) { return n; }

bool wire_put(const uint8_t *f, size_t len)
{
    if (n == SLOTS || len > sizeof q[0].b)
        return false;
    memcpy(q[n].b, f, len);
    q[n++].len = len;
    return true;
}

static void deliver(unsigned i)
{
    if (nic_rx(q[i].b, q[i].len))
        peer_delivered(q[i].b, q[i].len);
}

static void take_out(unsigned i)
{
    memmove(&q[i], &q[i + 1], (n - i - 1) * sizeof q[0]);
    n--;
}


void wire_op(struct input *in)
{
    unsigned what = in_u8(in) % W_OPS, i = in_u8(in);
    uint16_t pos = what == W_CORRUPT ? in_u16(in) : 0;
    uint8_t mask = what == W_CORRUPT ? in_u8(in) | 1 : 0;
    if (!n)
        return;
    i %= n;
    switch (what) {
    case W_DELIVER:
    case W_DELIVER_POLL:
        deliver(i);
        take_out(i);
        if (what == W_DELIVER_POLL)
            net_poll();
        break;
    case W_DUP:
        deliver(i);
        break;
    case W_DROP:
        take_out(i);
        break;
    case W_CORRUPT: {
        static uint8_t f[1514];
        size_t total = be16(q[i].b + 16);
        memcpy(f, q[i].b, q[i].len);
        size_t at = pos % total;
        f[14 + (at ? at : 1)] ^= mask;      /* (the version/IHL byte moves the header) */
        nic_rx(f, q[i].len);
        break;
    }
    case W_FLUSH:
        for (unsigned k = 0; k < n; k++)
            deliver(k);
        n = 0;
        break;
    default:
        for (unsigned k = n; k-- > 0;)
            deliver(k);
        n = 0;
        break;
    }
}
