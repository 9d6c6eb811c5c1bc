/* The Internet checksum (RFC 1071): ones-complement sums of 16-bit words. */
#ifndef HOST_NET_CHECKSUM_H
#define HOST_NET_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds buf to a running 32-bit sum (big-endian words, odd byte padded). */
uint32_t csum_add(uint32_t sum, const uint8_t *buf, size_t len);
/* Folds and complements: the value to store, in host order. */
uint16_t csum_finish(uint32_t sum);

#endif
