/*
 * Random instruction sequences: 1 to 6 instructions drawn from templates
 * (an opcode form with random operand size, registers, addressing and
 * immediates), run on random inputs on the host and on the interpreter.
 *
 * Registers: any may be a source; RSP and R15 are never destinations.
 * R15 points into scratch memory (set by a MOV before the sequence, which
 * leaves the flags alone) and is the base of most memory operands; the
 * others are absolute disp32 and RIP-relative ones into scratch.
 *
 * Flags: each template says which flags it reads, which it defines and
 * which it leaves undefined (SDM Vol. 2, each instruction's "Flags
 * Affected"). A template that would read a flag an earlier instruction
 * left undefined is drawn again; the flags still undefined at the end
 * are not compared. Where a count decides (shifts by CL), nothing is
 * taken as defined.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gen.h"
#include "gen_internal.h"
#include "need.h"
#include "pair.h"
#include "report.h"

/* Builds a sequence; returns the flags undefined at its end. */
static uint64_t generate(struct gen *s)
{
    unsigned total = 0;
    for (unsigned i = 0; i < gen_ntemplates; i++)
        total += gen_templates[i].weight;
    struct enc *e = s->e;
    e->n = 0;
    e->count = 0;
    /* mov r15, PTR_VALUE: no flag changes */
    gen_put(e, 0x49);
    gen_put(e, 0xbf);
    gen_put_le(e, PTR_VALUE, 8);

    uint64_t undef = 0;
    unsigned want = 1 + gen_pick(s, 6);
    for (unsigned tries = 0; e->count < want && tries < 200; tries++) {
        unsigned w = gen_pick(s, total), t = 0;
        while (w >= gen_templates[t].weight)
            w -= gen_templates[t++].weight;
        unsigned at = e->n;
        memset(&s->fx, 0, sizeof s->fx);
        if (!gen_templates[t].fn(s) || (s->fx.uses & undef) || e->n > sizeof e->b - 32) {
            e->n = at;
            continue;
        }
        e->starts[e->count++] = at;
        undef = (undef & ~s->fx.defs) | s->fx.undef;
    }
    return undef;
}

static void format_bytes(char *buf, size_t n, const struct enc *e)
{
    size_t k = 0;
    unsigned next = 0;
    for (unsigned i = 0; i < e->n && k + 4 < n; i++) {
        if (next < e->count && e->starts[next] == i) {
            k += (size_t)snprintf(buf + k, n - k, "%s", i ? " |" : "|");
            next++;
        }
        k += (size_t)snprintf(buf + k, n - k, " %02x", e->b[i]);
    }
}

void gen_run(struct rig *r, uint64_t seed, unsigned count)
{
    static uint8_t scratch[SCRATCH_SIZE];
    static struct enc e;
    char msg[2048], regs[512], bytes[800], name[64];
    uint32_t features = host_features() & interp_features(r);
    bool host_only = getenv("CPU_TEST_HOST") && *getenv("CPU_TEST_HOST") == '1';
    unsigned shown = 0, failed = 0;
    for (unsigned i = 0; i < count; i++) {
        snprintf(name, sizeof name, "random #%u", i);
        if (!selected(name))
            continue;
        struct rng g = { seed_for(seed, "random", i) };
        struct gen s = { .g = &g, .e = &e, .features = features };
        uint64_t undef = generate(&s);
        struct cpu_state in;
        pair_inputs(&g, &in, scratch);
        pair_load(r, e.b, e.n);
        if (host_only) {
            format_bytes(bytes, sizeof bytes, &e);
            printf("%s:%s\n", name, bytes);
            pair_host_dump(name, &in, scratch);
            continue;
        }
        if (pair_run(r, &in, scratch, undef, msg, sizeof msg)) {
            pass();
            continue;
        }
        failed++;
        if (shown++ < 20 || report_verbose) {
            format_bytes(bytes, sizeof bytes, &e);
            format_regs(regs, sizeof regs, &in);
            fail(name, "(seed %#llx, CPU_TEST_ONLY='%s', flags not compared %#llx) code%s:%s in: %s",
                 (unsigned long long)seed, name, (unsigned long long)undef, bytes, msg, regs);
        } else {
            report_failed++;
        }
    }
    if (failed > shown)
        printf("note random: %u of %u sequences failed (%u shown; CPU_TEST_VERBOSE=1 shows all)\n",
               failed, count, shown);
}
