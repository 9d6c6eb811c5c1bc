/* Exceptions reach their handlers and execution resumes where it should. */
#include "kernel.h"
#include "tap.h"
#include "trap.h"

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
    __asm__ volatile("int3\n1:\n\tleaq 1b(%%rip), %0" : "=r"(after) :: "memory");
    trap_set_handler(VEC_BP, 0);
    EXPECT_EQ(t, 1, bp_count, "int3 handler calls");
    EXPECT_EQ(t, after, bp_rip, "RIP saved by int3 (the next instruction)");
}

SELFTEST(21, page_fault_caught)
{
    static const uint64_t addrs[] = { 0x8000000000ull, 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(addrs); i++) {
        uint64_t v = 0, before = last_fault.count;
        int r = safe_read64(addrs[i], &v);
        EXPECT_EQ(t, (uint64_t)-1, (uint64_t)r, "safe_read64 of an unmapped address");
        EXPECT_EQ(t, before + 1, last_fault.count, "faults caught");
        EXPECT_EQ(t, VEC_PF, last_fault.vector, "vector of the fault");
        EXPECT_EQ(t, addrs[i], last_fault.cr2, "CR2 (the faulting address)");
        /* not-present (bit 0 clear), read (bit 1 clear), supervisor */
        EXPECT_EQ(t, 0, last_fault.error & 7, "page fault error code bits 2:0");
    }
    uint64_t v = 0;
    EXPECT_EQ(t, 0, (uint64_t)safe_read64(0x100000, &v), "safe_read64 of mapped memory");
}
