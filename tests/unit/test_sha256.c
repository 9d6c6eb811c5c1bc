/* The guest's SHA-256 (also the harness's) against FIPS 180-4's examples,
 * fed whole and in odd pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "../../guest/lib/sha256.c"

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

static void vectors(void **state)
{
    static const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (size_t piece = 1; piece <= 65; piece += 7) {
        check("", 0, piece, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        check("abc", 3, piece, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        check(two_blocks, strlen(two_blocks), piece,
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
}

static void a_million_as(void **state)
{
    static char a[1000000];
    memset(a, 'a', sizeof a);
    check(a, sizeof a, 4096, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    check(a, sizeof a, 1000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vectors),
        cmocka_unit_test(a_million_as),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
