/* Encoding for the random generator: operands, prefixes, ModR/M, SIB,
 * displacements and immediates (SDM Vol. 2, chapter 2). */
#include <string.h>
#include "gen_internal.h"

unsigned gen_pick(struct gen *s, unsigned n)
{
    return rng_below(s->g, n);
}

bool gen_chance(struct gen *s, unsigned percent)
{
    return gen_pick(s, 100) < percent;
}

void gen_put(struct enc *e, uint8_t byte)
{
    if (e->n < sizeof e->b)
        e->b[e->n++] = byte;
}

void gen_put_le(struct enc *e, uint64_t v, unsigned len)
{
    for (unsigned i = 0; i < len; i++)
        gen_put(e, (uint8_t)(v >> (8 * i)));
}

/* flags a condition code reads (SDM Vol. 1, Appendix B) */
uint64_t gen_cc_uses(unsigned cc)
{
    static const uint64_t f[8] = { OF, CF, ZF, CF | ZF, SF, PF, SF | OF, ZF | SF | OF };
    return f[cc >> 1];
}

int gen_dst(struct gen *s)
{
    for (;;) {
        int r = (int)gen_pick(s, 16);
        if (r != 4 && r != PTR_REG)
            return r;
    }
}

int gen_src(struct gen *s)
{
    return (int)gen_pick(s, 16);
}

unsigned gen_size(struct gen *s, bool byte_ok)
{
    static const unsigned sizes[4] = { 1, 2, 4, 8 };
    for (;;) {
        unsigned z = sizes[gen_pick(s, 4)];
        if (z != 1 || byte_ok)
            return z;
    }
}

/* a memory operand into scratch */
struct rm gen_mem(struct gen *s, unsigned size)
{
    struct rm m = { .mem = true };
    m.kind = (int)gen_pick(s, 5);
    switch (m.kind) {
    case 0:                             /* [r15 + disp8] */
    case 4:                             /* a32 [r15d + disp8] */
        m.disp = (int32_t)gen_pick(s, 256) - 128;
        m.a32 = m.kind == 4;
        break;
    case 1:                             /* [r15 + disp32] */
        m.disp = (int32_t)gen_pick(s, 0xe00) - 0x700;
        break;
    case 2:                             /* [disp32] */
        m.disp = (int32_t)(SCRATCH_VA + gen_pick(s, (unsigned)SCRATCH_SIZE - 16));
        break;
    case 3:                             /* [rip + disp32] */
        m.target = SCRATCH_VA + gen_pick(s, (unsigned)SCRATCH_SIZE - 16);
        break;
    }
    (void)size;
    return m;
}

struct rm gen_rm(struct gen *s, unsigned size, bool dst)
{
    if (gen_chance(s, 40))
        return gen_mem(s, size);
    return (struct rm){ .reg = dst ? gen_dst(s) : gen_src(s) };
}

/* 8-bit register codes 4-7 mean AH..BH without a REX prefix and SPL..DIL
 * with one: whether the instruction gets REX, and that no destination is
 * SPL (RSP) */
bool gen_byte_regs_ok(bool rex, int dst)
{
    return !(rex && dst == 4) && dst != PTR_REG;
}

/* A destination r/m and whether the instruction gets REX: a byte
 * register r8-r15 needs it, memory and the others take it at random;
 * false when the pick cannot be encoded (gen_byte_regs_ok). */
bool gen_rm_dst(struct gen *s, unsigned size, struct rm *rm, bool *rex)
{
    *rm = gen_rm(s, size, true);
    *rex = size == 1 && ((!rm->mem && rm->reg >= 8) || rm->mem || gen_chance(s, 30));
    return !(size == 1 && !rm->mem && !gen_byte_regs_ok(*rex, rm->reg));
}

/*
 * Emits one instruction: [67] [66] [mandatory prefix] [REX] opcode ModR/M
 * [SIB] [disp] [imm]. size picks 66 (2) or REX.W (8); force_rex emits a
 * REX even with no bit set (byte registers SPL..DIL and R8B..).
 */
void gen_emit(struct gen *s, uint8_t mandatory, unsigned size, bool force_rex,
                 const uint8_t *op, unsigned oplen, int regfield, const struct rm *rm,
                 uint64_t imm, unsigned immlen)
{
    struct enc *e = s->e;
    if (gen_chance(s, 5)) {                 /* a segment prefix 64-bit mode ignores */
        static const uint8_t seg[4] = { 0x26, 0x2e, 0x36, 0x3e };
        gen_put(e, seg[gen_pick(s, 4)]);
    }
    if (rm && rm->mem && rm->a32)
        gen_put(e, 0x67);
    if (size == 2)
        gen_put(e, 0x66);
    if (mandatory)
        gen_put(e, mandatory);
    uint8_t rex = 0x40;
    if (size == 8)
        rex |= 8;
    if (regfield >= 8)
        rex |= 4;
    if (rm && !rm->mem && rm->reg >= 8)
        rex |= 1;
    if (rm && rm->mem && (rm->kind == 0 || rm->kind == 1 || rm->kind == 4))
        rex |= 1;                       /* base r15 */
    if (rex != 0x40 || force_rex)
        gen_put(e, rex);
    for (unsigned i = 0; i < oplen; i++)
        gen_put(e, op[i]);
    if (!rm) {
        gen_put_le(e, imm, immlen);
        return;
    }
    uint8_t reg = (uint8_t)((regfield & 7) << 3);
    unsigned disp_at = 0;
    if (!rm->mem) {
        gen_put(e, 0xc0 | reg | (rm->reg & 7));
    } else {
        switch (rm->kind) {
        case 0:
        case 4:
            gen_put(e, 0x40 | reg | 7);
            gen_put(e, (uint8_t)rm->disp);
            break;
        case 1:
            gen_put(e, 0x80 | reg | 7);
            gen_put_le(e, (uint32_t)rm->disp, 4);
            break;
        case 2:
            gen_put(e, 0x04 | reg);
            gen_put(e, 0x25);                   /* SIB: no base, no index */
            gen_put_le(e, (uint32_t)rm->disp, 4);
            break;
        case 3:
            gen_put(e, 0x05 | reg);
            disp_at = e->n;
            gen_put_le(e, 0, 4);
            break;
        }
    }
    gen_put_le(e, imm, immlen);
    if (disp_at) {
        int64_t d = (int64_t)rm->target - (int64_t)(CODE_VA + e->n);
        uint32_t d32 = (uint32_t)d;
        memcpy(e->b + disp_at, &d32, 4);
    }
}

uint64_t gen_imm(struct gen *s)
{
    return edge_value(s->g);
}

void gen_fx(struct gen *s, uint64_t uses, uint64_t defs, uint64_t undef)
{
    s->fx = (struct fx){ uses, defs, undef };
}
