/* ARP frames for a guest to receive (RFC 826; Ethernet and IPv4 as
 * RFC 894 and 826 number them), built by the harnesses' own code. */
#ifndef TESTS_FUZZ_ARP_H
#define TESTS_FUZZ_ARP_H

#include <stdint.h>
#include <string.h>
#include "csum.h"

#define ARP_FRAME_LEN 60    /* padded to Ethernet's minimum, as on the wire */

/* To dst from sha, operation op (1 request, 2 reply): sha/spa the
 * sender's addresses, tha/tpa the target's (tha NULL: zeros). */
static inline void arp_frame(uint8_t f[ARP_FRAME_LEN], const uint8_t dst[6], uint16_t op,
                             const uint8_t sha[6], uint32_t spa, const uint8_t *tha,
                             uint32_t tpa)
{
    memset(f, 0, ARP_FRAME_LEN);
    memcpy(f, dst, 6);
    memcpy(f + 6, sha, 6);
    wbe16(f + 12, 0x0806);
    uint8_t *a = f + 14;
    wbe16(a, 1);                /* ar$hrd: Ethernet */
    wbe16(a + 2, 0x0800);       /* ar$pro: IPv4 */
    a[4] = 6;
    a[5] = 4;
    wbe16(a + 6, op);
    memcpy(a + 8, sha, 6);
    wbe32(a + 14, spa);
    if (tha)
        memcpy(a + 18, tha, 6);
    wbe32(a + 24, tpa);
}

#endif
