/*
 * The interpreter set up as a 64-bit kernel would leave it (see rig.h),
 * with every system structure written into guest RAM by hand: the tests
 * then see the interpreter walk them as the CPU would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "layout.h"
#include "rig.h"

static void log_event(struct rig *r, enum bus_kind kind, uint64_t addr, uint64_t value,
                      unsigned size)
{
    if (r->nlog < RIG_LOG_MAX)
        r->log[r->nlog] = (struct bus_event){ kind, addr, value, size };
    r->nlog++;
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* A read answers the value the test set, and is logged with it. */
static uint64_t logged_read(struct rig *r, enum bus_kind kind, uint64_t addr, uint64_t value,
                            unsigned size)
{
    uint64_t v = value & size_mask(size);
    log_event(r, kind, addr, v, size);
    return v;
}

static uint64_t bus_mem_read(void *opaque, uint64_t pa, unsigned size)
{
    struct rig *r = opaque;
    return logged_read(r, BUS_MEM_READ, pa, r->mem_read_value, size);
}

static void bus_mem_write(void *opaque, uint64_t pa, uint64_t value, unsigned size)
{
    log_event(opaque, BUS_MEM_WRITE, pa, value, size);
}

static uint64_t bus_io_in(void *opaque, uint16_t port, unsigned size)
{
    struct rig *r = opaque;
    return logged_read(r, BUS_IO_IN, port, r->io_in_value, size);
}

static void bus_io_out(void *opaque, uint16_t port, uint64_t value, unsigned size)
{
    log_event(opaque, BUS_IO_OUT, port, value, size);
}

static void bus_unknown(void *opaque, uint64_t rip, const uint8_t *bytes, unsigned n)
{
    struct rig *r = opaque;
    r->unknown++;
    r->unknown_rip = rip;
    r->unknown_n = n > sizeof r->unknown_bytes ? sizeof r->unknown_bytes : n;
    memcpy(r->unknown_bytes, bytes, r->unknown_n);
}

void rig_init(struct rig *r)
{
    memset(r, 0, sizeof *r);
    r->c = calloc(1, sizeof *r->c);
    r->ram = calloc(1, RAM_SIZE);
    if (!r->c || !r->ram) {
        fprintf(stderr, "cpu: out of memory\n");
        exit(2);
    }
    r->xram = (struct x86_ram){ .host = r->ram, .low = RAM_SIZE };
    r->bus = (struct x86_bus){
        .opaque = r, .mem_read = bus_mem_read, .mem_write = bus_mem_write,
        .io_in = bus_io_in, .io_out = bus_io_out, .unknown = bus_unknown,
    };
}

void rig_free(struct rig *r)
{
    free(r->c);
    free(r->ram);
}

void *rig_phys(struct rig *r, uint64_t pa)
{
    return r->ram + pa;
}

uint64_t rig_read64(struct rig *r, uint64_t pa)
{
    uint64_t v;
    memcpy(&v, r->ram + pa, 8);
    return v;
}

static void write64(struct rig *r, uint64_t pa, uint64_t v)
{
    memcpy(r->ram + pa, &v, 8);
}

static uint64_t pt_alloc(struct rig *r)
{
    if (r->pt_used >= PT_POOL_PAGES) {
        fprintf(stderr, "cpu: rig page table pool exhausted\n");
        exit(2);
    }
    uint64_t pa = PT_POOL + 0x1000ull * r->pt_used++;
    memset(r->ram + pa, 0, 0x1000);
    return pa;
}

/* level 4: the PML4 entry ... level 1: the PTE */
uint64_t *rig_pte(struct rig *r, uint64_t lin, int level)
{
    uint64_t table = r->c->cr3 & 0x000ffffffffff000ull;
    for (int l = 4; ; l--) {
        uint64_t *e = (uint64_t *)(r->ram + table) + ((lin >> (12 + 9 * (l - 1))) & 511);
        if (l == level)
            return e;
        if (!(*e & PTE_P) || (*e & PTE_PS))
            return NULL;
        table = *e & 0x000ffffffffff000ull;
        if (table >= RAM_SIZE)
            return NULL;
    }
}

uint64_t *rig_map(struct rig *r, uint64_t lin, uint64_t pa, uint64_t flags)
{
    uint64_t table = r->c->cr3 & 0x000ffffffffff000ull;
    for (int l = 4; l > 1; l--) {
        uint64_t *e = (uint64_t *)(r->ram + table) + ((lin >> (12 + 9 * (l - 1))) & 511);
        if (!(*e & PTE_P))
            *e = pt_alloc(r) | PTE_P | PTE_RW | PTE_US;
        table = *e & 0x000ffffffffff000ull;
    }
    uint64_t *pte = (uint64_t *)(r->ram + table) + ((lin >> 12) & 511);
    *pte = pa | flags;
    return pte;
}

/* a code or data segment descriptor (SDM Vol. 3, 3.4.5) from its attr */
static uint64_t seg_desc(uint16_t attr)
{
    return 0xffffull | (0xfull << 48) | ((uint64_t)attr << 40);
}

void rig_set_gate(struct rig *r, int vector, uint64_t handler, int dpl, int ist)
{
    /* 64-bit interrupt gate (SDM Vol. 3, 6.14.1) */
    uint64_t lo = (handler & 0xffff) | ((uint64_t)SEL_KCODE << 16) | ((uint64_t)ist << 32) |
                  (0x8eull << 40) | ((uint64_t)dpl << 45) | ((handler >> 16 & 0xffff) << 48);
    write64(r, IDT_PA + 16 * vector, lo);
    write64(r, IDT_PA + 16 * vector + 8, handler >> 32);
}

bool vector_has_error(int vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 ||
           vector == 29 || vector == 30;
}

static struct x86_seg seg(uint16_t sel, uint16_t attr)
{
    return (struct x86_seg){ .base = 0, .limit = 0xffffffff, .sel = sel, .attr = attr };
}

/* attr values: type | S | DPL | P | L/DB | G */
#define ATTR_KCODE   0xa09b     /* 64-bit code, DPL 0 */
#define ATTR_KCODE32 0xc09b
#define ATTR_KDATA   0xc093
#define ATTR_UCODE   0xa0fb
#define ATTR_UCODE32 0xc0fb
#define ATTR_UDATA   0xc0f3

void rig_reset(struct rig *r)
{
    struct x86_cpu *c = r->c;
    x86_init(c, &r->xram, &r->bus);
    r->nlog = 0;
    r->unknown = 0;
    memset(&r->frame, 0, sizeof r->frame);

    /* page tables: the kernel's first 2 MiB identity-mapped (page 0 left
     * out), the user's code and scratch at their linear addresses */
    r->pt_used = 0;
    c->cr3 = pt_alloc(r);
    for (uint64_t pa = 0x1000; pa < 0x200000; pa += 0x1000)
        rig_map(r, pa, pa, PTE_P | PTE_RW);
    for (uint64_t off = 0; off < CODE_SIZE; off += 0x1000)
        rig_map(r, CODE_VA + off, CODE_PA + off, PTE_P | PTE_RW | PTE_US);
    for (uint64_t off = 0; off < SCRATCH_SIZE; off += 0x1000)
        rig_map(r, SCRATCH_VA + off, SCRATCH_PA + off, PTE_P | PTE_RW | PTE_US | PTE_NX);

    /* GDT: Linux's layout (layout.h) */
    memset(r->ram + GDT_PA, 0, 0x1000);
    write64(r, GDT_PA + SEL_KCODE32, seg_desc(ATTR_KCODE32));
    write64(r, GDT_PA + SEL_KCODE, seg_desc(ATTR_KCODE));
    write64(r, GDT_PA + SEL_KDATA, seg_desc(ATTR_KDATA));
    write64(r, GDT_PA + (SEL_UCODE32 & ~3), seg_desc(ATTR_UCODE32));
    write64(r, GDT_PA + (SEL_UDATA & ~3), seg_desc(ATTR_UDATA));
    write64(r, GDT_PA + (SEL_UCODE & ~3), seg_desc(ATTR_UCODE));
    /* 64-bit TSS descriptor, busy (SDM Vol. 3, 8.2.3); limit 0x67: the
     * I/O bitmap base lies past it, so every port is refused at CPL 3 */
    uint64_t tss_lo = 0x67 | ((TSS_PA & 0xffffff) << 16) | (0x8bull << 40) |
                      ((TSS_PA >> 24 & 0xff) << 56);
    write64(r, GDT_PA + SEL_TSS, tss_lo);
    write64(r, GDT_PA + SEL_TSS + 8, TSS_PA >> 32);

    /* TSS (SDM Vol. 3, 8.7): RSP0, IST1, the I/O map base */
    memset(r->ram + TSS_PA, 0, 0x4000);
    write64(r, TSS_PA + 4, KSTACK_TOP);
    write64(r, TSS_PA + 36, ISTACK_TOP);
    uint16_t iomap = TSS_IOMAP_OFF;
    memcpy(r->ram + TSS_PA + 102, &iomap, 2);

    /* IDT: every vector to its own HLT stub; INT3 and INTO reachable from
     * CPL 3 as Linux has them; #DF on IST1 */
    memset(r->ram + IDT_PA, 0, 0x1000);
    for (int v = 0; v < 256; v++) {
        uint8_t *stub = r->ram + STUBS_PA + STUB_SIZE * v;
        memset(stub, 0xcc, STUB_SIZE);
        stub[0] = 0xf4;                 /* hlt */
        stub[1] = 0xeb;                 /* jmp back to it */
        stub[2] = 0xfd;
        rig_set_gate(r, v, STUBS_PA + STUB_SIZE * v, v == 3 || v == 4 ? 3 : 0,
                     v == X86_DF_VEC ? 1 : 0);
    }
    memset(r->ram + KSTACK_TOP - 0x8000, 0, 0x8000);
    memset(r->ram + ISTACK_TOP - 0x4000, 0, 0x4000);

    /* long mode as an OS leaves it */
    c->cr0 = RIG_CR0;
    c->cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;   /* as Linux sets it */
    c->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE | X86_EFER_SCE;
    c->gdtr = (struct x86_dtr){ GDT_PA, 0x4f };
    c->idtr = (struct x86_dtr){ IDT_PA, 0xfff };
    c->tr = (struct x86_seg){ .base = TSS_PA, .limit = 0x67, .sel = SEL_TSS, .attr = 0x8b };
    c->ldtr = (struct x86_seg){ 0 };
    struct x86_seg null = { 0 };
    struct x86_seg kcode = seg(SEL_KCODE, ATTR_KCODE), kdata = seg(SEL_KDATA, ATTR_KDATA);
    x86_set_seg(c, X86_CS, &kcode);
    x86_set_seg(c, X86_SS, &kdata);
    x86_set_seg(c, X86_DS, &null);
    x86_set_seg(c, X86_ES, &null);
    x86_set_seg(c, X86_FS, &null);
    x86_set_seg(c, X86_GS, &null);
    x86_update_mode(c);
    memset(c->r, 0, sizeof c->r);
    x86_set_rflags(c, 0x2);
    c->rip = 0;
    x86_tlb_flush(c);
}

void rig_enter_kernel(struct rig *r, const struct cpu_state *s)
{
    struct x86_cpu *c = r->c;
    memcpy(c->r, s->r, sizeof c->r);
    c->rip = s->rip;
    x86_set_rflags(c, s->rflags | 2);
}

void rig_enter_user(struct rig *r, const struct cpu_state *s)
{
    struct x86_cpu *c = r->c;
    /* DS, ES, FS and GS null, as a 64-bit Linux process has them */
    struct x86_seg ucode = seg(SEL_UCODE, ATTR_UCODE), udata = seg(SEL_UDATA, ATTR_UDATA);
    x86_set_seg(c, X86_CS, &ucode);
    x86_set_seg(c, X86_SS, &udata);
    x86_update_mode(c);
    memcpy(c->r, s->r, sizeof c->r);
    c->rip = s->rip;
    x86_set_rflags(c, X86_IF | 2 | (s->rflags & (X86_ARITH_FLAGS | X86_DF)));
}

void rig_run(struct rig *r, uint64_t stop_at, uint64_t budget, struct outcome *o)
{
    struct x86_cpu *c = r->c;
    c->nbreak = 1;
    c->breakpoints[0] = stop_at;
    /* port I/O and the like come back with X86_STOP_REQUEST so that the
     * machine can look at its devices: carry on, as the machine would */
    uint64_t start = c->icount;
    enum x86_stop why;
    int rounds = 0;
    do
        why = x86_run(c, budget - (c->icount - start));
    while (why == X86_STOP_REQUEST && c->icount - start < budget && ++rounds < 100000);
    c->nbreak = 0;

    memset(o, 0, sizeof *o);
    memcpy(o->s.r, c->r, sizeof o->s.r);
    o->s.rip = c->rip;
    o->s.rflags = x86_get_rflags(c);
    o->vector = -1;
    if (why == X86_STOP_DEBUG && c->rip == stop_at)
        return;
    if (why == X86_STOP_HLT && c->rip >= STUBS_PA && c->rip < STUBS_PA + 256 * STUB_SIZE) {
        int v = (int)((c->rip - STUBS_PA) / STUB_SIZE);
        struct frame *f = &r->frame;
        uint64_t sp = c->r[X86_RSP];
        f->rsp_after = sp;
        f->has_error = vector_has_error(v);
        if (sp < 0x1000 || sp + 48 > RAM_SIZE) {
            o->other = "exception with the handler's RSP outside RAM";
            return;
        }
        if (f->has_error) {
            f->error = rig_read64(r, sp);
            sp += 8;
        }
        f->rip = rig_read64(r, sp);
        f->cs = rig_read64(r, sp + 8);
        f->rflags = rig_read64(r, sp + 16);
        f->rsp = rig_read64(r, sp + 24);
        f->ss = rig_read64(r, sp + 32);
        o->vector = v;
        o->error = (uint32_t)f->error;
        o->cr2 = c->cr2;
        o->s.r[X86_RSP] = f->rsp;
        o->s.rip = f->rip;
        o->s.rflags = f->rflags;
        return;
    }
    static char buf[128];
    switch (why) {
    case X86_STOP_BUDGET: o->other = "ran out of its instruction budget"; break;
    case X86_STOP_REQUEST: o->other = "stopped on request"; break;
    case X86_STOP_SHUTDOWN: o->other = "shut down (triple fault)"; break;
    case X86_STOP_HLT:
        snprintf(buf, sizeof buf, "halted at %#llx", (unsigned long long)c->rip);
        o->other = buf;
        break;
    case X86_STOP_DEBUG:
        snprintf(buf, sizeof buf, "debug stop (vector %d) at %#llx", c->debug_vector,
                 (unsigned long long)c->rip);
        o->other = buf;
        break;
    default: o->other = "unknown stop reason"; break;
    }
}
