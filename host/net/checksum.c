#include "net/checksum.h"

uint32_t csum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
    uint64_t s = sum;
    for (; len > 1; len -= 2, buf += 2)
        s += (uint32_t)buf[0] << 8 | buf[1];
    if (len)
        s += (uint32_t)buf[0] << 8;
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

uint16_t csum_finish(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}
