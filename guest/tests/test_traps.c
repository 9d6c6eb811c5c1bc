/* Exceptions reach their handlers and execution resumes where it should. */
#include "kernel.h"
#include "tap.h"
#include "trap.h"
#include "usermode.h"

static volatile uint64_t bp_rip, bp_count;

static void on_bp(struct trap_frame *f)
{
    bp_rip = f->rip;
    bp_count++;
}

SELFTEST(20, int3_handler)
{
    uint64_t after;
    bp_count = 0;
    trap_set_handler(VEC_BP, on_bp);
    /* int3 is a trap: the saved RIP is the instruction after it */
    __asm__ volatile("int3\n1:\n\tleaq 1b(%%rip), %0" : "=r"(after) :: "memory");
    trap_set_handler(VEC_BP, 0);
    EXPECT_EQ(t, 1, bp_count, "int3 handler calls");
    EXPECT_EQ(t, after, bp_rip, "RIP saved by int3 (the next instruction)");
    EXPECT_EQ(t, VEC_BP, last_exception.vector, "vector recorded");
}

SELFTEST(21, page_fault_caught)
{
    /* above the 4 GiB identity map, and the page left out for NULL */
    static const uint64_t addrs[] = { 0x8000000000ull, 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(addrs); i++) {
        uint64_t v = 0, before = last_exception.count;
        int r = safe_read64(addrs[i], &v);
        EXPECT_EQ(t, (uint64_t)-1, (uint64_t)r, "safe_read64 of an unmapped address");
        EXPECT_EQ(t, before + 1, last_exception.count, "exceptions taken");
        EXPECT_EQ(t, VEC_PF, last_exception.vector, "vector of the fault");
        EXPECT_EQ(t, addrs[i], last_exception.cr2, "CR2 (the faulting address)");
        EXPECT_EQ(t, (uint64_t)safe_read64, last_exception.rip, "RIP of the faulting load");
        /* not present, a read, from the level the test runs at */
        EXPECT_EQ(t, current_cpl() ? PF_USER : 0,
                  last_exception.error & (PF_PRESENT | PF_WRITE | PF_USER),
                  "page fault error code bits 2:0");
    }
    uint64_t v = 0, before = last_exception.count;
    EXPECT_EQ(t, 0, (uint64_t)safe_read64(0x100000, &v), "safe_read64 of mapped memory");
    EXPECT_EQ(t, before, last_exception.count, "no exception for mapped memory");
    EXPECT_EQ(t, *(volatile uint64_t *)0x100000, v, "the value read");
}
