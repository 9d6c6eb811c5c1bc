/*
 * The random sequence generator's parts (gen.c drives, gen_emit.c
 * encodes, gen_templates.c has the instruction templates).
 */
#ifndef TESTS_CPU_GEN_INTERNAL_H
#define TESTS_CPU_GEN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "layout.h"
#include "values.h"

#define CF 0x001ull
#define PF 0x004ull
#define AF 0x010ull
#define ZF 0x040ull
#define SF 0x080ull
#define OF 0x800ull
#define ALLF (CF | PF | AF | ZF | SF | OF)

#define PTR_REG 15                      /* r15: the scratch pointer */
#define PTR_VALUE (SCRATCH_VA + 0x800)

struct enc {
    uint8_t b[256];
    unsigned n;
    unsigned starts[16];                /* where each instruction begins */
    unsigned count;
};

/* flag effects of one instruction */
struct fx {
    uint64_t uses, defs, undef;
};

/* a ModR/M r/m operand */
struct rm {
    bool mem;
    int reg;                            /* !mem: register 0-15 */
    int kind;                           /* mem: see emit_rm */
    int32_t disp;
    uint64_t target;                    /* RIP-relative: the address */
    bool a32;                           /* address size 32 (67) */
};

struct gen {
    struct rng *g;
    struct enc *e;
    struct fx fx;
    uint32_t features;                  /* NEED_* both sides have */
};

struct template {
    bool (*fn)(struct gen *);
    unsigned weight;
};
extern const struct template gen_templates[];
extern const unsigned gen_ntemplates;

unsigned gen_pick(struct gen *s, unsigned n);
bool gen_chance(struct gen *s, unsigned percent);
void gen_put(struct enc *e, uint8_t byte);
void gen_put_le(struct enc *e, uint64_t v, unsigned len);
/* flags a condition code reads (SDM Vol. 1, Appendix B) */
uint64_t gen_cc_uses(unsigned cc);
/* registers: a destination is never RSP or the scratch pointer */
int gen_dst(struct gen *s);
int gen_src(struct gen *s);
unsigned gen_size(struct gen *s, bool byte_ok);
/* a memory operand into scratch, or (40%) a register */
struct rm gen_mem(struct gen *s, unsigned size);
struct rm gen_rm(struct gen *s, unsigned size, bool dst);
bool gen_byte_regs_ok(bool rex, int dst);
bool gen_rm_dst(struct gen *s, unsigned size, struct rm *rm, bool *rex);
void gen_emit(struct gen *s, uint8_t mandatory, unsigned size, bool force_rex, const uint8_t *op,
          unsigned oplen, int regfield, const struct rm *rm, uint64_t imm, unsigned immlen);
uint64_t gen_imm(struct gen *s);
void gen_fx(struct gen *s, uint64_t uses, uint64_t defs, uint64_t undef);

#endif
