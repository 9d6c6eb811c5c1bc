/* The register state a case starts from and ends with, on either side. */
#ifndef TESTS_CPU_STATE_H
#define TESTS_CPU_STATE_H

#include <stdint.h>

struct cpu_state {
    uint64_t r[16];     /* encoding order: rax rcx rdx rbx rsp rbp rsi rdi r8-r15 */
    uint64_t rip;
    uint64_t rflags;
};

/* How a run ended. */
struct outcome {
    struct cpu_state s;     /* at the end, or at the fault (RIP: the
                             * faulting instruction, or after a trap) */
    int vector;             /* -1: reached the end; else the exception */
    uint32_t error;         /* error code, where the vector has one */
    uint64_t cr2;           /* #PF */
    const char *other;      /* neither: why (budget, shutdown, ...) */
};

#endif
