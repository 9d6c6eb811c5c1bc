/*
 * Paging (SDM Vol. 3, chapter 4): accessed and dirty bits (4.8), large
 * pages (4.5), and what INVLPG and a CR3 load guarantee (4.10.4). A CPU
 * may keep a stale translation after a PTE changes without either, so
 * only the guaranteed behaviour is tested: the new mapping afterwards.
 */
#include <string.h>
#include "layout.h"
#include "sys_util.h"

BLOB(sys_rw);
BLOB(sys_invlpg);
BLOB(sys_cr3);
extern const uint8_t sys_rw_done[], sys_invlpg_done[], sys_cr3_done[];

/* a linear address in a PML4 slot of its own: its tables are fresh */
#define FAR_LIN 0x0000400000000000ull

static void fill(struct sys_test *t, uint64_t pa, uint64_t v)
{
    for (unsigned i = 0; i < 0x1000; i += 8)
        memcpy(rig_phys(t->r, pa + i), &v, 8);
}

static uint64_t entry(struct sys_test *t, uint64_t lin, int level)
{
    uint64_t *e = rig_pte(t->r, lin, level);
    return e ? *e : 0;
}

/* the processor sets A in every paging-structure entry it uses and D in
 * the entry mapping a page written to; D is not set by a read (4.8) */
static void t_accessed_dirty(struct sys_test *t)
{
    sys_begin(t, sys_rw, sys_rw_end, sys_rw);
    uint64_t rd = FAR_LIN, wr = FAR_LIN + 0x1000;
    rig_map(t->r, rd, SPARE_PA, PTE_P | PTE_RW | PTE_US);
    rig_map(t->r, wr, SPARE_PA + 0x1000, PTE_P | PTE_RW | PTE_US);
    fill(t, SPARE_PA, 0x0123456789abcdefull);
    t->in.r[X86_RBX] = rd;
    t->in.r[X86_RCX] = wr;
    t->in.r[X86_RDX] = 0x55;
    sys_run_user(t, sys_rw_done);
    if (!expect_vector(t, -1))
        return;
    expect_eq(t, "the value read", t->c->r[X86_RAX], 0x0123456789abcdefull);
    expect_eq(t, "PML4E.A", entry(t, rd, 4) & PTE_A, PTE_A);
    expect_eq(t, "PDPTE.A", entry(t, rd, 3) & PTE_A, PTE_A);
    expect_eq(t, "PDE.A", entry(t, rd, 2) & PTE_A, PTE_A);
    expect_eq(t, "PTE.A after a read", entry(t, rd, 1) & (PTE_A | PTE_D), PTE_A);
    expect_eq(t, "PTE.A|D after a write", entry(t, wr, 1) & (PTE_A | PTE_D), PTE_A | PTE_D);
    expect_eq(t, "the value written", rig_read64(t->r, SPARE_PA + 0x1000), 0x55);
}

/* a 2 MiB page: A and D in the PDE (PS = 1) */
static void t_large_2m(struct sys_test *t)
{
    sys_begin(t, sys_rw, sys_rw_end, sys_rw);
    uint64_t lin = FAR_LIN + 0x200000;
    rig_map(t->r, lin, 0, 0);           /* the tables down to the PD */
    uint64_t *pde = rig_pte(t->r, lin, 2);
    *pde = 0x200000 | PTE_P | PTE_RW | PTE_US | PTE_PS;
    uint64_t v = 0x1122334455667788ull;
    memcpy(rig_phys(t->r, 0x200000 + 0x12340), &v, 8);
    t->in.r[X86_RBX] = lin + 0x12340;
    t->in.r[X86_RCX] = lin + 0x1fff8;
    t->in.r[X86_RDX] = 0x66;
    sys_run_user(t, sys_rw_done);
    if (!expect_vector(t, -1))
        return;
    expect_eq(t, "the value read", t->c->r[X86_RAX], v);
    expect_eq(t, "the value written", rig_read64(t->r, 0x200000 + 0x1fff8), 0x66);
    expect_eq(t, "PDE.A|D", *pde & (PTE_A | PTE_D), PTE_A | PTE_D);
}

/* a 1 GiB page (CPUID.80000001H:EDX.Page1GB) */
static void t_large_1g(struct sys_test *t)
{
    uint32_t id[4];
    x86_cpuid(t->c, 0x80000001, 0, id);
    if (!(id[3] & (1u << 26))) {
        expect(t, true, "no 1 GiB pages claimed");
        return;
    }
    sys_begin(t, sys_rw, sys_rw_end, sys_rw);
    uint64_t lin = FAR_LIN + 0x40000000;
    rig_map(t->r, lin, 0, 0);
    uint64_t *pdpte = rig_pte(t->r, lin, 3);
    *pdpte = 0 | PTE_P | PTE_RW | PTE_US | PTE_PS;
    uint64_t v = 0xfedcba9876543210ull;
    memcpy(rig_phys(t->r, SPARE_PA + 0x800), &v, 8);
    t->in.r[X86_RBX] = lin + SPARE_PA + 0x800;
    t->in.r[X86_RCX] = lin + SPARE_PA + 0x808;
    t->in.r[X86_RDX] = 0x77;
    sys_run_user(t, sys_rw_done);
    if (!expect_vector(t, -1))
        return;
    expect_eq(t, "the value read", t->c->r[X86_RAX], v);
    expect_eq(t, "the value written", rig_read64(t->r, SPARE_PA + 0x808), 0x77);
    expect_eq(t, "PDPTE.A|D", *pdpte & (PTE_A | PTE_D), PTE_A | PTE_D);
}

/* the PTE of lin changes to point at another page, then INVLPG or a CR3
 * load: the next access uses the new page (4.10.4.1) */
static void remap(struct sys_test *t, const uint8_t *blob, const uint8_t *end,
                  const uint8_t *done)
{
    sys_begin(t, blob, end, blob);
    uint64_t lin = FAR_LIN + 0x5000;
    uint64_t *pte = rig_map(t->r, lin, SPARE_PA, PTE_P | PTE_RW);
    fill(t, SPARE_PA, 0x1111111111111111ull);
    fill(t, SPARE_PA + 0x1000, 0x2222222222222222ull);
    t->in.r[X86_RBX] = lin + 0x10;
    t->in.r[X86_RSI] = (uint64_t)((uint8_t *)pte - t->r->ram);   /* identity-mapped */
    t->in.r[X86_RDI] = (SPARE_PA + 0x1000) | PTE_P | PTE_RW;
    sys_run_kernel(t, done);
    if (!expect_vector(t, -1))
        return;
    expect_eq(t, "before the change", t->c->r[X86_RAX], 0x1111111111111111ull);
    expect_eq(t, "after the change", t->c->r[X86_RCX], 0x2222222222222222ull);
}

static void t_invlpg(struct sys_test *t) { remap(t, sys_invlpg, sys_invlpg_end, sys_invlpg_done); }
static void t_cr3(struct sys_test *t) { remap(t, sys_cr3, sys_cr3_end, sys_cr3_done); }

BLOB(sys_probe);
extern const uint8_t sys_probe_read[], sys_probe_write[], sys_probe_exec[], sys_probe_done[];

/* one access at CPL 3 (or 0) to lin: it faults with this error code */
static void access_pf(struct sys_test *t, const uint8_t *entry, bool user, uint64_t lin,
                      uint32_t want_error)
{
    t->in.r[X86_RBX] = lin;
    if (user)
        sys_run_user(t, sys_probe_done);
    else
        sys_run_kernel(t, sys_probe_done);
    if (expect_vector(t, X86_PF_VEC)) {
        expect_eq(t, "error code", t->o.error, want_error);
        expect_eq(t, "CR2", t->c->cr2, lin);
    }
}

/* U/S and R/W of every level count: the PDE says supervisor (4.6) */
static void t_upper_us(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_read);
    rig_map(t->r, FAR_LIN, SPARE_PA, PTE_P | PTE_RW | PTE_US);
    *rig_pte(t->r, FAR_LIN, 2) &= ~PTE_US;
    access_pf(t, sys_probe_read, true, FAR_LIN + 8, X86_PFEC_P | X86_PFEC_U);
}

static void t_upper_rw(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_write);
    rig_map(t->r, FAR_LIN, SPARE_PA, PTE_P | PTE_RW | PTE_US);
    *rig_pte(t->r, FAR_LIN, 3) &= ~PTE_RW;
    access_pf(t, sys_probe_write, true, FAR_LIN + 8, X86_PFEC_P | X86_PFEC_W | X86_PFEC_U);
}

/* with EFER.NXE clear, bit 63 of an entry is reserved (4.5, Table 4-19) */
static void t_nx_reserved(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_read);
    t->c->efer &= ~X86_EFER_NXE;
    rig_map(t->r, FAR_LIN, SPARE_PA, PTE_P | PTE_RW | PTE_US | PTE_NX);
    x86_tlb_flush(t->c);
    access_pf(t, sys_probe_read, true, FAR_LIN + 8, X86_PFEC_P | X86_PFEC_U | X86_PFEC_RSVD);
}

/* a 2 MiB PDE's bits 20:13 are reserved (Table 4-18) */
static void t_large_reserved(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_read);
    uint64_t lin = FAR_LIN + 0x200000;
    rig_map(t->r, lin, 0, 0);
    *rig_pte(t->r, lin, 2) = 0x200000 | 0x2000 | PTE_P | PTE_RW | PTE_US | PTE_PS;
    access_pf(t, sys_probe_read, true, lin + 8, X86_PFEC_P | X86_PFEC_U | X86_PFEC_RSVD);
}

/* with neither NXE nor SMEP, a fetch's #PF has no I bit (4.7) */
static void t_fetch_no_i_bit(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_exec);
    t->c->efer &= ~X86_EFER_NXE;
    /* the rig maps scratch NX: without NXE that bit is reserved */
    for (uint64_t off = 0; off < SCRATCH_SIZE; off += 0x1000)
        *rig_pte(t->r, SCRATCH_VA + off, 1) &= ~PTE_NX;
    x86_tlb_flush(t->c);
    access_pf(t, sys_probe_exec, true, FAR_LIN, X86_PFEC_U);
}

/* INVLPG drops a global translation too (4.10.4.1), and so does clearing
 * CR4.PGE; a CR3 load need not */
static void t_invlpg_global(struct sys_test *t)
{
    sys_begin(t, sys_invlpg, sys_invlpg_end, sys_invlpg);
    t->c->cr4 |= X86_CR4_PGE;
    uint64_t lin = FAR_LIN + 0x5000;
    uint64_t *pte = rig_map(t->r, lin, SPARE_PA, PTE_P | PTE_RW | 0x100);     /* G */
    fill(t, SPARE_PA, 0x3333333333333333ull);
    fill(t, SPARE_PA + 0x1000, 0x4444444444444444ull);
    t->in.r[X86_RBX] = lin;
    t->in.r[X86_RSI] = (uint64_t)((uint8_t *)pte - t->r->ram);
    t->in.r[X86_RDI] = (SPARE_PA + 0x1000) | PTE_P | PTE_RW | 0x100;
    sys_run_kernel(t, sys_invlpg_done);
    if (!expect_vector(t, -1))
        return;
    expect_eq(t, "before the change", t->c->r[X86_RAX], 0x3333333333333333ull);
    expect_eq(t, "after INVLPG", t->c->r[X86_RCX], 0x4444444444444444ull);
}

const struct sys_entry sys_paging_tests[] = {
    { "accessed and dirty bits", t_accessed_dirty },
    { "2 MiB page", t_large_2m },
    { "1 GiB page", t_large_1g },
    { "INVLPG after a PTE change", t_invlpg },
    { "CR3 load after a PTE change", t_cr3 },
    { "#PF: a supervisor PDE over a user PTE", t_upper_us },
    { "#PF: a read-only PDPTE over a writable PTE", t_upper_rw },
    { "#PF: bit 63 reserved without EFER.NXE", t_nx_reserved },
    { "#PF: reserved bits of a 2 MiB PDE", t_large_reserved },
    { "#PF: no I bit without NXE or SMEP", t_fetch_no_i_bit },
    { "INVLPG of a global page", t_invlpg_global },
    { NULL, NULL },
};
