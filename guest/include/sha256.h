/* SHA-256 (FIPS 180-4), for checking bulk transfers end to end. Plain C
 * with no kernel dependencies: the host-side test harness builds this
 * same file. On x86-64 the blocks go to the SHA extensions
 * (sha256_ni.asm) when the program links that file and CPUID reports
 * them; the portable code otherwise. Same digests either way. */
#ifndef GUEST_SHA256_H
#define GUEST_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t bytes;
    uint8_t block[64];
    size_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t digest[32]);

/* Whether sha256_update uses the SHA extensions now. */
bool sha256_ni_active(void);
/* Allows (the default) or forbids the SHA extensions, for tests and for
 * code that cannot use XMM registers; returns sha256_ni_active(). */
bool sha256_ni_allow(bool allow);

#endif
