/*
 * Numbers an off-path attacker must not guess: TCP initial sequence
 * numbers (RFC 6528), ephemeral ports (RFC 6056), DNS IDs (RFC 5452 9.2)
 * and the DHCP xid (RFC 2131 4.1).
 *
 * A test kernel's generator, not a cryptographic one: its only entropy is
 * the TSC, read at every draw. Each draw hashes the pool, a counter and
 * the TSC with SHA-256; half the digest is the next pool, the other half
 * the output, so outputs seen on the wire tell nothing of the state, and
 * knowing the time (to the microsecond, as time_ns gives it) does not
 * give the TSC's low bits. A real kernel would gather more (RDRAND,
 * interrupt timing) before trusting it with anything but this.
 */
#include "kernel.h"
#include "net_internal.h"
#include "sha256.h"
#include "x86.h"

uint8_t random_pool[16];
uint64_t random_draws;

/* 16 unguessable bytes */
static void draw(uint8_t out[16])
{
    uint64_t tsc = rdtsc();
    uint8_t d[32];
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, random_pool, sizeof random_pool);
    sha256_update(&h, &random_draws, sizeof random_draws);
    sha256_update(&h, &tsc, sizeof tsc);
    sha256_final(&h, d);
    random_draws++;
    memcpy(random_pool, d, sizeof random_pool);
    memcpy(out, d + 16, 16);
}

uint32_t net_random32(void)
{
    uint8_t r[16];
    draw(r);
    return get32(r);
}

/* RFC 6528 3's F(): SHA-256 of a boot-time secret and the data. */
uint32_t net_hash32(const void *data, size_t len)
{
    static uint8_t secret[16];
    static bool have_secret;
    if (!have_secret) {
        draw(secret);
        have_secret = true;
    }
    uint8_t d[32];
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, secret, sizeof secret);
    sha256_update(&h, data, len);
    sha256_final(&h, d);
    return get32(d);
}
