/* The guest's SHA-256 (also the harness's) against FIPS 180-4's examples,
 * fed whole and in odd pieces, both ways: the portable code and, where
 * this CPU has them, the SHA extensions (sha256_ni.asm, linked in by the
 * Makefile's rule for this test), which must agree on every length,
 * alignment and split. */
#include <cpuid.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "sha256.h"

static void hex(const uint8_t *d, char *out)
{
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void check(const void *msg, size_t len, size_t piece, const char *want)
{
    struct sha256 s;
    uint8_t d[32];
    char h[65];
    sha256_init(&s);
    for (size_t off = 0; off < len; off += piece)
        sha256_update(&s, (const uint8_t *)msg + off, len - off < piece ? len - off : piece);
    sha256_final(&s, d);
    hex(d, h);
    assert_string_equal(h, want);
}

/* The CPU's SHA, SSSE3 and SSE4.1 flags, asked here independently of
 * sha256.c. */
static bool host_has_sha(void)
{
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) < 7 || !__get_cpuid(1, &a, &b, &c, &d) ||
        !(c & bit_SSSE3) || !(c & bit_SSE4_1))
        return false;
    __cpuid_count(7, 0, a, b, c, d);
    return (b & bit_SHA) != 0;
}

/* Runs fn once on the portable code, then once on the SHA extensions
 * when the CPU has them; the default (allowed) afterwards. */
static void both_ways(void (*fn)(void))
{
    assert_false(sha256_ni_allow(false));
    fn();
    assert_int_equal(sha256_ni_allow(true), host_has_sha());
    if (sha256_ni_active())
        fn();
}

static void each_vector(void)
{
    static const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (size_t piece = 1; piece <= 65; piece += 7) {
        check("", 0, piece, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        check("abc", 3, piece, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        check(two_blocks, strlen(two_blocks), piece,
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
}

static void vectors(void **state) { both_ways(each_vector); }

static void million_as(void)
{
    static char a[1000000];
    memset(a, 'a', sizeof a);
    check(a, sizeof a, 4096, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    check(a, sizeof a, 1000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void a_million_as(void **state) { both_ways(million_as); }

/* The path in use is the one the CPU allows, unless forbidden. */
static void ni_chosen_by_cpuid(void **state)
{
    assert_int_equal(sha256_ni_active(), host_has_sha());
    assert_false(sha256_ni_allow(false));
    assert_false(sha256_ni_active());
    assert_int_equal(sha256_ni_allow(true), host_has_sha());
    if (!host_has_sha())
        skip();
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static void digest(const uint8_t *msg, size_t len, bool ni, uint8_t d[32])
{
    struct sha256 s;
    sha256_ni_allow(ni);
    sha256_init(&s);
    sha256_update(&s, msg, len);
    sha256_final(&s, d);
    sha256_ni_allow(true);
}

/* Every length 0..1000 at every start alignment mod 16, and the same
 * messages in random pieces switching path between updates (so the
 * state the two leave is the same too): the two agree. */
static void ni_matches_portable(void **state)
{
    if (!host_has_sha())
        skip();
    static uint8_t buf[1000 + 16];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)next();
    for (size_t len = 0; len <= 1000; len++) {
        const uint8_t *msg = buf + len % 16;
        uint8_t want[32], got[32];
        digest(msg, len, false, want);
        digest(msg, len, true, got);
        assert_memory_equal(got, want, 32);

        struct sha256 s;
        sha256_init(&s);
        for (size_t off = 0; off < len;) {
            size_t piece = next() % 200;
            if (piece > len - off)
                piece = len - off;
            sha256_ni_allow(next() & 1);
            sha256_update(&s, msg + off, piece);
            off += piece;
        }
        sha256_ni_allow(next() & 1);
        sha256_final(&s, got);
        sha256_ni_allow(true);
        assert_memory_equal(got, want, 32);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vectors),
        cmocka_unit_test(a_million_as),
        cmocka_unit_test(ni_chosen_by_cpuid),
        cmocka_unit_test(ni_matches_portable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
