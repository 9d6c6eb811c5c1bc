/* SHA-256 on this CPU: FIPS 180-4's examples on the code sha256_update
 * chose (the SHA extensions where CPUID reports them and the kernel
 * enabled SSE, the portable code otherwise), and where that is the SHA
 * extensions, the same digests as the portable code for every length to
 * a few blocks, at odd alignments and in pieces. */
#include "kernel.h"
#include "sha256.h"
#include "tap.h"

static void digest_of(const void *msg, size_t len, size_t piece, uint8_t d[32])
{
    struct sha256 s;
    sha256_init(&s);
    for (size_t off = 0; off < len; off += piece)
        sha256_update(&s, (const uint8_t *)msg + off, len - off < piece ? len - off : piece);
    sha256_final(&s, d);
}

static void hex(const uint8_t *d, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = 0;
}

static void vector(struct tap *t, const char *msg, const char *want)
{
    uint8_t d[32];
    char got[65];
    for (size_t piece = 1; piece <= 129; piece += 32) {
        digest_of(msg, strlen(msg), piece, d);
        hex(d, got);
        if (strcmp(got, want) != 0) {
            tap_fail(t, "SHA-256 of a FIPS 180-4 example message", want, got);
            return;
        }
    }
}

SELFTEST(31, sha256_vectors)
{
    bool ni = sha256_ni_active();
    printf("# sha256: %s\n", ni ? "SHA extensions" : "portable code");
    vector(t, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    vector(t, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    vector(t, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
           "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    vector(t, "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
           "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    if (!ni)
        return;

    static uint8_t buf[300 + 16];
    uint32_t x = 0x2545f491;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t len = 0; len <= 300 && !t->failed; len++) {
        const uint8_t *msg = buf + len % 16;
        uint8_t want[32], got[32];
        sha256_ni_allow(false);
        digest_of(msg, len, len ? len : 1, want);
        sha256_ni_allow(true);
        digest_of(msg, len, len % 67 + 1, got);
        if (memcmp(got, want, 32) != 0) {
            char what[80], w[65], g[65];
            snprintf(what, sizeof what, "SHA extensions' digest = portable code's, %llu bytes",
                     (unsigned long long)len);
            hex(want, w);
            hex(got, g);
            tap_fail(t, what, w, g);
        }
    }
    EXPECT_TRUE(t, sha256_ni_active(), "the SHA extensions allowed again");
}
