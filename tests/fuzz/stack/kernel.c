/* What the network stack takes from the rest of the kernel: the clock,
 * the heap (every allocation counted, so a leak shows), the command line
 * (empty), and the idle wait and TSC of tests/shim/x86.h (no ports, and
 * the interrupt flag is always set: the stack runs no interrupts here). */
#include <stdlib.h>
#include "clock.h"
#include "heap.h"
#include "kernel.h"
#include "stack.h"

uint64_t now_ns;
long live_allocs;
static uint64_t tsc;

void kernel_reset(void)
{
    now_ns = 1000000000ull;
    live_allocs = 0;
    tsc = 0;
}

uint64_t time_ns(void) { return now_ns += 1000; }
void shim_hlt(void) { now_ns += 1000000; }
uint64_t shim_rdtsc(void) { return tsc += 977; }
void shim_set_if(int on) { }
int shim_get_if(void) { return 1; }

void *kmalloc(size_t n) { live_allocs++; return malloc(n); }
void *kzalloc(size_t n) { live_allocs++; return calloc(1, n); }
void kfree(void *p)
{
    if (p) {
        live_allocs--;
        free(p);
    }
}

const char *cmdline_get(const char *key) { return NULL; }
