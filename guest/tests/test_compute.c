/*
 * A compute-bound loop of known length, for `make bench` to turn the
 * instruction count pcemu reports (-stats) into instructions per second:
 * integer arithmetic, shifts, a multiply, loads and stores and a branch,
 * as compiled kernel code has them. The same computation in C checks
 * the result, so a CPU that gets any of it wrong fails the test.
 */
#include "kernel.h"
#include "tap.h"

#define COMPUTE_TABLE 64
#define COMPUTE_INSNS_PER_ITER 17
#define COMPUTE_DEFAULT_ITERS 10000000ull

struct compute_state {
    uint64_t x, acc;
    uint64_t table[COMPUTE_TABLE];
};

static void compute_asm(struct compute_state *s, uint64_t iters)
{
    uint64_t x = s->x, acc = s->acc, mul = 6364136223846793005ull;
    __asm__ volatile(
        "1:\n\t"
        "mov %[x], %%rax\n\t"
        "shl $13, %%rax\n\t"
        "xor %%rax, %[x]\n\t"
        "mov %[x], %%rax\n\t"
        "shr $7, %%rax\n\t"
        "xor %%rax, %[x]\n\t"
        "mov %[x], %%rax\n\t"
        "shl $17, %%rax\n\t"
        "xor %%rax, %[x]\n\t"
        "mov %[x], %%rdx\n\t"
        "and $63, %%edx\n\t"
        "add (%[tab],%%rdx,8), %[acc]\n\t"
        "mov %[x], (%[tab],%%rdx,8)\n\t"
        "imul %[mul], %[acc]\n\t"
        "add %[x], %[acc]\n\t"
        "dec %[n]\n\t"
        "jnz 1b"
        : [x] "+r"(x), [acc] "+r"(acc), [n] "+r"(iters)
        : [tab] "r"(s->table), [mul] "r"(mul)
        : "rax", "rdx", "memory", "cc");
    s->x = x;
    s->acc = acc;
}

static void compute_c(struct compute_state *s, uint64_t iters)
{
    uint64_t x = s->x, acc = s->acc;
    while (iters--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += s->table[x & 63];
        s->table[x & 63] = x;
        acc = acc * 6364136223846793005ull + x;
    }
    s->x = x;
    s->acc = acc;
}

static void compute_init(struct compute_state *s)
{
    s->x = 0x9e3779b97f4a7c15ull;
    s->acc = 1;
    for (int i = 0; i < COMPUTE_TABLE; i++)
        s->table[i] = (uint64_t)i * 0x100000001b3ull;
}

/* compute.iters=N on the command line sets the length. */
SELFTEST_ON_DEMAND(95, cpu_compute)
{
    const char *arg = cmdline_get("compute.iters");
    uint64_t iters = COMPUTE_DEFAULT_ITERS;
    if (arg) {
        iters = 0;
        for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
            iters = iters * 10 + (uint64_t)(*p - '0');
    }
    if (!iters)
        iters = 1;
    static struct compute_state a, b;
    compute_init(&a);
    compute_init(&b);
    compute_asm(&a, iters);
    compute_c(&b, iters);
    printf("# cpu_compute: %llu iterations of %u instructions\n", (unsigned long long)iters,
           COMPUTE_INSNS_PER_ITER);
    EXPECT_EQ(t, b.x, a.x, "xorshift state");
    EXPECT_EQ(t, b.acc, a.acc, "accumulator");
    for (int i = 0; i < COMPUTE_TABLE; i++)
        EXPECT_EQ(t, b.table[i], a.table[i], "table entry");
}
