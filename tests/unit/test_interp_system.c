/* The interpreter's system side against the SDM: page walks with every
 * permission combination and the A/D bits, #PF error codes, split and
 * MMIO accesses, segment checks, IDT delivery in IA-32e, protected,
 * virtual-8086 and real mode (IST, stack switches, #DF, triple fault),
 * IRET/RETF/far CALL through gates, SYSCALL/SYSRET, the I/O bitmap, and
 * the control registers and MSRs (host/cpu/interp/). Each check reports
 * what differs and the test goes on; a test fails if any check did. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cpu/interp/sys_internal.h"

static int failures, checks;
#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
    printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

#define RAM_SIZE (16u << 20)
static uint8_t *ram;

/* ---- a bus that records what reaches it ---- */
struct busrec { uint64_t pa; unsigned size; uint64_t v; bool write; };
static struct busrec bus_log[64];
static int bus_n;
static uint8_t mmio[1 << 16];   /* backing for MMIO at 0xfe000000 */
#define MMIO_BASE 0xfe000000ull

static uint64_t bus_read(void *o, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    if (pa >= MMIO_BASE && pa + size <= MMIO_BASE + sizeof mmio)
        memcpy(&v, mmio + (pa - MMIO_BASE), size);
    else
        v = ~0ull >> (64 - 8 * size);
    if (bus_n < 64)
        bus_log[bus_n++] = (struct busrec){ pa, size, v, false };
    return v;
}

static void bus_write(void *o, uint64_t pa, uint64_t v, unsigned size)
{
    if (pa >= MMIO_BASE && pa + size <= MMIO_BASE + sizeof mmio)
        memcpy(mmio + (pa - MMIO_BASE), &v, size);
    if (bus_n < 64)
        bus_log[bus_n++] = (struct busrec){ pa, size, v, true };
}

/* A device that writes RAM (DMA) while it handles an OUT: dma_byte to
 * dma_pa, unless that is 0. */
static uint64_t dma_pa;
static uint8_t dma_byte;

static uint64_t io_in(void *o, uint16_t port, unsigned size) { return 0; }

static void io_out(void *o, uint16_t port, uint64_t v, unsigned size)
{
    if (dma_pa)
        ram[dma_pa] = dma_byte;
}

static struct x86_cpu cpu;

static void reset_cpu(void)
{
    struct x86_ram r = { ram, RAM_SIZE, 0x100000000ull, 0 };
    struct x86_bus b = { NULL, bus_read, bus_write, io_in, io_out, NULL };
    memset(ram, 0, RAM_SIZE);
    x86_init(&cpu, &r, &b);
}

/* ---- running a piece of the CPU with a fault frame ---- */
typedef void (*step_fn)(struct x86_cpu *c, void *arg);
/* -1: no fault; else the vector (fault_error holds the error code) */
static int try(step_fn fn, void *arg)
{
    struct x86_cpu *c = &cpu;
    c->in_run = true;
    c->fault_vector = -1;
    if (setjmp(c->fault_jmp)) {
        c->in_run = false;
        return c->fault_vector;
    }
    fn(c, arg);
    c->in_run = false;
    return -1;
}

static uint64_t rd64(uint64_t pa) { uint64_t v; memcpy(&v, ram + pa, 8); return v; }
static void wr64(uint64_t pa, uint64_t v) { memcpy(ram + pa, &v, 8); }
static uint32_t rd32(uint64_t pa) { uint32_t v; memcpy(&v, ram + pa, 4); return v; }
static void wr32(uint64_t pa, uint32_t v) { memcpy(ram + pa, &v, 4); }

/* ---- long mode set-up ----
 * Tables: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000.
 * Linear 0x400000.. (PD index 2) -> PT 0x4000; PT maps page i to frame
 * 0x100000 + i*4096. */
#define PML4 0x1000
#define PDPT 0x2000
#define PD   0x3000
#define PT   0x4000
#define P 1ull
#define RW 2ull
#define US 4ull
#define A 0x20ull
#define D 0x40ull
#define PS 0x80ull
#define XD (1ull << 63)

static const struct x86_seg code64 = { 0, 0xffffffff, 0x08, 0xa09b };    /* L, P, S, code RA */
static const struct x86_seg data64 = { 0, 0xffffffff, 0x10, 0xc093 };
static const struct x86_seg code64u = { 0, 0xffffffff, 0x2b, 0xa0fb };   /* DPL 3 */
static const struct x86_seg data64u = { 0, 0xffffffff, 0x33, 0xc0f3 };

static void long_mode(void)
{
    struct x86_cpu *c = &cpu;
    wr64(PML4, PDPT | P | RW | US);
    wr64(PDPT, PD | P | RW | US);
    wr64(PD + 0 * 8, 0x000000 | P | RW | PS | A | D);     /* 0-2M identity, supervisor */
    wr64(PD + 1 * 8, 0x200000 | P | RW | US | PS | A | D);/* 2-4M identity, user */
    wr64(PD + 2 * 8, PT | P | RW | US);
    for (int i = 0; i < 512; i++)
        wr64(PT + 8 * i, (0x100000 + 4096ull * i) | P | RW | US);
    c->cr3 = PML4;
    c->cr4 = X86_CR4_PAE;
    c->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE | X86_EFER_SCE;
    c->cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_ET | X86_CR0_WP;
    x86_set_seg(c, X86_CS, &code64);
    for (int s = 0; s < 6; s++)
        if (s != X86_CS)
            x86_set_seg(c, s, &data64);
    x86_update_mode(c);
    x86_tlb_flush(c);
}

/* ---- paging: the permission matrix ---- */
struct xl { uint64_t lin; int acc; uint64_t pa; };
static void do_translate(struct x86_cpu *c, void *arg)
{
    struct xl *x = arg;
    x->pa = x86_translate(c, x->lin, x->acc);
}

static void test_permissions(void)
{
    struct x86_cpu *c = &cpu;
    const uint64_t lin = 0x400000 + 5 * 4096 + 0x123;
    const uint64_t pte_pa = PT + 5 * 8, pde_pa = PD + 2 * 8;
    int n = 0;
    for (unsigned bits = 0; bits < 128; bits++)
    for (int cpl = 0; cpl <= 3; cpl += 3)
    for (int kind = 0; kind < 3; kind++)
    for (int wp = 0; wp < 2; wp++)
    for (int smep = 0; smep < 2; smep++)
    for (int sys = 0; sys < 2; sys++) {
        bool pde_rw = bits & 1, pde_us = bits & 2, pde_xd = bits & 4;
        bool pte_rw = bits & 8, pte_us = bits & 16, pte_xd = bits & 32, pte_p = !(bits & 64);
        reset_cpu();
        long_mode();
        wr64(pde_pa, PT | P | (pde_rw ? RW : 0) | (pde_us ? US : 0) | (pde_xd ? XD : 0));
        wr64(pte_pa, 0x105000 | (pte_p ? P : 0) | (pte_rw ? RW : 0) | (pte_us ? US : 0) |
                     (pte_xd ? XD : 0));
        if (!wp)
            c->cr0 &= ~X86_CR0_WP;
        if (smep)
            c->cr4 |= X86_CR4_SMEP;
        if (cpl == 3)
            x86_set_seg(c, X86_CS, &code64u);
        CHECK(c->cpl == (unsigned)cpl, "cpl %u", c->cpl);
        int acc = (kind == 0 ? X86_READ : kind == 1 ? X86_WRITE : X86_EXEC) | (sys ? X86_SYS : 0);
        struct xl x = { lin, acc, 0 };
        int v = try(do_translate, &x);

        /* the SDM's rules, restated */
        bool user = cpl == 3 && !sys;
        bool rw = pde_rw && pte_rw, us = pde_us && pte_us, xd = pde_xd || pte_xd;
        bool ok;
        if (!pte_p)
            ok = false;
        else if (user)
            ok = us && (kind != 1 || rw) && (kind != 2 || !xd);
        else
            ok = (kind != 1 || rw || !wp) && (kind != 2 || (!xd && !(smep && us)));
        uint32_t pfec = (pte_p ? 1 : 0) | (kind == 1 ? 2 : 0) | (user ? 4 : 0) |
                        (kind == 2 ? 0x10 : 0);
        n++;
        if (ok) {
            CHECK(v == -1, "bits %#x cpl %d kind %d wp %d smep %d sys %d: fault %d err %#x", bits,
                  cpl, kind, wp, smep, sys, v, c->fault_error);
            CHECK(x.pa == 0x105123, "pa %#llx", (unsigned long long)x.pa);
            /* A at every level, D on the leaf for a write */
            CHECK(rd64(PML4) & A, "PML4E A");
            CHECK(rd64(PDPT) & A, "PDPTE A");
            CHECK(rd64(pde_pa) & A, "PDE A");
            CHECK(!(rd64(pde_pa) & D), "PDE D must stay clear (not a leaf)");
            CHECK(rd64(pte_pa) & A, "PTE A");
            CHECK(!!(rd64(pte_pa) & D) == (kind == 1), "PTE D %d kind %d",
                  !!(rd64(pte_pa) & D), kind);
        } else {
            CHECK(v == X86_PF_VEC, "bits %#x cpl %d kind %d wp %d smep %d sys %d: want #PF got %d",
                  bits, cpl, kind, wp, smep, sys, v);
            CHECK(c->fault_error == pfec, "bits %#x cpl %d kind %d wp %d sys %d: pfec %#x want %#x",
                  bits, cpl, kind, wp, sys, c->fault_error, pfec);
            CHECK(c->cr2 == lin, "cr2");
            CHECK(!(rd64(pte_pa) & A), "PTE A set on a refused access");
        }
    }
    CHECK(n == 6144, "combinations: %d", n);
}

/* ---- paging: reserved bits, large pages, TLB behaviour ---- */
static int translate(uint64_t lin, int acc, uint64_t *pa)
{
    struct xl x = { lin, acc, 0 };
    int v = try(do_translate, &x);
    if (pa)
        *pa = x.pa;
    return v;
}

static void test_reserved_and_large(void)
{
    struct x86_cpu *c = &cpu;
    uint64_t pa;

    /* bit 40 (> MAXPHYADDR) in a PTE */
    reset_cpu();
    long_mode();
    wr64(PT + 8, 0x101000 | P | RW | (1ull << 40));
    CHECK(translate(0x401000, X86_READ, NULL) == X86_PF_VEC && c->fault_error == (1 | 8),
          "PTE bit 40: pfec %#x", c->fault_error);
    /* bits 52..62 are ignored in 4-level paging */
    wr64(PT + 8, 0x101000 | P | RW | (0x7ffull << 52));
    x86_tlb_flush(c);
    CHECK(translate(0x401000, X86_READ, &pa) == -1 && pa == 0x101000, "bits 62:52 ignored");
    /* PS in a PML4E */
    wr64(PML4, PDPT | P | RW | US | PS);
    x86_tlb_flush(c);
    CHECK(translate(0x401000, X86_WRITE, NULL) == X86_PF_VEC && c->fault_error == (1 | 2 | 8),
          "PML4E.PS: pfec %#x", c->fault_error);
    wr64(PML4, PDPT | P | RW | US);
    /* XD with NXE clear: reserved */
    c->efer &= ~X86_EFER_NXE;
    wr64(PT + 8, 0x101000 | P | RW | XD);
    x86_tlb_flush(c);
    CHECK(translate(0x401000, X86_EXEC, NULL) == X86_PF_VEC && c->fault_error == (1 | 8),
          "XD without NXE: pfec %#x (no I bit without NXE/SMEP)", c->fault_error);
    c->efer |= X86_EFER_NXE;

    /* 2 MiB page: bits 20:13 reserved */
    reset_cpu();
    long_mode();
    wr64(PD + 8 * 4, 0x800000 | P | RW | PS | (1ull << 13));
    CHECK(translate(0x800000, X86_READ, NULL) == X86_PF_VEC && c->fault_error == 9,
          "2M bit 13: pfec %#x", c->fault_error);
    wr64(PD + 8 * 4, 0x800000 | P | RW | PS | (1ull << 12));    /* PAT bit: fine */
    CHECK(translate(0x812345, X86_WRITE, &pa) == -1 && pa == 0x812345, "2M page pa %#llx",
          (unsigned long long)pa);
    CHECK((rd64(PD + 8 * 4) & (A | D)) == (A | D), "2M A/D");
    CHECK(c->tlb_large, "tlb_large");

    /* 1 GiB page at 1 GiB -> physical 0 */
    wr64(PDPT + 8, 0 | P | RW | PS);
    CHECK(translate(0x40000000 + 0x123456, X86_READ, &pa) == -1 && pa == 0x123456, "1G pa %#llx",
          (unsigned long long)pa);
    CHECK((rd64(PDPT + 8) & (A | D)) == A, "1G A only");
    wr64(PDPT + 8, 0 | P | RW | PS | (1ull << 20));
    x86_tlb_flush(c);
    CHECK(translate(0x40000000, X86_READ, NULL) == X86_PF_VEC && c->fault_error == 9,
          "1G bit 20 reserved");

    /* TLB: a hit does not see a changed PTE until INVLPG */
    reset_cpu();
    long_mode();
    CHECK(translate(0x402000, X86_READ, &pa) == -1 && pa == 0x102000, "pa");
    wr64(PT + 16, 0x1ff000 | P | RW | US);
    CHECK(translate(0x402000, X86_READ, &pa) == -1 && pa == 0x102000, "stale TLB as on the CPU");
    x86_tlb_flush_page(c, 0x402abc);
    CHECK(translate(0x402000, X86_READ, &pa) == -1 && pa == 0x1ff000, "after INVLPG");
    /* a read fill with D clear makes no write entry: the write walks and sets D */
    CHECK(!(rd64(PT + 16) & D), "D clear after read");
    CHECK(translate(0x402000, X86_WRITE, &pa) == -1 && (rd64(PT + 16) & D), "D after write");
    /* a read-only page: after a read fill, a write still faults */
    wr64(PT + 24, 0x103000 | P | US | A | D);
    CHECK(translate(0x403000, X86_READ, NULL) == -1, "read of RO page");
    CHECK(translate(0x403000, X86_WRITE, NULL) == X86_PF_VEC && c->fault_error == 3, "write RO");
    /* user/supervisor in the tag: a supervisor fill does not serve CPL 3 */
    wr64(PT + 32, 0x104000 | P | RW | A | D);
    CHECK(translate(0x404000, X86_READ, NULL) == -1, "supervisor read");
    x86_set_seg(c, X86_CS, &code64u);
    CHECK(translate(0x404000, X86_READ, NULL) == X86_PF_VEC && c->fault_error == 5,
          "user read of supervisor page after supervisor fill: %#x", c->fault_error);
    /* ... and an X86_SYS access at CPL 3 is supervisor */
    CHECK(translate(0x404000, X86_READ | X86_SYS, NULL) == -1, "SYS read at CPL 3");
    /* not present upper level */
    wr64(PDPT, 0);
    x86_tlb_flush(c);
    CHECK(translate(0x405000, X86_WRITE, NULL) == X86_PF_VEC && c->fault_error == 6,
          "PDPTE not present, user write: %#x", c->fault_error);

    /* peek: no faults, no bits */
    reset_cpu();
    long_mode();
    CHECK(x86_translate_peek(c, 0x406789, &pa) && pa == 0x106789, "peek");
    CHECK(!(rd64(PT + 6 * 8) & A), "peek sets no A");
    CHECK(!x86_translate_peek(c, 0x800000000000ull, &pa), "peek non-canonical");
    wr64(PT + 7 * 8, 0);
    CHECK(!x86_translate_peek(c, 0x407000, &pa), "peek not present");
}

/* 32-bit paging and PAE */
static void test_legacy_paging(void)
{
    struct x86_cpu *c = &cpu;
    uint64_t pa;

    reset_cpu();
    /* 32-bit: PD at 0x1000; PDE 1 -> PT 0x2000; PDE 2: 4 MiB page at 0xc00000 */
    wr32(0x1000 + 4, 0x2000 | P | RW | US);
    wr32(0x1000 + 8, 0xc00000 | P | RW | PS);
    wr32(0x2000 + 3 * 4, 0x345000 | P | RW | US);
    c->cr3 = 0x1000;
    c->cr4 = X86_CR4_PSE;
    c->cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_ET;
    static const struct x86_seg code32 = { 0, 0xffffffff, 0x08, 0xc09b };
    x86_set_seg(c, X86_CS, &code32);
    x86_tlb_flush(c);
    CHECK(translate(0x403abc, X86_WRITE, &pa) == -1 && pa == 0x345abc, "32-bit 4K");
    CHECK((rd32(0x1004) & (A | D)) == A && (rd32(0x200c) & (A | D)) == (A | D), "32-bit A/D");
    CHECK(translate(0x812345, X86_EXEC, &pa) == -1 && pa == 0xc12345, "32-bit 4M");
    wr32(0x1000 + 8, 0xc00000 | P | RW | PS | (1u << 13));    /* PSE-36 absent: reserved */
    x86_tlb_flush(c);
    CHECK(translate(0x812345, X86_READ, NULL) == X86_PF_VEC && c->fault_error == 9, "4M rsvd");
    c->cr4 = 0;     /* PS ignored without PSE: PDE 2 is a page table at 0xc00000 */
    wr32(0x1000 + 8, 0xc00000 | P | RW | PS);
    x86_tlb_flush(c);
    wr32(0xc00000 + 0x12 * 4, 0x777000 | P);
    CHECK(translate(0x812345, X86_READ, &pa) == -1 && pa == 0x777345, "PS ignored without PSE");
    CHECK(translate(0x812345, X86_EXEC, NULL) == -1, "no XD in 32-bit paging");

    /* PAE: PDPT at 0x5000 (loaded on the CR3 write), PD at 0x6000 */
    reset_cpu();
    wr64(0x5000 + 8, 0x6000 | P);
    wr64(0x6000, 0x7000 | P | RW | US);
    wr64(0x7000 + 8, 0x99000 | P | RW | US | XD);
    c->cr0 = X86_CR0_PE | X86_CR0_ET;
    x86_set_seg(c, X86_CS, &code32);
    c->efer = X86_EFER_NXE;
    struct { int n; uint64_t v; } w[] = { { 4, X86_CR4_PAE }, { 3, 0x5000 },
                                          { 0, X86_CR0_PE | X86_CR0_PG | X86_CR0_ET } };
    for (int i = 0; i < 3; i++)
        x86_write_cr(c, w[i].n, w[i].v);
    CHECK(c->pdpte[1] == (0x6000 | P), "PDPTE registers loaded");
    CHECK(translate(0x40001234, X86_READ, &pa) == -1 && pa == 0x99234, "PAE 4K");
    CHECK(translate(0x40001234, X86_EXEC, NULL) == X86_PF_VEC && c->fault_error == 0x11,
          "PAE XD: pfec %#x", c->fault_error);
    /* PAE reserves bits 62:52 too */
    wr64(0x7000 + 16, 0x9a000 | P | (1ull << 60));
    CHECK(translate(0x40002000, X86_READ, NULL) == X86_PF_VEC && c->fault_error == 9,
          "PAE bit 60 reserved");
    /* the PDPTE registers are not re-read from memory */
    wr64(0x5000 + 8, 0);
    x86_tlb_flush(c);
    CHECK(translate(0x40001234, X86_READ, NULL) == -1, "PDPTE register kept");
}

/* ---- accesses ---- */
struct acc { int seg; uint64_t off; uint64_t v; unsigned size; };
static void do_write(struct x86_cpu *c, void *arg)
{
    struct acc *a = arg;
    x86_write(c, a->seg, a->off, a->v, a->size);
}
static void do_read(struct x86_cpu *c, void *arg)
{
    struct acc *a = arg;
    a->v = x86_read(c, a->seg, a->off, a->size);
}

static void test_accesses(void)
{
    struct x86_cpu *c = &cpu;

    reset_cpu();
    long_mode();
    /* a write across a page whose second half is not present: nothing written */
    wr64(PT + 9 * 8, 0);
    memset(ram + 0x108ff8, 0xaa, 8);
    struct acc a = { X86_DS, 0x408ffc, 0x1122334455667788ull, 8 };
    CHECK(try(do_write, &a) == X86_PF_VEC && c->cr2 == 0x409000 && c->fault_error == 2,
          "split write #PF cr2 %#llx err %#x", (unsigned long long)c->cr2, c->fault_error);
    CHECK(rd64(0x108ff8) == 0xaaaaaaaaaaaaaaaaull, "first page untouched");
    /* across two present pages */
    wr64(PT + 9 * 8, 0x10a000 | P | RW);    /* not contiguous physically */
    x86_tlb_flush(c);
    CHECK(try(do_write, &a) == -1, "split write");
    CHECK(rd32(0x108ffc) == 0x55667788 && rd32(0x10a000) == 0x11223344, "split halves");
    a.v = 0;
    CHECK(try(do_read, &a) == -1 && a.v == 0x1122334455667788ull, "split read");

    /* non-canonical: #GP, #SS for SS */
    a = (struct acc){ X86_DS, 0x0000800000000000ull, 0, 1 };
    CHECK(try(do_read, &a) == X86_GP && c->fault_error == 0, "non-canonical #GP");
    a.seg = X86_SS;
    CHECK(try(do_read, &a) == X86_SS_VEC, "non-canonical SS #SS");
    a = (struct acc){ X86_DS, 0x00007ffffffffffcull, 0, 8 };
    CHECK(try(do_read, &a) == X86_GP, "last byte non-canonical");
    /* FS base in 64-bit mode; DS base ignored */
    c->seg[X86_FS].base = 0x400000;
    c->seg[X86_DS].base = 0x12345;
    wr64(0x100010, 0xfeedull);
    a = (struct acc){ X86_FS, 0x10, 0, 8 };
    CHECK(try(do_read, &a) == -1 && a.v == 0xfeed, "FS base");
    a = (struct acc){ X86_DS, 0x400010, 0, 8 };
    CHECK(try(do_read, &a) == -1 && a.v == 0xfeed, "DS base ignored");

    /* MMIO: mapped at 0x40b000 -> 0xfe000000; an 8-byte write at 0xffd
     * of the page before (RAM) crosses into it */
    wr64(PT + 11 * 8, MMIO_BASE | P | RW);
    wr64(PT + 10 * 8, 0x10a000 | P | RW);
    x86_tlb_flush(c);
    bus_n = 0;
    a = (struct acc){ X86_DS, 0x40affd, 0x0807060504030201ull, 8 };
    CHECK(try(do_write, &a) == -1, "RAM/MMIO split write");
    CHECK(ram[0x10affd] == 1 && ram[0x10afff] == 3, "RAM part");
    CHECK(bus_n == 2 && bus_log[0].pa == MMIO_BASE && bus_log[0].size == 4 &&
          bus_log[0].v == 0x07060504 && bus_log[1].pa == MMIO_BASE + 4 && bus_log[1].size == 1 &&
          bus_log[1].v == 8, "MMIO part as 4 + 1: n %d size %u", bus_n, bus_log[0].size);
    bus_n = 0;
    a = (struct acc){ X86_DS, 0x40b002, 0, 4 };
    CHECK(try(do_read, &a) == -1 && bus_n == 1 && bus_log[0].pa == MMIO_BASE + 2 &&
          bus_log[0].size == 4, "unaligned MMIO read stays one access");
    /* page-table entries in MMIO are read through the bus */

    /* watchpoints */
    c->nwatch = 1;
    c->watch[0] = (struct x86_watch){ 0x400100, 4, 1 };
    c->watch_hit = -1;
    c->stop_request = false;
    a = (struct acc){ X86_DS, 0x4000fe, 0, 4 };
    CHECK(try(do_read, &a) == -1 && c->watch_hit == -1, "read does not hit a write watch");
    CHECK(try(do_write, &a) == -1 && c->watch_hit == 0 && c->stop_request, "write watch hit");
    c->watch_hit = -1;
    a.off = 0x400104;
    CHECK(try(do_write, &a) == -1 && c->watch_hit == -1, "adjacent write no hit");
    c->nwatch = 0;

    /* protected mode segments */
    reset_cpu();
    c->cr0 = X86_CR0_PE | X86_CR0_ET;
    static const struct x86_seg code32 = { 0, 0xffffffff, 0x08, 0xc09b };
    x86_set_seg(c, X86_CS, &code32);
    struct x86_seg ds = { 0x10000, 0xfff, 0x10, 0x4093 };
    c->seg[X86_DS] = ds;
    a = (struct acc){ X86_DS, 0xffe, 0xabcd, 2 };
    CHECK(try(do_write, &a) == -1 && ram[0x10ffe] == 0xcd, "limit ok");
    a.off = 0xfff;
    CHECK(try(do_write, &a) == X86_GP && c->fault_error == 0, "limit exceeded by last byte");
    c->seg[X86_DS].attr = 0x4091;     /* read-only */
    a.off = 0;
    CHECK(try(do_write, &a) == X86_GP, "write read-only");
    CHECK(try(do_read, &a) == -1, "read read-only");
    c->seg[X86_DS].attr = 0x4098;     /* execute-only code */
    CHECK(try(do_read, &a) == X86_GP, "read execute-only");
    c->seg[X86_DS].attr = 0x409a;     /* readable code */
    CHECK(try(do_read, &a) == -1, "read readable code");
    CHECK(try(do_write, &a) == X86_GP, "write code");
    /* expand-down, B=1: valid offsets limit+1 .. 0xffffffff */
    c->seg[X86_SS] = (struct x86_seg){ 0, 0xfff, 0x18, 0x4097 };
    a = (struct acc){ X86_SS, 0xfff, 0, 4 };
    CHECK(try(do_read, &a) == X86_SS_VEC, "expand-down at limit");
    a.off = 0x1000;
    CHECK(try(do_read, &a) == -1, "expand-down above limit");
    a.off = 0xfffffffe;
    CHECK(try(do_read, &a) == X86_SS_VEC, "expand-down past 4G");
    /* null (unusable) DS */
    c->seg[X86_DS] = (struct x86_seg){ 0, 0, 0, 0 };
    a = (struct acc){ X86_DS, 0, 0, 1 };
    CHECK(try(do_read, &a) == X86_GP, "null DS");
    /* base wraps at 4 GiB */
    c->seg[X86_ES] = (struct x86_seg){ 0xfffff000, 0xffffffff, 0x20, 0xc093 };
    ram[0x10] = 0x5a;
    a = (struct acc){ X86_ES, 0x1010, 0, 1 };
    CHECK(try(do_read, &a) == -1 && a.v == 0x5a, "4G wrap");
    /* real mode: no type checks, limits yes */
    reset_cpu();
    c->seg[X86_DS].attr = 0x91;     /* read-only in the cache */
    a = (struct acc){ X86_DS, 0xffff, 0, 2 };
    CHECK(try(do_write, &a) == X86_GP, "real mode word at 0xffff");
    a.off = 0xfffe;
    CHECK(try(do_write, &a) == -1, "real mode ignores type");
}

static void do_push(struct x86_cpu *c, void *arg) { x86_push(c, *(uint64_t *)arg, 8); }
static void do_fetch(struct x86_cpu *c, void *arg) { *(uint64_t *)arg = x86_fetch8(c, *(uint64_t *)arg); }

static void test_stack_fetch(void)
{
    struct x86_cpu *c = &cpu;
    reset_cpu();
    long_mode();
    c->r[X86_RSP] = 0x401000;
    wr64(PT + 0, 0);      /* page below not present */
    uint64_t v = 7;
    CHECK(try(do_push, &v) == X86_PF_VEC && c->r[X86_RSP] == 0x401000, "push #PF keeps RSP");
    c->r[X86_RSP] = 0x402000;
    CHECK(try(do_push, &v) == -1 && c->r[X86_RSP] == 0x401ff8 && rd64(0x101ff8) == 7, "push");
    c->r[X86_RSP] = 0x800000000008ull;
    CHECK(try(do_push, &v) == X86_SS_VEC, "push non-canonical #SS");

    /* fetch: XD page -> #PF with I */
    reset_cpu();
    long_mode();
    wr64(PT + 8, 0x101000 | P | RW | XD);
    ram[0x101005] = 0x90;
    uint64_t off = 0x401005;
    CHECK(try(do_fetch, &off) == X86_PF_VEC && c->fault_error == 0x11, "fetch XD");
    wr64(PT + 8, 0x101000 | P | RW);
    x86_tlb_flush(c);
    off = 0x401005;
    CHECK(try(do_fetch, &off) == -1 && off == 0x90, "fetch");
    off = 0x800000000000ull;
    CHECK(try(do_fetch, &off) == X86_GP, "fetch non-canonical");
    unsigned n;
    const uint8_t *p = x86_fetch_ptr(c, 0x401ff0, &n);
    CHECK(p == ram + 0x101ff0 && n == 16, "fetch_ptr to the page end: n %u", n);
    wr64(PT + 12 * 8, MMIO_BASE | P);
    p = x86_fetch_ptr(c, 0x40c000, &n);
    CHECK(!p && n == 0, "fetch_ptr on MMIO");
    /* CS limit in protected mode */
    reset_cpu();
    c->cr0 = X86_CR0_PE | X86_CR0_ET;
    static const struct x86_seg code32 = { 0x1000, 0xff, 0x08, 0x409b };
    x86_set_seg(c, X86_CS, &code32);
    ram[0x10ff] = 0xcc;
    off = 0xff;
    CHECK(try(do_fetch, &off) == -1 && off == 0xcc, "fetch at limit");
    off = 0x100;
    CHECK(try(do_fetch, &off) == X86_GP, "fetch past limit");
    x86_fetch_ptr(c, 0xf0, &n);
    CHECK(n == 16, "fetch_ptr to the CS limit: %u", n);
}

/* ---- long-mode delivery, IRETQ ---- */
#define GDT  0x8000
#define IDT  0x9000
#define TSS  0xa000
static void set_gate64(int vec, uint16_t sel, uint64_t off, unsigned type, unsigned dpl, unsigned ist)
{
    uint64_t lo = (off & 0xffff) | ((uint64_t)sel << 16) | ((uint64_t)ist << 32) |
                  ((uint64_t)type << 40) | ((uint64_t)dpl << 45) | (1ull << 47) |
                  ((off >> 16) & 0xffff) << 48;
    wr64(IDT + 16 * vec, lo);
    wr64(IDT + 16 * vec + 8, off >> 32);
}

static void long_mode_system(void)
{
    struct x86_cpu *c = &cpu;
    long_mode();
    wr64(GDT + 0x00, 0);
    wr64(GDT + 0x08, 0x00209b0000000000ull);  /* 64-bit code DPL 0, accessed */
    wr64(GDT + 0x10, 0x0000930000000000ull);  /* data DPL 0 */
    wr64(GDT + 0x18, 0x0040fb000000ffffull | 0x008f000000000000ull); /* 32-bit code DPL3 */
    wr64(GDT + 0x28, 0x0020fb0000000000ull);  /* 64-bit code DPL 3 (0x2b) */
    wr64(GDT + 0x30, 0x0000f30000000000ull);  /* data DPL 3 (0x33) */
    wr64(GDT + 0x38, 0x0020930000000000ull);  /* 64-bit code, not accessed yet (type 0x9a below) */
    ram[GDT + 0x38 + 5] = 0x9a;
    /* TSS at 0x40 (16 bytes): base TSS, limit 0x67 + bitmap */
    uint64_t tss_limit = 0x2000;
    wr64(GDT + 0x40, (tss_limit & 0xffff) | ((uint64_t)(TSS & 0xffffff) << 16) |
                         (0x89ull << 40) | ((tss_limit >> 16) & 0xf) << 48);
    wr64(GDT + 0x48, 0);
    c->gdtr = (struct x86_dtr){ GDT, 0x4f };
    c->idtr = (struct x86_dtr){ IDT, 16 * 256 - 1 };
    wr64(TSS + 4, 0x1ff000);             /* RSP0 */
    wr64(TSS + 0x24 + 8, 0x1fe008);      /* IST2, misaligned on purpose */
    struct x86_desc dd;
    (void)dd;
}

static void do_ltr(struct x86_cpu *c, void *arg) { x86_ltr(c, *(uint16_t *)arg); }

struct ev { int vec; enum x86_event kind; bool has_err; uint32_t err; };
static void do_deliver(struct x86_cpu *c, void *arg)
{
    struct ev *e = arg;
    x86_deliver(c, e->vec, e->kind, e->has_err, e->err);
}
static void do_iret(struct x86_cpu *c, void *arg) { x86_iret(c, *(unsigned *)arg); }

static void test_long_delivery(void)
{
    struct x86_cpu *c = &cpu;
    reset_cpu();
    long_mode_system();
    uint16_t trsel = 0x40;
    CHECK(try(do_ltr, &trsel) == -1, "ltr");
    CHECK(c->tr.base == TSS && (c->tr.attr & 0xf) == 11 && ram[GDT + 0x45] == 0x8b, "busy TSS");
    CHECK(try(do_ltr, &trsel) == X86_GP && c->fault_error == 0x40, "ltr of a busy TSS");

    set_gate64(14, 0x08, 0xffffffff80001000ull, X86_SYS_INT, 0, 2);   /* #PF on IST2 */
    set_gate64(0x80, 0x08, 0x2000, X86_SYS_TRAP, 3, 0);
    set_gate64(0x81, 0x08, 0x3000, X86_SYS_INT, 0, 0);
    /* map 0xffffffff80000000 so the handler address is canonical (not used) */

    /* user mode at CPL 3 */
    x86_set_seg(c, X86_CS, &code64u);
    c->seg[X86_SS] = data64u;
    c->rip = 0x400123;
    c->r[X86_RSP] = 0x200ff8;
    x86_set_rflags(c, 0x202 | X86_TF | X86_RF);
    struct ev e = { 14, X86_EV_EXCEPTION, true, 0x6 };
    CHECK(try(do_deliver, &e) == -1, "deliver #PF");
    /* IST2 = 0x1fe008 aligned down to 0x1fe000 */
    uint64_t sp = 0x1fe000;
    CHECK(c->r[X86_RSP] == sp - 48, "RSP %#llx", (unsigned long long)c->r[X86_RSP]);
    CHECK(rd64(sp - 8) == 0x33 && rd64(sp - 16) == 0x200ff8, "SS:RSP pushed");
    CHECK(rd64(sp - 24) == (0x202 | X86_TF | X86_RF), "RFLAGS pushed with RF (fault): %#llx",
          (unsigned long long)rd64(sp - 24));
    CHECK(rd64(sp - 32) == 0x2b && rd64(sp - 40) == 0x400123 && rd64(sp - 48) == 6, "CS:RIP, err");
    CHECK(c->cpl == 0 && c->seg[X86_CS].sel == 0x08 && c->code64, "CS");
    CHECK(c->seg[X86_SS].sel == 0, "SS null with RPL 0");
    CHECK(c->rip == 0xffffffff80001000ull, "RIP");
    CHECK((x86_get_rflags(c) & (X86_IF | X86_TF | X86_RF)) == 0, "IF TF RF clear %#llx",
          (unsigned long long)x86_get_rflags(c));
    CHECK(c->delivering == -1, "delivering reset");

    /* IRETQ back to CPL 3 */
    unsigned opsize = 8;
    c->r[X86_RSP] += 8;     /* pop the error code as a handler does */
    CHECK(try(do_iret, &opsize) == -1, "iretq: fault %d err %#x", c->fault_vector, c->fault_error);
    CHECK(c->cpl == 3 && c->seg[X86_CS].sel == 0x2b && c->seg[X86_SS].sel == 0x33 &&
          c->r[X86_RSP] == 0x200ff8 && c->rip == 0x400123, "iretq state");
    CHECK((x86_get_rflags(c) & (X86_IF | X86_TF | X86_RF)) == (X86_IF | X86_TF | X86_RF),
          "iretq flags %#llx", (unsigned long long)x86_get_rflags(c));

    /* INT 0x80 from CPL 3 (gate DPL 3): RSP0 stack, no RF forced */
    x86_set_rflags(c, 0x202);
    e = (struct ev){ 0x80, X86_EV_SOFTWARE, false, 0 };
    c->rip = 0x400200;
    CHECK(try(do_deliver, &e) == -1, "int 0x80");
    CHECK(c->r[X86_RSP] == 0x1ff000 - 40 && rd64(0x1ff000 - 24) == 0x202, "int frame");
    CHECK(x86_get_rflags(c) & X86_IF, "trap gate keeps IF");
    /* back and INT 0x81 (DPL 0) from CPL 3: #GP(0x81*8+2) */
    c->r[X86_RSP] = 0x1ff000 - 40;
    CHECK(try(do_iret, &opsize) == -1 && c->cpl == 3, "iretq 2");
    e = (struct ev){ 0x81, X86_EV_SOFTWARE, false, 0 };
    CHECK(try(do_deliver, &e) == X86_GP && c->fault_error == 0x81 * 8 + 2, "DPL check: %d %#x",
          c->fault_vector, c->fault_error);
    /* as an external interrupt it has no DPL check and EXT = 1 on faults */
    e.kind = X86_EV_EXTERNAL;
    CHECK(try(do_deliver, &e) == -1 && c->cpl == 0 && c->rip == 0x3000, "external 0x81");
    /* not present gate: #NP(vec*8+2+EXT) */
    c->r[X86_RSP] = 0x1ff000 - 40;
    CHECK(try(do_iret, &opsize) == -1, "iretq 3");
    ram[IDT + 16 * 0x81 + 5] &= 0x7f;
    CHECK(try(do_deliver, &e) == X86_NP && c->fault_error == 0x81 * 8 + 3, "#NP ext");

    /* same privilege, no IST: current stack aligned to 16, SS:RSP pushed */
    reset_cpu();
    long_mode_system();
    CHECK(try(do_ltr, &trsel) == -1, "ltr");
    set_gate64(0x81, 0x08, 0x3000, X86_SYS_INT, 0, 0);
    c->r[X86_RSP] = 0x300ff4;
    c->seg[X86_SS] = (struct x86_seg){ 0, 0xffffffff, 0x10, 0xc093 };
    e = (struct ev){ 0x81, X86_EV_EXTERNAL, false, 0 };
    CHECK(try(do_deliver, &e) == -1 && c->r[X86_RSP] == 0x300ff0 - 40, "same-CPL aligned");
    CHECK(rd64(0x300ff0 - 8) == 0x10 && rd64(0x300ff0 - 16) == 0x300ff4, "SS:RSP same CPL");
    CHECK(c->seg[X86_SS].sel == 0x10, "SS kept");

    /* #DF: the #GP handler's gate not present while delivering a #GP */
    reset_cpu();
    long_mode_system();
    try(do_ltr, &trsel);
    set_gate64(13, 0x08, 0x5000, X86_SYS_INT, 0, 0);
    ram[IDT + 16 * 13 + 5] &= 0x7f;
    c->r[X86_RSP] = 0x300000;
    e = (struct ev){ 13, X86_EV_EXCEPTION, true, 0 };
    CHECK(try(do_deliver, &e) == X86_DF_VEC && c->fault_error == 0, "#GP + #NP = #DF: %d",
          c->fault_vector);
    /* #PF during #PF delivery (stack not mapped) = #DF */
    set_gate64(14, 0x08, 0x5000, X86_SYS_INT, 0, 0);
    c->r[X86_RSP] = 0x409000;
    wr64(PT + 8 * 8, 0);
    e = (struct ev){ 14, X86_EV_EXCEPTION, true, 2 };
    CHECK(try(do_deliver, &e) == X86_DF_VEC, "#PF + #PF = #DF");
    /* a benign first event: the #PF is delivered on its own */
    e = (struct ev){ 0x30, X86_EV_EXTERNAL, false, 0 };
    set_gate64(0x30, 0x08, 0x5000, X86_SYS_INT, 0, 0);
    CHECK(try(do_deliver, &e) == X86_PF_VEC && c->fault_error == 2, "IRQ + #PF = #PF: %d %#x",
          c->fault_vector, c->fault_error);
    /* #DF with a not-present gate: shutdown */
    ram[IDT + 16 * 8 + 5] = 0;
    c->shutdown = false;
    c->stop_request = false;
    e = (struct ev){ 8, X86_EV_EXCEPTION, true, 0 };
    CHECK(try(do_deliver, &e) == -1 && c->shutdown && c->stop_request, "triple fault");
    /* delivery outside x86_run: the whole chain runs to shutdown */
    c->shutdown = false;
    ram[IDT + 16 * 13 + 5] &= 0x7f;
    c->in_run = false;
    x86_deliver(c, 13, X86_EV_EXCEPTION, true, 0);
    CHECK(c->shutdown, "outside run: #GP -> #DF -> shutdown");
}

/* IRET checks and returns between modes */
struct iretq_frame { uint64_t rip, cs, fl, rsp, ss; };
static void push_iret(uint64_t sp, struct iretq_frame f)
{
    wr64(sp, f.rip); wr64(sp + 8, f.cs); wr64(sp + 16, f.fl); wr64(sp + 24, f.rsp); wr64(sp + 32, f.ss);
}

static void test_iret(void)
{
    struct x86_cpu *c = &cpu;
    unsigned op8 = 8;
    reset_cpu();
    long_mode_system();
    c->r[X86_RSP] = 0x300000;
    /* IOPL and IF from CPL 0 to CPL 3 */
    push_iret(0x300000, (struct iretq_frame){ 0x400000, 0x2b, 0x3202 | X86_AC, 0x123456789ull, 0x33 });
    c->seg[X86_DS] = (struct x86_seg){ 0, 0xffffffff, 0x10, 0xc093 };  /* DPL 0: nulled */
    c->seg[X86_ES] = data64u;
    CHECK(try(do_iret, &op8) == -1, "iretq");
    CHECK((x86_get_rflags(c) & (X86_IOPL | X86_IF | X86_AC)) == (X86_IOPL | X86_IF | X86_AC),
          "CPL0 sets IOPL, IF");
    CHECK(c->r[X86_RSP] == 0x123456789ull, "RSP full");
    CHECK(c->seg[X86_DS].sel == 0 && !(c->seg[X86_DS].attr & X86_ATTR_P), "DS nulled");
    CHECK(c->seg[X86_ES].sel == 0x33, "ES kept");
    /* at CPL 3, IRETQ to CPL 3 cannot change IOPL or IF (IOPL 0) */
    x86_set_rflags(c, 0x202);
    c->r[X86_RSP] = 0x200000;
    push_iret(0x200000, (struct iretq_frame){ 0x400000, 0x2b, 0x3002, 0x200100, 0x33 });
    CHECK(try(do_iret, &op8) == -1, "iretq 3->3");
    CHECK((x86_get_rflags(c) & (X86_IOPL | X86_IF)) == X86_IF, "IOPL and IF kept %#llx",
          (unsigned long long)x86_get_rflags(c));
    /* to CPL 0 from CPL 3: #GP(sel) */
    c->r[X86_RSP] = 0x200000;
    push_iret(0x200000, (struct iretq_frame){ 0x400000, 0x08, 0x2, 0x200100, 0x10 });
    CHECK(try(do_iret, &op8) == X86_GP && c->fault_error == 0x08, "iret to inner");
    /* non-canonical RIP to 64-bit code: #GP(0) */
    reset_cpu();
    long_mode_system();
    c->r[X86_RSP] = 0x300000;
    push_iret(0x300000, (struct iretq_frame){ 0x800000000000ull, 0x2b, 0x2, 0x200100, 0x33 });
    CHECK(try(do_iret, &op8) == X86_GP && c->fault_error == 0 && c->r[X86_RSP] == 0x300000,
          "iret non-canonical");
    /* to compatibility mode (32-bit code 0x1b) */
    push_iret(0x300000, (struct iretq_frame){ 0x1000, 0x1b, 0x2, 0x2000, 0x33 });
    CHECK(try(do_iret, &op8) == -1 && !c->code64 && c->code32 && c->cpl == 3, "iret to compat");
    /* SS RPL mismatch */
    reset_cpu();
    long_mode_system();
    c->r[X86_RSP] = 0x300000;
    push_iret(0x300000, (struct iretq_frame){ 0x1000, 0x2b, 0x2, 0x2000, 0x10 });
    CHECK(try(do_iret, &op8) == X86_GP && c->fault_error == 0x10, "SS RPL");
    /* null SS to CPL 0 64-bit: allowed */
    push_iret(0x300000, (struct iretq_frame){ 0x1000, 0x08, 0x2, 0x2000, 0 });
    CHECK(try(do_iret, &op8) == -1 && c->seg[X86_SS].sel == 0, "null SS to CPL 0");
    /* accessed bit set on the CS load */
    c->r[X86_RSP] = 0x300000;
    push_iret(0x300000, (struct iretq_frame){ 0x1000, 0x38, 0x2, 0x2000, 0x10 });
    CHECK(try(do_iret, &op8) == -1 && ram[GDT + 0x3d] == 0x9b, "accessed bit %#x", ram[GDT + 0x3d]);
}

/* SYSCALL/SYSRET */
static void do_syscall(struct x86_cpu *c, void *arg) { x86_syscall(c); }
static void do_sysret(struct x86_cpu *c, void *arg) { x86_sysret(c, *(unsigned *)arg); }

static void test_syscall(void)
{
    struct x86_cpu *c = &cpu;
    reset_cpu();
    long_mode_system();
    x86_set_seg(c, X86_CS, &code64u);
    c->seg[X86_SS] = data64u;
    c->star = (0x23ull << 48) | (0x08ull << 32);
    c->lstar = 0xffffffff81000000ull;
    c->fmask = X86_IF | X86_TF;
    c->rip = 0x400010;
    x86_set_rflags(c, 0x302 | X86_CF);
    CHECK(try(do_syscall, NULL) == -1, "syscall");
    CHECK(c->r[X86_RCX] == 0x400010 && c->r[X86_R11] == (0x303), "RCX R11 %#llx",
          (unsigned long long)c->r[X86_R11]);
    CHECK(c->cpl == 0 && c->seg[X86_CS].sel == 8 && c->seg[X86_SS].sel == 0x10 && c->code64, "sel");
    CHECK(c->seg[X86_CS].attr == 0xa09b && c->seg[X86_SS].attr == 0xc093, "attrs %#x %#x",
          c->seg[X86_CS].attr, c->seg[X86_SS].attr);
    CHECK(x86_get_rflags(c) == 0x3, "masked flags %#llx", (unsigned long long)x86_get_rflags(c));
    unsigned op = 8;
    c->r[X86_R11] = 0x3202 | X86_RF | X86_VM;
    c->r[X86_RCX] = 0x800000000000ull;
    CHECK(try(do_sysret, &op) == X86_GP, "sysret non-canonical");
    c->r[X86_RCX] = 0x400020;
    CHECK(try(do_sysret, &op) == -1 && c->cpl == 3 && c->seg[X86_CS].sel == 0x33 &&
          c->seg[X86_SS].sel == 0x2b && c->rip == 0x400020, "sysret 64");
    CHECK(x86_get_rflags(c) == 0x3202, "sysret flags %#llx", (unsigned long long)x86_get_rflags(c));
    CHECK(try(do_sysret, &op) == X86_GP, "sysret at CPL 3");
    CHECK(try(do_syscall, NULL) == -1, "syscall 2");
    op = 4;
    CHECK(try(do_sysret, &op) == -1 && c->seg[X86_CS].sel == 0x23 && !c->code64 && c->code32,
          "sysret to compat");
}

/* I/O bitmap */
struct io { uint16_t port; unsigned size; };
static void do_io(struct x86_cpu *c, void *arg)
{
    struct io *i = arg;
    x86_check_io(c, i->port, i->size);
}

static void test_io(void)
{
    struct x86_cpu *c = &cpu;
    reset_cpu();
    long_mode_system();
    uint16_t trsel = 0x40;
    try(do_ltr, &trsel);
    x86_set_seg(c, X86_CS, &code64u);
    /* bitmap at 0x68 covering ports 0..0x3ff (128 bytes), limit 0x68+128 */
    wr32(TSS + 0x64, 0x68u << 16);
    c->tr.limit = 0x68 + 127;       /* last byte of the bitmap is at the limit */
    memset(ram + TSS + 0x68, 0xff, 128);
    ram[TSS + 0x68 + 0x80 / 8] = 0x00;       /* ports 0x80..0x87 allowed */
    ram[TSS + 0x68 + 0x88 / 8] = 0xfe;       /* 0x88 allowed */
    struct io t[] = {
        { 0x80, 1 }, { 0x87, 1 }, { 0x84, 4 }, { 0x86, 2 }, { 0x87, 2 }, { 0x88, 1 },
        { 0x87, 4 }, { 0x79, 1 }, { 0x3f8, 1 }, { 0x3ff, 1 }, { 0x400, 1 }, { 0xffff, 1 },
    };
    bool want[] = { 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0 };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        int v = try(do_io, &t[i]);
        CHECK((v == -1) == want[i], "port %#x size %u: %d", t[i].port, t[i].size, v);
    }
    /* the last bitmap byte at the limit: two bytes are read, the second
     * is past the limit: #GP even with a clear bit */
    ram[TSS + 0x68 + 127] = 0;
    struct io last = { 0x3f8, 1 };
    CHECK(try(do_io, &last) == X86_GP, "second byte beyond the limit");
    c->tr.limit += 1;
    CHECK(try(do_io, &last) == -1, "within the limit");
    /* IOPL 3 at CPL 3: no bitmap */
    x86_set_rflags(c, 0x3002);
    struct io any = { 0x1234, 4 };
    CHECK(try(do_io, &any) == -1, "IOPL");
    x86_set_rflags(c, 0x2);
    c->tr.limit = 0x66;
    CHECK(try(do_io, &any) == X86_GP, "TSS limit < 0x67");
}

/* CR, MSR, CPUID */
struct crw { int n; uint64_t v; };
static void do_cr(struct x86_cpu *c, void *arg)
{
    struct crw *w = arg;
    x86_write_cr(c, w->n, w->v);
}

static void test_cr_msr(void)
{
    struct x86_cpu *c = &cpu;
    reset_cpu();
    struct crw w;
    w = (struct crw){ 0, X86_CR0_PG | X86_CR0_ET };
    CHECK(try(do_cr, &w) == X86_GP, "PG without PE");
    w = (struct crw){ 0, X86_CR0_PE | X86_CR0_NW };
    CHECK(try(do_cr, &w) == X86_GP, "NW without CD");
    w = (struct crw){ 0, X86_CR0_PE | (1ull << 32) };
    CHECK(try(do_cr, &w) == X86_GP, "CR0 bit 32");
    w = (struct crw){ 0, X86_CR0_PE | (1ull << 7) };
    CHECK(try(do_cr, &w) == -1 && c->cr0 == (X86_CR0_PE | X86_CR0_ET), "reserved low ignored, ET 1");
    w = (struct crw){ 4, 1ull << 18 };
    CHECK(try(do_cr, &w) == X86_GP, "CR4.OSXSAVE without XSAVE");
    w = (struct crw){ 4, X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT };
    CHECK(try(do_cr, &w) == -1, "CR4.OSFXSR and OSXMMEXCPT with FXSR and SSE");
    c->cr4 = 0;
    w = (struct crw){ 8, 16 };
    CHECK(try(do_cr, &w) == X86_GP, "CR8 bit 4");
    /* enter long mode: LME, then PG without PAE #GP, with PAE LMA */
    long_mode();
    c->cr0 = X86_CR0_PE | X86_CR0_ET;
    c->cr4 = 0;
    c->efer = X86_EFER_LME;
    static const struct x86_seg code32 = { 0, 0xffffffff, 0x08, 0xc09b };
    x86_set_seg(c, X86_CS, &code32);
    w = (struct crw){ 0, X86_CR0_PE | X86_CR0_PG };
    CHECK(try(do_cr, &w) == X86_GP, "PG with LME without PAE");
    w = (struct crw){ 4, X86_CR4_PAE };
    CHECK(try(do_cr, &w) == -1, "PAE");
    w = (struct crw){ 0, X86_CR0_PE | X86_CR0_PG };
    CHECK(try(do_cr, &w) == -1 && (c->efer & X86_EFER_LMA) && c->long_mode && !c->code64,
          "LMA set");
    uint64_t v;
    CHECK(!x86_wrmsr(c, X86_MSR_EFER, X86_EFER_SCE), "LME clear while PG");
    w = (struct crw){ 4, 0 };
    CHECK(try(do_cr, &w) == X86_GP, "clear PAE in long mode");
    x86_set_seg(c, X86_CS, &code64);
    w = (struct crw){ 0, X86_CR0_PE };
    CHECK(try(do_cr, &w) == X86_GP, "clear PG in 64-bit code");
    w = (struct crw){ 3, 1ull << 40 };
    CHECK(try(do_cr, &w) == X86_GP, "CR3 bit 40");
    /* MSRs */
    CHECK(!x86_wrmsr(c, X86_MSR_LSTAR, 0x800000000000ull), "LSTAR canonical");
    CHECK(x86_wrmsr(c, X86_MSR_FS_BASE, 0xffff800000001000ull) &&
          c->seg[X86_FS].base == 0xffff800000001000ull, "FS_BASE");
    CHECK(x86_rdmsr(c, X86_MSR_GS_BASE, &v) && v == c->seg[X86_GS].base, "GS_BASE");
    CHECK(!x86_wrmsr(c, X86_MSR_PAT, 0x0007040600070402ull), "PAT type 2");
    CHECK(x86_wrmsr(c, X86_MSR_EFER, X86_EFER_LME | X86_EFER_NXE | X86_EFER_SCE) &&
          (c->efer & X86_EFER_LMA), "EFER keeps LMA");
    CHECK(!x86_wrmsr(c, X86_MSR_EFER, X86_EFER_LME | (1ull << 1)), "EFER reserved");
    CHECK(!x86_rdmsr(c, 0x12345, &v), "unknown MSR");
    x86_wrmsr(c, X86_MSR_TSC, 1000000);
    CHECK(x86_rdmsr(c, X86_MSR_TSC, &v) && v == 1000000, "TSC write");
    /* CPUID */
    uint32_t o[4];
    x86_cpuid(c, 0, 0, o);
    CHECK(o[0] == 7 && !memcmp(&o[1], "Genu", 4) && !memcmp(&o[3], "ineI", 4) &&
          !memcmp(&o[2], "ntel", 4), "vendor");
    x86_cpuid(c, 0x40000000, 0, o);
    CHECK(o[0] == 0x40000010 && !memcmp(&o[1], "pcemu-interp", 12), "hv signature");
    x86_cpuid(c, 0x40000010, 0, o);
    CHECK(o[0] == 1000000 && o[1] == 0, "tsc khz");
    x86_cpuid(c, 0x80000001, 0, o);
    CHECK((o[3] & (1u << 29)) && (o[3] & (1u << 20)), "LM NX");
    x86_cpuid(c, 0x80000008, 0, o);
    CHECK(o[0] == 0x3028, "address sizes");
    uint32_t o7[4];
    x86_cpuid(c, 7, 0, o7);
    x86_cpuid(c, 0x12345678, 0, o);
    CHECK(!memcmp(o, o7, 16), "unknown leaf = highest basic");
}

/* MOV Sreg, far JMP/CALL/RET in protected mode */
struct ls { int sreg; uint16_t sel; };
static void do_load(struct x86_cpu *c, void *arg)
{
    struct ls *l = arg;
    x86_load_seg(c, l->sreg, l->sel);
}
struct far { uint16_t sel; uint64_t off; unsigned op; };
static void do_fcall(struct x86_cpu *c, void *arg)
{
    struct far *f = arg;
    x86_far_call(c, f->sel, f->off, f->op);
}
static void do_fret(struct x86_cpu *c, void *arg)
{
    struct far *f = arg;
    x86_far_ret(c, f->op, (uint16_t)f->off);
}

static void test_segments(void)
{
    struct x86_cpu *c = &cpu;
    reset_cpu();
    long_mode_system();
    struct ls l = { X86_DS, 0x33 };
    CHECK(try(do_load, &l) == -1 && c->seg[X86_DS].sel == 0x33, "load DPL3 data at CPL 0");
    l = (struct ls){ X86_SS, 0x33 };
    CHECK(try(do_load, &l) == X86_GP && c->fault_error == 0x30, "SS DPL != CPL");
    l = (struct ls){ X86_SS, 0 };
    CHECK(try(do_load, &l) == -1 && c->seg[X86_SS].sel == 0, "null SS at CPL 0 in 64-bit");
    l = (struct ls){ X86_DS, 0x08 };
    CHECK(try(do_load, &l) == -1, "readable code into DS");
    l = (struct ls){ X86_DS, 0x50 };
    CHECK(try(do_load, &l) == X86_GP && c->fault_error == 0x50, "beyond GDT limit");
    l = (struct ls){ X86_DS, 0x40 };
    CHECK(try(do_load, &l) == X86_GP && c->fault_error == 0x40, "system descriptor");
    ram[GDT + 0x30 + 5] = 0x73;     /* not present, not accessed */
    l = (struct ls){ X86_ES, 0x33 };
    CHECK(try(do_load, &l) == X86_NP && c->fault_error == 0x30, "not present");
    ram[GDT + 0x30 + 5] = 0xf2;
    CHECK(try(do_load, &l) == -1 && ram[GDT + 0x35] == 0xf3, "accessed bit set");
    c->seg[X86_FS].base = 0x1234;
    l = (struct ls){ X86_FS, 3 };
    CHECK(try(do_load, &l) == -1 && c->seg[X86_FS].base == 0 && c->seg[X86_FS].sel == 3, "null FS");
    x86_set_seg(c, X86_CS, &code64u);
    c->seg[X86_SS] = data64u;
    l = (struct ls){ X86_DS, 0x10 };
    CHECK(try(do_load, &l) == X86_GP && c->fault_error == 0x10, "DPL 0 data at CPL 3");
    l = (struct ls){ X86_SS, 3 };
    CHECK(try(do_load, &l) == X86_GP && c->fault_error == 0, "null SS at CPL 3");

    /* far call and return, 64-bit, same privilege */
    reset_cpu();
    long_mode_system();
    c->r[X86_RSP] = 0x300000;
    c->rip = 0x401000;
    struct far f = { 0x08, 0x402000, 8 };
    CHECK(try(do_fcall, &f) == -1 && c->rip == 0x402000 && c->r[X86_RSP] == 0x300000 - 16 &&
          rd64(0x300000 - 8) == 8 && rd64(0x300000 - 16) == 0x401000, "far call");
    f = (struct far){ 0, 8, 8 };
    CHECK(try(do_fret, &f) == -1 && c->rip == 0x401000 && c->r[X86_RSP] == 0x300000 + 8, "retf 8");
    /* far call to compat code at CPL 3 from CPL 0 directly: #GP */
    c->r[X86_RSP] = 0x300000;
    f = (struct far){ 0x1b, 0x1000, 4 };
    CHECK(try(do_fcall, &f) == X86_GP && c->fault_error == 0x18 && c->r[X86_RSP] == 0x300000,
          "far call to DPL 3 non-conforming");
    /* retf to outer level (CPL 3) with imm */
    wr64(0x300000, 0x401234); wr64(0x300008, 0x2b);
    wr64(0x300010 + 16, 0x200000); wr64(0x300018 + 16, 0x33);
    f = (struct far){ 0, 16, 8 };
    CHECK(try(do_fret, &f) == -1 && c->cpl == 3 && c->r[X86_RSP] == 0x200010 &&
          c->seg[X86_SS].sel == 0x33 && c->rip == 0x401234, "retf outer: rsp %#llx",
          (unsigned long long)c->r[X86_RSP]);
}

/* Protected mode without paging: flat 32-bit code and data at DPL 0
 * (0x08, 0x10) and DPL 3 (0x1b, 0x23), and a 32-bit TSS (0x28) whose
 * SS0:ESP0 is 0x10:0x90000; GDTR is the test's to set. */
static void legacy_system(void)
{
    struct x86_cpu *c = &cpu;
    reset_cpu();
    c->cr0 = X86_CR0_PE | X86_CR0_ET;
    wr64(GDT + 0x08, 0x00cf9b000000ffffull);
    wr64(GDT + 0x10, 0x00cf93000000ffffull);
    wr64(GDT + 0x18, 0x00cffb000000ffffull);
    wr64(GDT + 0x20, 0x00cff3000000ffffull);
    wr64(GDT + 0x28, 0x0000890000000067ull | ((uint64_t)TSS << 16));
    wr32(TSS + 4, 0x90000);      /* ESP0 */
    wr32(TSS + 8, 0x10);         /* SS0 */
}

/* protected-mode 32-bit delivery */
static void test_legacy_delivery(void)
{
    struct x86_cpu *c = &cpu;
    legacy_system();
    c->gdtr = (struct x86_dtr){ GDT, 0x2f };
    c->idtr = (struct x86_dtr){ IDT, 0x7ff };
    /* 32-bit interrupt gate for 0x20 -> 0x08:0x12345 */
    wr64(IDT + 8 * 0x20, 0x2345 | (0x08ull << 16) | (0x8eull << 40) | (0x0001ull << 48));
    static const struct x86_seg c3 = { 0, 0xffffffff, 0x1b, 0xc0fb };
    static const struct x86_seg d3 = { 0, 0xffffffff, 0x23, 0xc0f3 };
    x86_set_seg(c, X86_CS, &c3);
    c->seg[X86_SS] = d3;
    uint16_t trsel = 0x28;
    c->cpl = 0;
    CHECK(try(do_ltr, &trsel) == -1, "ltr 32");
    x86_update_mode(c);
    CHECK(c->cpl == 3, "cpl 3");
    c->r[X86_RSP] = 0x80000;
    c->rip = 0x1000;
    x86_set_rflags(c, 0x202);
    struct ev e = { 0x20, X86_EV_EXTERNAL, false, 0 };
    CHECK(try(do_deliver, &e) == -1, "deliver 32: %d %#x", c->fault_vector, c->fault_error);
    CHECK(c->r[X86_RSP] == 0x90000 - 20 && c->seg[X86_SS].sel == 0x10 && c->cpl == 0 &&
          c->rip == 0x12345, "32-bit frame: esp %#llx", (unsigned long long)c->r[X86_RSP]);
    CHECK(rd32(0x90000 - 4) == 0x23 && rd32(0x90000 - 8) == 0x80000 && rd32(0x90000 - 12) == 0x202 &&
          rd32(0x90000 - 16) == 0x1b && rd32(0x90000 - 20) == 0x1000, "32-bit frame contents");
    CHECK(!(x86_get_rflags(c) & X86_IF), "IF cleared");
    unsigned op4 = 4;
    CHECK(try(do_iret, &op4) == -1 && c->cpl == 3 && c->r[X86_RSP] == 0x80000 && c->rip == 0x1000,
          "iretd to CPL 3");
    /* same-privilege at CPL 0 with an error code */
    x86_set_seg(c, X86_CS, &(struct x86_seg){ 0, 0xffffffff, 0x08, 0xc09b });
    c->seg[X86_SS] = (struct x86_seg){ 0, 0xffffffff, 0x10, 0xc093 };
    c->r[X86_RSP] = 0x70000;
    wr64(IDT + 8 * 13, 0x2345 | (0x08ull << 16) | (0x8full << 40));
    e = (struct ev){ 13, X86_EV_EXCEPTION, true, 0x18 };
    CHECK(try(do_deliver, &e) == -1 && c->r[X86_RSP] == 0x70000 - 16 && rd32(0x70000 - 16) == 0x18 &&
          (rd32(0x70000 - 4) & X86_RF), "same-CPL frame with error, RF");
    /* from virtual-8086 mode: GS FS DS ES SS ESP EFLAGS CS EIP, to CPL 0 */
    c->r[X86_RSP] = 0x70000;
    x86_set_rflags(c, 0x2 | X86_VM | X86_IF | X86_IOPL);
    for (int s = 0; s < 6; s++)
        x86_load_seg(c, s, (uint16_t)(0x1000 + s));     /* VM86: real-mode style */
    CHECK(c->cpl == 3 && c->seg[X86_DS].base == 0x10030 && c->seg[X86_DS].attr == 0xf3, "vm86 seg");
    c->r[X86_RSP] = 0x0ffe;
    c->rip = 0x0100;
    e = (struct ev){ 0x20, X86_EV_EXTERNAL, false, 0 };
    CHECK(try(do_deliver, &e) == -1 && c->cpl == 0 && !(c->rflags & X86_VM), "vm86 -> ring 0: %d %#x",
          c->fault_vector, c->fault_error);
    CHECK(c->r[X86_RSP] == 0x90000 - 36 && rd32(0x90000 - 4) == 0x1005 && rd32(0x90000 - 16) == 0x1000 &&
          rd32(0x90000 - 24) == 0x0ffe && (rd32(0x90000 - 28) & X86_VM) && rd32(0x90000 - 32) == 0x1001 &&
          rd32(0x90000 - 36) == 0x100, "vm86 frame");
    CHECK(c->seg[X86_DS].sel == 0 && !(c->seg[X86_DS].attr & X86_ATTR_P), "data segs nulled");
    CHECK(try(do_iret, &op4) == -1 && (c->rflags & X86_VM) && c->cpl == 3 && c->rip == 0x100 &&
          c->seg[X86_CS].base == 0x10010 && c->seg[X86_GS].sel == 0x1005 && c->r[X86_RSP] == 0x0ffe,
          "iret to vm86");
    /* IRET within virtual-8086 mode at IOPL 3 pops as in real mode, but
     * IOPL and VM stay (SDM Vol. 2, IRET) */
    c->r[X86_RSP] = 0x0ff0;
    uint64_t frame = c->seg[X86_SS].base + 0x0ff0;
    wr32(frame, 0x2000u << 16 | 0x0200);                /* IP, CS */
    wr32(frame + 4, X86_DF | X86_CF);                   /* FLAGS: IOPL 0, IF clear */
    unsigned op2 = 2;
    CHECK(try(do_iret, &op2) == -1 && c->rip == 0x200 && c->seg[X86_CS].base == 0x20000 &&
          c->r[X86_RSP] == 0x0ff6 && (x86_get_rflags(c) & (X86_VM | X86_IOPL | X86_IF | X86_DF |
          X86_CF)) == (X86_VM | X86_IOPL | X86_DF | X86_CF), "iret within vm86: flags %#llx",
          (unsigned long long)x86_get_rflags(c));
    /* real mode */
    reset_cpu();
    wr32(4 * 0x10, 0x12340056);
    c->seg[X86_SS] = (struct x86_seg){ 0x20000, 0xffff, 0x2000, 0x93 };
    c->r[X86_RSP] = 0x100;
    c->rip = 0x55;
    x86_set_rflags(c, 0x202 | X86_TF);
    e = (struct ev){ 0x10, X86_EV_SOFTWARE, false, 0 };
    CHECK(try(do_deliver, &e) == -1 && c->seg[X86_CS].sel == 0x1234 && c->seg[X86_CS].base == 0x12340 &&
          c->rip == 0x56 && c->r[X86_RSP] == 0xfa, "real-mode INT");
    CHECK(ram[0x200fa] == 0x55 && ram[0x200fc] == 0x00 && ram[0x200fd] == 0xf0 &&
          (ram[0x200fe] | ram[0x200ff] << 8) == (0x302), "real-mode frame");
    CHECK(!(x86_get_rflags(c) & (X86_IF | X86_TF)), "IF TF cleared");
    CHECK(try(do_iret, &op2) == -1 && c->seg[X86_CS].sel == 0xf000 && c->rip == 0x55 &&
          (x86_get_rflags(c) & X86_TF), "real-mode IRET");
}

static void do_lldt(struct x86_cpu *c, void *arg) { x86_lldt(c, *(uint16_t *)arg); }
static void do_fjmp(struct x86_cpu *c, void *arg)
{
    struct far *f = arg;
    x86_far_jmp(c, f->sel, f->off);
}

/* call gates, LDT, PDPTE #GP, real-mode far transfers */
static void test_gates(void)
{
    struct x86_cpu *c = &cpu;
    /* legacy: a 32-bit call gate (DPL 3) to DPL 0 code with 2 parameters */
    legacy_system();
    /* gate 0x30: 0x08:0x5000, 2 dwords */
    wr64(GDT + 0x30, 0x5000 | (0x08ull << 16) | (2ull << 32) | (0xecull << 40));
    /* LDT at 0xb000 with one data descriptor (DPL 3), descriptor 0x38 */
    wr64(GDT + 0x38, 0x000full | (0xb000ull << 16) | (0x82ull << 40));
    wr64(0xb000 + 8, 0x00cff3000000ffffull);
    c->gdtr = (struct x86_dtr){ GDT, 0x3f };
    uint16_t trsel = 0x28;
    CHECK(try(do_ltr, &trsel) == -1, "ltr");
    uint16_t ldt = 0x38;
    CHECK(try(do_lldt, &ldt) == -1 && c->ldtr.base == 0xb000 && c->ldtr.limit == 0xf, "lldt");
    static const struct x86_seg c3 = { 0, 0xffffffff, 0x1b, 0xc0fb };
    static const struct x86_seg d3 = { 0, 0xffffffff, 0x23, 0xc0f3 };
    x86_set_seg(c, X86_CS, &c3);
    c->seg[X86_SS] = d3;
    struct ls l = { X86_DS, 0x0f };     /* LDT index 1, RPL 3 */
    CHECK(try(do_load, &l) == -1 && c->seg[X86_DS].sel == 0x0f, "load from the LDT");
    l.sel = 0x17;                       /* LDT index 2: beyond the LDT limit */
    CHECK(try(do_load, &l) == X86_GP && c->fault_error == 0x14, "beyond LDT limit %#x", c->fault_error);
    c->r[X86_RSP] = 0x80000;
    wr32(0x80000, 0x11111111);
    wr32(0x80004, 0x22222222);
    c->rip = 0x1234;
    struct far f = { 0x33, 0, 4 };
    CHECK(try(do_fcall, &f) == -1, "call gate: %d %#x", c->fault_vector, c->fault_error);
    CHECK(c->cpl == 0 && c->rip == 0x5000 && c->seg[X86_SS].sel == 0x10 &&
          c->r[X86_RSP] == 0x90000 - 24, "inner call: esp %#llx", (unsigned long long)c->r[X86_RSP]);
    CHECK(rd32(0x90000 - 4) == 0x23 && rd32(0x90000 - 8) == 0x80000 && rd32(0x90000 - 12) == 0x22222222 &&
          rd32(0x90000 - 16) == 0x11111111 && rd32(0x90000 - 20) == 0x1b && rd32(0x90000 - 24) == 0x1234,
          "inner call frame");
    f = (struct far){ 0, 8, 4 };
    CHECK(try(do_fret, &f) == -1 && c->cpl == 3 && c->r[X86_RSP] == 0x80008 && c->rip == 0x1234 &&
          c->seg[X86_SS].sel == 0x23, "retf 8 to outer: esp %#llx", (unsigned long long)c->r[X86_RSP]);
    /* JMP through the gate to DPL 0 non-conforming code: #GP(target) */
    f = (struct far){ 0x33, 0, 0 };
    CHECK(try(do_fjmp, &f) == X86_GP && c->fault_error == 0x08, "jmp gate to inner: %#x", c->fault_error);
    /* a gate with DPL 0 from CPL 3 */
    ram[GDT + 0x35] = 0x8c;
    f = (struct far){ 0x33, 0, 4 };
    CHECK(try(do_fcall, &f) == X86_GP && c->fault_error == 0x30, "gate DPL");
    /* TSS too short for SS0:ESP0: #TS(TSS) */
    ram[GDT + 0x35] = 0xec;
    c->tr.limit = 8;
    CHECK(try(do_fcall, &f) == X86_TS && c->fault_error == 0x28, "#TS %#x", c->fault_error);

    /* long mode: a 64-bit call gate to CPL 0 */
    reset_cpu();
    long_mode_system();
    wr64(GDT + 0x50, 0x6000 | (0x08ull << 16) | (0xecull << 40));
    wr64(GDT + 0x58, 0);
    c->gdtr.limit = 0x5f;
    try(do_ltr, &trsel);
    trsel = 0x40;
    CHECK(try(do_ltr, &trsel) == -1, "ltr 64");
    x86_set_seg(c, X86_CS, &code64u);
    c->seg[X86_SS] = data64u;
    c->r[X86_RSP] = 0x200000;
    c->rip = 0x400100;
    f = (struct far){ 0x53, 0, 8 };
    CHECK(try(do_fcall, &f) == -1 && c->cpl == 0 && c->rip == 0x6000 && c->r[X86_RSP] == 0x1ff000 - 32 &&
          c->seg[X86_SS].sel == 0, "64-bit call gate: %d %#x", c->fault_vector, c->fault_error);
    CHECK(rd64(0x1ff000 - 8) == 0x33 && rd64(0x1ff000 - 16) == 0x200000 && rd64(0x1ff000 - 24) == 0x2b &&
          rd64(0x1ff000 - 32) == 0x400100, "64-bit gate frame");
    f = (struct far){ 0, 0, 8 };
    CHECK(try(do_fret, &f) == -1 && c->cpl == 3 && c->r[X86_RSP] == 0x200000 && c->rip == 0x400100,
          "retfq to CPL 3");
    wr64(GDT + 0x58, 1ull << 40);       /* upper type not 0 */
    f = (struct far){ 0x53, 0, 8 };
    CHECK(try(do_fcall, &f) == X86_GP && c->fault_error == 0x50, "upper half type");

    /* PAE: MOV CR3 with a reserved bit in a present PDPTE: #GP */
    reset_cpu();
    c->cr0 = X86_CR0_PE | X86_CR0_ET;
    c->cr4 = X86_CR4_PAE;
    wr64(0x5000, 0x6000 | P);
    CHECK(x86_pdptes_load(c, 0x5000), "pdptes");
    c->cr3 = 0x5000;
    struct crw w = { 0, X86_CR0_PE | X86_CR0_PG };
    wr64(0x5008, 0x6000 | P | RW);      /* bit 1 reserved in a PAE PDPTE */
    CHECK(try(do_cr, &w) == X86_GP && !(c->cr0 & X86_CR0_PG), "PG with a bad PDPTE");
    wr64(0x5008, 0x6000 | P);
    CHECK(try(do_cr, &w) == -1 && (c->cr0 & X86_CR0_PG), "PG");
    wr64(0x5010, 0x6000 | P | (1ull << 63));
    w = (struct crw){ 3, 0x5000 };
    CHECK(try(do_cr, &w) == X86_GP, "CR3 with a bad PDPTE");
    wr64(0x5010, 0);
    CHECK(try(do_cr, &w) == -1, "CR3");

    /* real mode far call and ret */
    reset_cpu();
    c->seg[X86_SS] = (struct x86_seg){ 0, 0xffff, 0, 0x93 };
    c->r[X86_RSP] = 0x1000;
    c->rip = 0x100;
    f = (struct far){ 0x2000, 0x30, 2 };
    CHECK(try(do_fcall, &f) == -1 && c->seg[X86_CS].base == 0x20000 && c->rip == 0x30 &&
          c->r[X86_RSP] == 0xffc && rd32(0xffc) == 0xf0000100, "real far call");
    f = (struct far){ 0, 0, 2 };
    CHECK(try(do_fret, &f) == -1 && c->seg[X86_CS].sel == 0xf000 && c->rip == 0x100 &&
          c->r[X86_RSP] == 0x1000, "real retf");
}

/* ---- code a device rewrites: what runs is what is in RAM then ---- */
static void test_device_writes_code(void)
{
    /* mov eax, 1; out 0x80, al; mov ebx, 2; hlt: the OUT's device makes
     * the next instruction mov ebx, 3, in the middle of code the CPU has
     * already run (and decoded) once */
    static const uint8_t code[] = { 0xb8, 1, 0, 0, 0, 0xe6, 0x80, 0xbb, 2, 0, 0, 0, 0xf4 };
    struct x86_cpu *c = &cpu;
    reset_cpu();
    long_mode();
    memcpy(ram + 0x10000, code, sizeof code);
    for (int pass = 0; pass < 2; pass++) {
        dma_pa = pass ? 0x10000 + 8 : 0;
        dma_byte = 3;
        c->rip = 0x10000;
        c->halted = false;
        enum x86_stop why = x86_run(c, 100);
        CHECK(why == X86_STOP_HLT, "pass %d: x86_run stopped for %d, not at the HLT", pass, why);
        CHECK(c->r[X86_RBX] == (pass ? 3u : 2u), "pass %d: rbx %#llx, not what RAM said then",
              pass, (unsigned long long)c->r[X86_RBX]);
    }
    dma_pa = 0;
}

/* The tests above as cmocka runs them: each passes when its CHECKs add
 * no failure. */
struct checked_test {
    const char *name;
    void (*fn)(void);
};

static const struct checked_test checked[] = {
    { "test_permissions_case", test_permissions },
    { "test_reserved_and_large_case", test_reserved_and_large },
    { "test_legacy_paging_case", test_legacy_paging },
    { "test_accesses_case", test_accesses },
    { "test_stack_fetch_case", test_stack_fetch },
    { "test_long_delivery_case", test_long_delivery },
    { "test_iret_case", test_iret },
    { "test_syscall_case", test_syscall },
    { "test_io_case", test_io },
    { "test_cr_msr_case", test_cr_msr },
    { "test_segments_case", test_segments },
    { "test_legacy_delivery_case", test_legacy_delivery },
    { "test_gates_case", test_gates },
    { "test_device_writes_code_case", test_device_writes_code },
};

static void run_checked(void **state)
{
    const struct checked_test *t = *state;
    int before = failures;
    t->fn();
    assert_int_equal(failures, before);
}

static int setup(void **state)
{
    ram = aligned_alloc(4096, RAM_SIZE);
    return ram ? 0 : -1;
}

static int teardown(void **state)
{
    free(ram);
    return 0;
}

int main(void)
{
    enum { N = sizeof checked / sizeof checked[0] };
    struct CMUnitTest tests[N];
    for (size_t i = 0; i < N; i++)
        tests[i] = (struct CMUnitTest){ checked[i].name, run_checked, NULL, NULL,
                                        (void *)&checked[i] };
    return cmocka_run_group_tests(tests, setup, teardown);
}
