/*
 * Port I/O and MMIO: the TSS I/O permission bitmap (SDM Vol. 1, 19.5),
 * IOPL, and what reaches the bus callbacks: every port access with its
 * port, width and value, every access outside RAM with its physical
 * address and width, split at page boundaries into pieces at their own
 * physical addresses.
 */
#include <stdio.h>
#include <string.h>
#include "layout.h"
#include "sys_util.h"

BLOB(sys_probe);
BLOB(sys_io);
BLOB(sys_mmio);
extern const uint8_t sys_probe_write[], sys_probe_exec[], sys_probe_inb[], sys_probe_inw[], sys_probe_ind[], sys_probe_outb[],
    sys_probe_outd[], sys_probe_inb_imm[], sys_probe_done[], sys_io_done[], sys_mmio_done[],
    sys_mmio_straddle[];

#define IOMAP (TSS_PA + TSS_IOMAP_OFF)

/* a TSS with a full bitmap (all refused) and its 0xff byte, within the
 * limit; the ports in allow[] permitted */
static void bitmap(struct sys_test *t, const uint16_t *allow, unsigned n, uint32_t limit)
{
    memset(rig_phys(t->r, IOMAP), 0xff, 0x2001);
    for (unsigned i = 0; i < n; i++)
        *(uint8_t *)rig_phys(t->r, IOMAP + allow[i] / 8) &= (uint8_t)~(1u << (allow[i] % 8));
    t->c->tr.limit = limit;
}

#define FULL_LIMIT (TSS_IOMAP_OFF + 0x2000)     /* the 0xff byte is the last */

/* one port access at CPL 3, IOPL 0: allowed (reaches the bus) or #GP(0) */
static void port(struct sys_test *t, const uint8_t *entry, uint16_t dx, bool allowed)
{
    sys_begin(t, sys_probe, sys_probe_end, entry);
    static const uint16_t allow[] = { 0x80, 0x81, 0x82, 0x83, 0x3fc, 0x3fd, 0x3fe, 0x3ff,
                                      0x400, 0x401, 0xfff8 };
    bitmap(t, allow, sizeof allow / sizeof allow[0], FULL_LIMIT);
    t->in.r[X86_RDX] = dx;
    t->in.r[X86_RAX] = 0x12345678;
    sys_run_user(t, sys_probe_done);
    if (allowed) {
        if (expect_vector(t, -1))
            expect_eq(t, "bus accesses", (uint64_t)t->r->nlog, 1);
    } else if (expect_vector(t, X86_GP)) {
        expect_eq(t, "error code", t->o.error, 0);
        expect_eq(t, "bus accesses", (uint64_t)t->r->nlog, 0);
    }
}

static void t_io_imm_allowed(struct sys_test *t) { port(t, sys_probe_inb_imm, 0, true); }
static void t_io_byte_refused(struct sys_test *t) { port(t, sys_probe_inb, 0x84, false); }
static void t_io_dword_allowed(struct sys_test *t) { port(t, sys_probe_ind, 0x80, true); }
static void t_io_dword_partly(struct sys_test *t) { port(t, sys_probe_ind, 0x81, false); }
static void t_io_word_below(struct sys_test *t) { port(t, sys_probe_inw, 0x7f, false); }
/* ports 0x3fe-0x401: their bits straddle two bitmap bytes; 0x3ff-0x402
 * too, and 0x402's bit (in the second byte) is set */
static void t_io_straddle(struct sys_test *t) { port(t, sys_probe_outd, 0x3fe, true); }
static void t_io_straddle_refused(struct sys_test *t) { port(t, sys_probe_outd, 0x3ff, false); }

/* the CPU reads two bitmap bytes for every check: both must lie within
 * the TSS limit, the byte after the one holding the port's bit too
 * (SDM Vol. 1, 19.5.2: hence the 0xff byte after the map) */
static void t_io_two_bytes(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_outb);
    static const uint16_t allow[] = { 0x80 };
    bitmap(t, allow, 1, TSS_IOMAP_OFF + 0x80 / 8);      /* byte 0x10 is the last */
    t->in.r[X86_RDX] = 0x80;
    sys_run_user(t, sys_probe_done);
    if (expect_vector(t, X86_GP))
        expect_eq(t, "bus accesses", (uint64_t)t->r->nlog, 0);
}

/* a bitmap base at or past the limit: no bitmap, everything refused */
static void t_io_no_bitmap(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_inb);
    memset(rig_phys(t->r, IOMAP), 0, 0x2001);
    t->in.r[X86_RDX] = 0x80;
    sys_run_user(t, sys_probe_done);
    expect_vector(t, X86_GP);
}

/* CPL <= IOPL: no bitmap check (SDM Vol. 1, 19.5.1) */
static void t_io_iopl3(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_ind);
    t->in.r[X86_RDX] = 0x84;
    rig_enter_user(t->r, &(struct cpu_state){ .rip = t->in.rip, .r[X86_RSP] = STACK_TOP,
                                              .r[X86_RDX] = 0x84 });
    x86_set_rflags(t->c, x86_get_rflags(t->c) | X86_IOPL);
    rig_run(t->r, sys_va(t, sys_probe_done), 100, &t->o);
    if (expect_vector(t, -1))
        expect_eq(t, "bus accesses", (uint64_t)t->r->nlog, 1);
}

static void expect_bus(struct sys_test *t, int i, enum bus_kind kind, uint64_t addr,
                       unsigned size, uint64_t value, bool check_value)
{
    static const char *const kinds[] = { "mem read", "mem write", "in", "out" };
    if (i >= t->r->nlog || i >= RIG_LOG_MAX) {
        expect(t, false, "bus access %d (%s %#llx, size %u) missing", i, kinds[kind],
               (unsigned long long)addr, size);
        return;
    }
    const struct bus_event *e = &t->r->log[i];
    expect(t, e->kind == kind && e->addr == addr && e->size == size &&
              (!check_value || e->value == value),
           "bus access %d: got %s %#llx size %u value %#llx, want %s %#llx size %u value %#llx", i,
           kinds[e->kind], (unsigned long long)e->addr, e->size, (unsigned long long)e->value,
           kinds[kind], (unsigned long long)addr, size, (unsigned long long)value);
}

/* every form of IN/OUT at CPL 0, and the string forms with REP */
static void t_io_bus(struct sys_test *t)
{
    sys_begin(t, sys_io, sys_io_end, sys_io);
    t->r->io_in_value = 0xa1b2c3d4e5f60718ull;
    sys_run_kernel(t, sys_io_done);
    if (!expect_vector(t, -1))
        return;
    expect_bus(t, 0, BUS_IO_OUT, 0x80, 1, 0x12, true);
    expect_bus(t, 1, BUS_IO_OUT, 0x70, 2, 0x3456, true);
    expect_bus(t, 2, BUS_IO_OUT, 0x3f8, 4, 0x789abcde, true);
    expect_bus(t, 3, BUS_IO_IN, 0x61, 1, 0, false);
    expect_bus(t, 4, BUS_IO_IN, 0xcfc, 2, 0, false);
    expect_bus(t, 5, BUS_IO_IN, 0xcfc, 4, 0, false);
    expect_bus(t, 6, BUS_IO_OUT, 0x3f8, 1, 0x11, true);
    expect_bus(t, 7, BUS_IO_OUT, 0x3f8, 1, 0x22, true);
    expect_bus(t, 8, BUS_IO_OUT, 0x3f8, 1, 0x33, true);
    expect_bus(t, 9, BUS_IO_IN, 0x1f0, 2, 0, false);
    expect_bus(t, 10, BUS_IO_IN, 0x1f0, 2, 0, false);
    expect_eq(t, "bus accesses", (uint64_t)t->r->nlog, 11);
    struct x86_cpu *c = t->c;
    /* IN AL keeps the rest of RAX; IN EAX zero-extends */
    expect_eq(t, "in al", c->r[X86_R8], 0x789abc18);
    expect_eq(t, "in ax", c->r[X86_R9] & 0xffff, 0x0718);
    expect_eq(t, "in eax", c->r[X86_R10], 0xe5f60718);
    expect_eq(t, "rep insw stored", rig_read64(t->r, SCRATCH_PA + 0x10) & 0xffffffff, 0x07180718);
    expect_eq(t, "rep insw: rdi", c->r[X86_RDI], SCRATCH_VA + 0x14);
    expect_eq(t, "rep outsb: rsi", c->r[X86_RSI], SCRATCH_VA + 3);
    expect_eq(t, "rcx", c->r[X86_RCX], 0);
}

/* MMIO at CPL 0: aligned accesses arrive whole; a store across a page
 * boundary arrives as pieces, each within its page at its own physical
 * address (the next linear page maps to another physical page) */
static void t_mmio(struct sys_test *t)
{
    sys_begin(t, sys_mmio, sys_mmio_end, sys_mmio);
    uint64_t lin = 0x10040000, pa2 = MMIO_PA + 0x5000;
    rig_map(t->r, lin, MMIO_PA, PTE_P | PTE_RW);
    rig_map(t->r, lin + 0x1000, pa2, PTE_P | PTE_RW);
    t->r->mem_read_value = 0x0102030405060708ull;
    t->in.r[X86_RBX] = lin;
    sys_run_kernel(t, sys_mmio_done);
    if (!expect_vector(t, -1))
        return;
    struct x86_cpu *c = t->c;
    expect_bus(t, 0, BUS_MEM_WRITE, MMIO_PA, 1, 0x11, true);
    expect_bus(t, 1, BUS_MEM_WRITE, MMIO_PA + 2, 2, 0x2233, true);
    expect_bus(t, 2, BUS_MEM_WRITE, MMIO_PA + 4, 4, 0x44556677, true);
    expect_bus(t, 3, BUS_MEM_WRITE, MMIO_PA + 8, 8, 0x8877665544332211ull, true);
    expect_bus(t, 4, BUS_MEM_READ, MMIO_PA + 0x10, 1, 0, false);
    expect_bus(t, 5, BUS_MEM_READ, MMIO_PA + 0x12, 2, 0, false);
    expect_bus(t, 6, BUS_MEM_READ, MMIO_PA + 0x14, 4, 0, false);
    expect_bus(t, 7, BUS_MEM_READ, MMIO_PA + 0x18, 8, 0, false);
    expect_eq(t, "byte read", c->r[X86_R9], 0x08);
    expect_eq(t, "word read", c->r[X86_R10], 0x0708);
    expect_eq(t, "dword read", c->r[X86_R11], 0x05060708);
    expect_eq(t, "qword read", c->r[X86_R12], 0x0102030405060708ull);

    /* the straddling store (0xaabbccdd at page offset 0xfff) and load (8
     * bytes at 0xffc): rebuild both from the pieces the bus saw */
    uint8_t wrote[4] = { 0 }, want[4] = { 0xdd, 0xcc, 0xbb, 0xaa };
    unsigned wrote_n = 0, read_n = 0;
    uint8_t read[8] = { 0 };
    bool pieces_ok = true;
    for (int i = 8; i < t->r->nlog && i < RIG_LOG_MAX; i++) {
        const struct bus_event *e = &t->r->log[i];
        /* each piece within one page, at the physical address its
         * linear address maps to */
        uint64_t lo = e->addr, hi = e->addr + e->size - 1;
        bool first = lo >= MMIO_PA && hi <= MMIO_PA + 0xfff;
        bool second = lo >= pa2 && hi <= pa2 + 0xfff;
        if (!first && !second)
            pieces_ok = false;
        for (unsigned b = 0; b < e->size; b++) {
            uint64_t a = e->addr + b;
            uint8_t v = (uint8_t)(e->value >> (8 * b));
            int64_t off = a >= pa2 ? (int64_t)(a - pa2) + 0x1000 : (int64_t)(a - MMIO_PA);
            if (e->kind == BUS_MEM_WRITE && off >= 0xfff && off < 0x1003) {
                wrote[off - 0xfff] = v;
                wrote_n++;
            } else if (e->kind == BUS_MEM_READ && off >= 0xffc && off < 0x1004) {
                read[off - 0xffc] = v;
                read_n++;
            } else {
                pieces_ok = false;
            }
        }
    }
    expect(t, pieces_ok, "every piece of the straddling accesses within its page, at the "
                         "physical address of its linear page");
    expect(t, wrote_n == 4 && !memcmp(wrote, want, 4),
           "the straddling store's bytes: %u written, %02x %02x %02x %02x (want dd cc bb aa at "
           "%#llx, %#llx..)", wrote_n, wrote[0], wrote[1], wrote[2], wrote[3],
           (unsigned long long)(MMIO_PA + 0xfff), (unsigned long long)pa2);
    uint64_t composed;
    memcpy(&composed, read, 8);
    expect(t, read_n == 8, "the straddling load read 8 bytes from the bus (got %u)", read_n);
    expect_eq(t, "the straddling load's value (the pieces the bus returned)", c->r[X86_R13],
              composed);
}

/* a store half in RAM, half in MMIO: the RAM half lands in RAM, the other
 * reaches the bus at the MMIO page's first bytes */
static void t_mmio_ram_straddle(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_write);
    uint64_t lin = 0x10040000;
    rig_map(t->r, lin, SPARE_PA, PTE_P | PTE_RW);
    rig_map(t->r, lin + 0x1000, MMIO_PA, PTE_P | PTE_RW);
    t->in.r[X86_RBX] = lin + 0xffc;
    t->in.r[X86_RAX] = 0x8877665544332211ull;
    sys_run_kernel(t, sys_probe_done);
    if (!expect_vector(t, -1))
        return;
    uint32_t ram;
    memcpy(&ram, rig_phys(t->r, SPARE_PA + 0xffc), 4);
    expect_eq(t, "the RAM half", ram, 0x44332211);
    uint8_t got[4] = { 0 };
    unsigned n = 0;
    bool ok = true;
    for (int i = 0; i < t->r->nlog && i < RIG_LOG_MAX; i++) {
        const struct bus_event *e = &t->r->log[i];
        for (unsigned b = 0; b < e->size; b++) {
            uint64_t a = e->addr + b;
            if (e->kind != BUS_MEM_WRITE || a < MMIO_PA || a >= MMIO_PA + 4) {
                ok = false;
            } else {
                got[a - MMIO_PA] = (uint8_t)(e->value >> (8 * b));
                n++;
            }
        }
    }
    uint8_t want[4] = { 0x55, 0x66, 0x77, 0x88 };
    expect(t, ok && n == 4 && !memcmp(got, want, 4),
           "the MMIO half: 4 bytes 55 66 77 88 written at %#llx (got %u bytes%s)",
           (unsigned long long)MMIO_PA, n, ok ? "" : ", and others");
}

/* code fetched from outside RAM comes through the bus (ROM, say): HLT
 * bytes at an MMIO page, called at CPL 0 */
static void t_mmio_fetch(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_exec);
    uint64_t lin = 0x10040000;
    rig_map(t->r, lin, MMIO_PA, PTE_P | PTE_RW);
    t->r->mem_read_value = 0xf4f4f4f4f4f4f4f4ull;
    t->in.r[X86_RBX] = lin + 0x10;
    sys_run_kernel(t, sys_probe_done);
    expect(t, t->o.other && t->c->halted && t->c->rip == lin + 0x11,
           "HLT fetched from the bus at %#llx ran (rip %#llx, %s)",
           (unsigned long long)(lin + 0x10), (unsigned long long)t->c->rip,
           t->o.other ? t->o.other : "no stop");
    bool fetched = false;
    for (int i = 0; i < t->r->nlog && i < RIG_LOG_MAX; i++)
        if (t->r->log[i].kind == BUS_MEM_READ && t->r->log[i].addr <= MMIO_PA + 0x10 &&
            t->r->log[i].addr + t->r->log[i].size > MMIO_PA + 0x10)
            fetched = true;
    expect(t, fetched, "a bus read covering %#llx", (unsigned long long)(MMIO_PA + 0x10));
}

const struct sys_entry sys_io_tests[] = {
    { "I/O bitmap: IN AL, imm8 allowed", t_io_imm_allowed },
    { "I/O bitmap: IN AL, DX refused", t_io_byte_refused },
    { "I/O bitmap: IN EAX, DX allowed (4 bits)", t_io_dword_allowed },
    { "I/O bitmap: IN EAX, DX refused (one of 4 bits set)", t_io_dword_partly },
    { "I/O bitmap: IN AX, DX refused (first bit set)", t_io_word_below },
    { "I/O bitmap: OUT DX, EAX across two bitmap bytes", t_io_straddle },
    { "I/O bitmap: OUT DX, EAX across two bytes, refused", t_io_straddle_refused },
    { "I/O bitmap: the second byte read must be within the limit", t_io_two_bytes },
    { "I/O bitmap: none within the TSS limit", t_io_no_bitmap },
    { "I/O: IOPL 3 at CPL 3 skips the bitmap", t_io_iopl3 },
    { "port I/O reaches the bus", t_io_bus },
    { "MMIO reaches the bus", t_mmio },
    { "a store across RAM and MMIO", t_mmio_ram_straddle },
    { "code fetched through the bus", t_mmio_fetch },
    { NULL, NULL },
};
