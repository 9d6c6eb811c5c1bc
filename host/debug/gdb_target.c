/*
 * The x86-64 target description gdb reads through qXfer:features:read,
 * and the register file in the order it lists them. The system feature
 * gives gdb the control registers ($cr0, $cr3, $efer...) too.
 */
#include <string.h>
#include "debug/gdb_target.h"

const char gdb_target_xml[] =
"<?xml version=\"1.0\"?>\n"
"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
"<target version=\"1.0\">\n"
"<architecture>i386:x86-64</architecture>\n"
"<feature name=\"org.gnu.gdb.i386.core\">\n"
"<flags id=\"i386_eflags\" size=\"4\">\n"
" <field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n"
" <field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n"
" <field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n"
" <field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n"
" <field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n"
" <field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n"
" <field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n"
" <field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
" <field name=\"ID\" start=\"21\" end=\"21\"/>\n"
"</flags>\n"
"<reg name=\"rax\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
"<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
"<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>\n"
"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
"<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n"
"<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>\n"
"<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
"<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>\n"
"<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
"<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>\n"
"<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
"<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>\n"
"<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
"<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>\n"
"<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
"<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>\n"
"<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
"<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>\n"
"<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
"<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
"<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
"<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
"<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
"<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
"<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
"<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
"<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
"</feature>\n"
"<feature name=\"org.gnu.gdb.i386.sse\">\n"
"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
"<union id=\"vec128\">\n"
" <field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>\n"
" <field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>\n"
" <field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>\n"
" <field name=\"uint128\" type=\"uint128\"/>\n"
"</union>\n"
"<reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm2\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm3\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm5\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm8\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm10\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm12\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm13\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>\n"
"<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\"/>\n"
"</feature>\n"
"<feature name=\"org.gnu.gdb.i386.segments\">\n"
"<reg name=\"fs_base\" bitsize=\"64\" type=\"int\"/>\n"
"<reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>\n"
"</feature>\n"
"<feature name=\"org.pcemu.x86.sys\">\n"
"<reg name=\"cr0\" bitsize=\"64\" type=\"int64\" group=\"system\"/>\n"
"<reg name=\"cr2\" bitsize=\"64\" type=\"int64\" group=\"system\"/>\n"
"<reg name=\"cr3\" bitsize=\"64\" type=\"int64\" group=\"system\"/>\n"
"<reg name=\"cr4\" bitsize=\"64\" type=\"int64\" group=\"system\"/>\n"
"<reg name=\"efer\" bitsize=\"64\" type=\"int64\" group=\"system\"/>\n"
"</feature>\n"
"</target>\n";

const size_t gdb_target_xml_len = sizeof gdb_target_xml - 1;

/* Register sizes in bytes, in the description's order. */
static unsigned reg_size(int n)
{
    if (n < 17) return 8;                    /* rax..r15, rip */
    if (n < 24) return 4;                    /* eflags, cs..gs */
    if (n < 32) return 10;                   /* st0..st7 */
    if (n < 40) return 4;                    /* fctrl..fop */
    if (n < 56) return 16;                   /* xmm0..xmm15 */
    if (n == 56) return 4;                   /* mxcsr */
    return 8;                                /* fs_base, gs_base, cr0..efer */
}

static void *reg_ptr(struct cpu_state *s, struct cpu_fpu *f, int n, uint32_t *tmp)
{
    uint64_t *gpr[] = { &s->rax, &s->rbx, &s->rcx, &s->rdx, &s->rsi, &s->rdi, &s->rbp,
                        &s->rsp, &s->r8, &s->r9, &s->r10, &s->r11, &s->r12, &s->r13,
                        &s->r14, &s->r15, &s->rip };
    struct cpu_seg *seg[] = { &s->cs, &s->ss, &s->ds, &s->es, &s->fs, &s->gs };
    uint32_t *fpr[] = { &f->fctrl, &f->fstat, &f->ftag, &f->fiseg, &f->fioff, &f->foseg,
                        &f->fooff, &f->fop };
    uint64_t *sys[] = { &s->fs.base, &s->gs.base, &s->cr0, &s->cr2, &s->cr3, &s->cr4,
                        &s->efer };
    if (n < 17) return gpr[n];
    if (n == 17) { *tmp = (uint32_t)s->rflags; return tmp; }
    if (n < 24) { *tmp = seg[n - 18]->selector; return tmp; }
    if (n < 32) return f->st[n - 24];
    if (n < 40) return fpr[n - 32];
    if (n < 56) return f->xmm[n - 40];
    if (n == 56) return &f->mxcsr;
    return sys[n - 57];
}

size_t gdb_regs_get(const struct cpu_state *s, const struct cpu_fpu *f, int n, uint8_t *out)
{
    if (n < 0 || n >= GDB_NUM_REGS)
        return 0;
    uint32_t tmp;
    unsigned size = reg_size(n);
    memcpy(out, reg_ptr((struct cpu_state *)s, (struct cpu_fpu *)f, n, &tmp), size);
    return size;
}

size_t gdb_regs_set(struct cpu_state *s, struct cpu_fpu *f, int n, const uint8_t *in)
{
    if (n < 0 || n >= GDB_NUM_REGS)
        return 0;
    unsigned size = reg_size(n);
    uint32_t tmp;
    if (n == 17) {
        memcpy(&tmp, in, 4);
        s->rflags = tmp | 0x2;      /* bit 1 always reads one */
    } else if (n >= 18 && n < 24) {
        /* Selectors alone cannot change a cached descriptor safely:
         * writes to them are ignored. */
    } else {
        memcpy(reg_ptr(s, f, n, &tmp), in, size);
    }
    return size;
}

size_t gdb_regs_size(int n)
{
    return n >= 0 && n < GDB_NUM_REGS ? reg_size(n) : 0;
}
