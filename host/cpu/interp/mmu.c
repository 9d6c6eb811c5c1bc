/*
 * Linear to physical: the page walk of every paging mode (SDM Vol. 3,
 * chapter 4), its access rights and #PF, the accessed and dirty bits, and
 * the software TLB that saves walking again.
 *
 * The TLB is filled only after a walk that set the accessed bit of every
 * level (and the dirty bit, for a write entry), so a hit never touches
 * the tables. A page larger than 4 KiB is cached as the 4 KiB pieces
 * used; tlb_large then makes INVLPG flush everything, since any address
 * in a large page invalidates all of it (SDM Vol. 3, 4.10.4.1). Global
 * pages are treated as non-global: flushing more than needed is allowed.
 */
#include <string.h>

#include "cpu/interp/pte.h"
#include "cpu/interp/sys_internal.h"

uint8_t *x86_ram_ptr(const struct x86_cpu *c, uint64_t pa, uint64_t len)
{
    const struct x86_ram *r = &c->ram;
    if (pa < r->low && len <= r->low - pa)
        return r->host + pa;
    if (pa >= r->high_base && pa - r->high_base < r->high && len <= r->high - (pa - r->high_base))
        return r->host + r->low + (pa - r->high_base);
    return NULL;
}

/* Paging structures live wherever the guest put them: RAM, or the bus
 * (which answers for anything else, if only with all ones). */
static uint64_t phys_read(struct x86_cpu *c, uint64_t pa, unsigned size)
{
    uint8_t *h = x86_ram_ptr(c, pa, size);
    uint64_t v = 0;
    if (h) {
        memcpy(&v, h, size);
        return v;
    }
    if (c->bus.mem_read) {
        uint64_t v = c->bus.mem_read(c->bus.opaque, pa, size);
        x86_device_accessed(c);
        return v;
    }
    return ~0ull >> (64 - 8 * size);
}

/* A and D are in an entry's low byte: setting them writes just that, as
 * the CPU's locked update leaves the rest alone (SDM Vol. 3, 4.8). */
static void set_bits(struct x86_cpu *c, uint64_t pa, uint64_t *e, uint64_t bits)
{
    if ((*e & bits) == bits)
        return;
    *e |= bits;
    uint8_t *h = x86_ram_ptr(c, pa, 1);
    if (h) {
        x86_code_written(c, h, 1);
        *h = (uint8_t)*e;
    } else if (c->bus.mem_write) {
        c->bus.mem_write(c->bus.opaque, pa, *e & 0xff, 1);
        x86_device_accessed(c);
    }
}

/* What a walk found. */
struct walk {
    uint64_t page;      /* physical address of the 4 KiB frame of lin */
    uint64_t size;      /* of the page that maps it */
    uint64_t ent[4], ent_pa[4];     /* the entries used, the leaf last */
    int n;
    bool w, u, x;       /* writable, user, executable at every level */
    unsigned pfec;      /* when it failed: X86_PFEC_P, X86_PFEC_RSVD */
};

static void use(struct walk *w, uint64_t pa, uint64_t e)
{
    w->ent_pa[w->n] = pa;
    w->ent[w->n++] = e;
}

static bool fail(struct walk *w, unsigned pfec)
{
    w->pfec = pfec;
    return false;
}

/* 32-bit paging (SDM Vol. 3, 4.3): two levels of 4-byte entries, 4 MiB
 * pages with CR4.PSE. Without PSE-36 (CPUID says so) bits 21:13 of a 4 MiB
 * PDE are reserved. No XD. */
static bool walk32(struct x86_cpu *c, uint64_t lin, struct walk *w)
{
    uint32_t l = (uint32_t)lin;
    uint64_t pa = (c->cr3 & 0xfffff000u) | ((l >> 22) << 2);
    uint64_t e = phys_read(c, pa, 4);
    if (!(e & PTE_P))
        return fail(w, 0);
    w->w = e & PTE_RW;
    w->u = e & PTE_US;
    w->x = true;
    w->n = 0;
    if ((e & PTE_PS) && (c->cr4 & X86_CR4_PSE)) {
        if (e & 0x003fe000u)
            return fail(w, X86_PFEC_P | X86_PFEC_RSVD);
        w->size = 4ull << 20;
        w->page = (e & 0xffc00000u) | (l & 0x003ff000u);
        use(w, pa, e);
        return true;
    }
    use(w, pa, e);
    pa = (e & 0xfffff000u) | (((l >> 12) & 0x3ff) << 2);
    e = phys_read(c, pa, 4);
    if (!(e & PTE_P))
        return fail(w, 0);
    w->w = w->w && (e & PTE_RW);
    w->u = w->u && (e & PTE_US);
    w->size = 4096;
    w->page = e & 0xfffff000u;
    use(w, pa, e);
    return true;
}

/* PAE paging (SDM Vol. 3, 4.4; from a PDPTE register) and 4-level paging
 * (4.5; from CR3): 8-byte entries, 9 bits of the address a level. */
static bool walk64(struct x86_cpu *c, uint64_t lin, struct walk *w)
{
    bool lm = c->efer & X86_EFER_LMA;
    uint64_t table, rsvd = X86_PHYS_RSVD;
    int level;

    if (!(c->efer & X86_EFER_NXE))
        rsvd |= PTE_XD;
    if (lm) {
        table = c->cr3 & PTE_ADDR & ~X86_PHYS_RSVD;
        level = 4;
    } else {
        /* PAE reserves bits 62:MAXPHYADDR, not only 51:MAXPHYADDR */
        rsvd |= 0x7ff0000000000000ull;
        uint64_t pdpte = c->pdpte[(lin >> 30) & 3];
        if (!(pdpte & PTE_P))
            return fail(w, 0);
        table = pdpte & PTE_ADDR;
        level = 2;
    }
    w->w = w->u = w->x = true;
    w->n = 0;
    for (;; level--) {
        unsigned shift = 12 + 9 * (unsigned)(level - 1);
        uint64_t pa = table | (((lin >> shift) & 511) << 3);
        uint64_t e = phys_read(c, pa, 8);
        if (!(e & PTE_P))
            return fail(w, 0);
        bool leaf = level == 1 || (level <= 3 && (e & PTE_PS));
        uint64_t r = rsvd;
        if (level == 4)
            r |= PTE_PS;
        else if (leaf && level == 3)
            r |= 0x3fffe000ull;         /* 1 GiB page: bits 29:13 */
        else if (leaf && level == 2)
            r |= 0x001fe000ull;         /* 2 MiB page: bits 20:13 */
        if (e & r)
            return fail(w, X86_PFEC_P | X86_PFEC_RSVD);
        w->w = w->w && (e & PTE_RW);
        w->u = w->u && (e & PTE_US);
        w->x = w->x && !(e & PTE_XD);
        use(w, pa, e);
        if (leaf) {
            w->size = 1ull << shift;
            w->page = (e & PTE_ADDR & ~(w->size - 1)) | (lin & (w->size - 1) & ~0xfffull);
            return true;
        }
        table = e & PTE_ADDR;
    }
}

static bool walk(struct x86_cpu *c, uint64_t lin, struct walk *w)
{
    if (c->cr4 & X86_CR4_PAE)
        return walk64(c, lin, w);
    return walk32(c, lin, w);
}

/* Access rights (SDM Vol. 3, 4.6): 0 if allowed, else the #PF error code's
 * P bit (the rest is added by page_fault). */
static unsigned denied(const struct x86_cpu *c, const struct walk *w, int acc)
{
    int kind = acc & 3;
    if (x86_user_access(c, acc)) {
        if (!w->u || (kind == X86_WRITE && !w->w) || (kind == X86_EXEC && !w->x))
            return X86_PFEC_P;
        return 0;
    }
    if (kind == X86_WRITE && !w->w && (c->cr0 & X86_CR0_WP))
        return X86_PFEC_P;
    if (kind == X86_EXEC && (!w->x || (w->u && (c->cr4 & X86_CR4_SMEP))))
        return X86_PFEC_P;
    return 0;
}

/* #PF with CR2 = the linear address (SDM Vol. 3, 4.7). The I bit is only
 * reported where fetches can be refused: SMEP, or PAE-format paging with
 * EFER.NXE. */
static _Noreturn void page_fault(struct x86_cpu *c, uint64_t lin, int acc, unsigned pfec)
{
    int kind = acc & 3;
    if (kind == X86_WRITE)
        pfec |= X86_PFEC_W;
    if (x86_user_access(c, acc))
        pfec |= X86_PFEC_U;
    if (kind == X86_EXEC && ((c->cr4 & X86_CR4_SMEP) ||
                             ((c->cr4 & X86_CR4_PAE) && (c->efer & X86_EFER_NXE))))
        pfec |= X86_PFEC_I;
    c->cr2 = lin;
    x86_fault(c, X86_PF_VEC, pfec);
}

static void fill(struct x86_cpu *c, struct x86_tlb_entry *e, uint64_t tag, uint64_t page)
{
    e->tag = tag;
    e->pa = page;
    e->host = x86_ram_ptr(c, page, 4096);
}

struct x86_tlb_entry *x86_tlb_fill(struct x86_cpu *c, uint64_t lin, int acc)
{
    uint64_t tag = x86_tlb_tag(c, lin, acc);
    unsigned idx = (lin >> 12) & (X86_TLB_SIZE - 1);

    /* Only the sets the access uses get the entry (a write's also goes
     * to reads): filling all three would let data accesses push the code
     * page out of the exec set, and every fetch after them walk again. */
    int kind = acc & 3;
    if (!(c->cr0 & X86_CR0_PG)) {
        uint64_t page = lin & ~0xfffull;
        if (kind != X86_EXEC)
            fill(c, &c->tlb_read[idx], tag, page);
        if (kind == X86_WRITE)
            fill(c, &c->tlb_write[idx], tag, page);
        if (kind == X86_EXEC)
            fill(c, &c->tlb_exec[idx], tag, page);
        return x86_tlb_slot(c, lin, acc);
    }

    struct walk w;
    if (!walk(c, lin, &w))
        page_fault(c, lin, acc, w.pfec);
    unsigned pfec = denied(c, &w, acc);
    if (pfec)
        page_fault(c, lin, acc, pfec);
    /* A in every entry used, D in the leaf for a write: only for an
     * access that is allowed (as KVM's walker does; the SDM leaves open
     * whether a faulting translation sets them) */
    int leaf = w.n - 1;
    for (int i = 0; i < leaf; i++)
        set_bits(c, w.ent_pa[i], &w.ent[i], PTE_A);
    set_bits(c, w.ent_pa[leaf], &w.ent[leaf], (acc & 3) == X86_WRITE ? PTE_A | PTE_D : PTE_A);

    /* The entries for the kinds of access that may use them now: A is
     * set, and D for a write entry (SDM Vol. 3, 4.8). */
    int sys = acc & X86_SYS;
    if (kind != X86_EXEC && !denied(c, &w, X86_READ | sys))
        fill(c, &c->tlb_read[idx], tag, w.page);
    if (kind == X86_WRITE)
        fill(c, &c->tlb_write[idx], tag, w.page);
    if (kind == X86_EXEC)
        fill(c, &c->tlb_exec[idx], tag, w.page);
    if (w.size > 4096)
        c->tlb_large = true;
    return x86_tlb_slot(c, lin, acc);
}

uint64_t x86_translate(struct x86_cpu *c, uint64_t lin, int acc)
{
    return x86_tlb_get(c, lin, acc)->pa | (lin & 0xfff);
}

bool x86_translate_peek(struct x86_cpu *c, uint64_t lin, uint64_t *pa)
{
    if (!(c->cr0 & X86_CR0_PG)) {
        *pa = lin;
        return true;
    }
    if ((c->efer & X86_EFER_LMA) ? !x86_is_canonical(lin) : lin > 0xffffffffull)
        return false;
    struct walk w;
    if (!walk(c, lin, &w))
        return false;
    *pa = w.page | (lin & 0xfff);
    return true;
}

void x86_tlb_flush(struct x86_cpu *c)
{
    for (unsigned i = 0; i < X86_TLB_SIZE; i++)
        c->tlb_read[i].tag = c->tlb_write[i].tag = c->tlb_exec[i].tag = 0;
    c->tlb_large = false;
}

void x86_tlb_flush_page(struct x86_cpu *c, uint64_t lin)
{
    if (c->tlb_large) {
        x86_tlb_flush(c);
        return;
    }
    unsigned i = (lin >> 12) & (X86_TLB_SIZE - 1);
    uint64_t page = lin & ~0xfffull;
    struct x86_tlb_entry *sets[3] = { c->tlb_read, c->tlb_write, c->tlb_exec };
    for (int k = 0; k < 3; k++)
        if ((sets[k][i].tag & ~0xfffull) == page)
            sets[k][i].tag = 0;
}

bool x86_pdptes_load(struct x86_cpu *c, uint64_t cr3)
{
    /* reserved: bits 2:1, 8:5 and 63:MAXPHYADDR (SDM Vol. 3, Table 4-8) */
    const uint64_t rsvd = 0x1e6ull | ~((1ull << X86_PHYS_BITS) - 1);
    uint64_t e[4];
    for (int i = 0; i < 4; i++) {
        e[i] = phys_read(c, (cr3 & 0xffffffe0u) + 8 * (unsigned)i, 8);
        if ((e[i] & PTE_P) && (e[i] & rsvd))
            return false;
    }
    memcpy(c->pdpte, e, sizeof e);
    return true;
}
