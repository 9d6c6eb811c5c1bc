/*
 * The interpreter's side: a struct x86_cpu with RAM and a bus that logs,
 * set up the way a 64-bit kernel would (layout.h): identity-mapped
 * supervisor memory, a GDT like Linux's, an IDT whose every vector leads
 * to a HLT stub (so an exception stops x86_run with its frame on the
 * kernel stack), and a TSS with RSP0 and IST1.
 */
#ifndef TESTS_CPU_RIG_H
#define TESTS_CPU_RIG_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/interp/pte.h"
#include "cpu/interp/x86.h"
#include "state.h"

#define PTE_NX  PTE_XD      /* the tests' name for execute-disable */

/* An exception frame as the handler found it (SDM Vol. 3, 6.14.2). */
struct frame {
    uint64_t rsp_after;     /* the handler's RSP */
    uint64_t error, rip, cs, rflags, rsp, ss;
    bool has_error;
};

enum bus_kind { BUS_MEM_READ, BUS_MEM_WRITE, BUS_IO_IN, BUS_IO_OUT };

struct bus_event {
    enum bus_kind kind;
    uint64_t addr;
    uint64_t value;
    unsigned size;
};

#define RIG_LOG_MAX 64

struct rig {
    struct x86_cpu *c;
    uint8_t *ram;
    struct x86_ram xram;
    struct x86_bus bus;
    unsigned pt_used;           /* pages of PT_POOL in use */
    /* what reached the bus */
    struct bus_event log[RIG_LOG_MAX];
    int nlog;                   /* may exceed RIG_LOG_MAX: counted, not kept */
    uint64_t mem_read_value;    /* what a bus read returns (low bytes) */
    uint64_t io_in_value;
    /* bus->unknown: the last instruction the interpreter did not know */
    int unknown;
    uint64_t unknown_rip;
    uint8_t unknown_bytes[15];
    unsigned unknown_n;
    /* the last exception rig_run stopped at */
    struct frame frame;
};

/* CR0 as rig_reset leaves it: as Linux has it (AM and MP too, so that the
 * guest matches the host the differential tests run on) */
#define RIG_CR0 (X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
                 X86_CR0_PG)

void rig_init(struct rig *r);
void rig_free(struct rig *r);
/* Fresh CPU (x86_init) and system structures: 64-bit mode at CPL 0, IF
 * clear, the standard page tables, registers zero. */
void rig_reset(struct rig *r);
/* Switch the fresh CPU to CPL 3 (CS SEL_UCODE, SS SEL_UDATA) with the
 * given registers; RFLAGS gets IF and the arithmetic flags and DF from s. */
void rig_enter_user(struct rig *r, const struct cpu_state *s);
/* CPL 0 with the given registers, RFLAGS as given (bit 1 forced). */
void rig_enter_kernel(struct rig *r, const struct cpu_state *s);

/* Maps a 4 KiB page (lin -> pa, flags: PTE_*); the upper levels get
 * P|RW|US so that the leaf alone decides. Returns the PTE in RAM. */
uint64_t *rig_map(struct rig *r, uint64_t lin, uint64_t pa, uint64_t flags);
/* The entry for lin at a level: 1 the PTE, 2 the PDE, 3 the PDPTE, 4 the
 * PML4E (NULL: the walk stops above it). */
uint64_t *rig_pte(struct rig *r, uint64_t lin, int level);
void rig_set_gate(struct rig *r, int vector, uint64_t handler, int dpl, int ist);
/* Host pointer to guest physical memory. */
void *rig_phys(struct rig *r, uint64_t pa);
uint64_t rig_read64(struct rig *r, uint64_t pa);

/* Runs until RIP reaches stop_at (a breakpoint), an exception stub halts,
 * or budget; fills o: vector -1 at stop_at, the vector and the state the
 * frame records for an exception, else o->other says what happened. */
void rig_run(struct rig *r, uint64_t stop_at, uint64_t budget, struct outcome *o);

/* Whether the vector pushes an error code (SDM Vol. 3, Table 6-1). */
bool vector_has_error(int vector);

#endif
