/*
 * A single step that the hypervisor diverted into the guest.
 *
 * This host's KVM (PVM) runs guest code at CPL 3 natively and hands the
 * trap flag's #DB straight to the guest's handler instead of exiting to
 * pcemu, whose step then ends one instruction into that handler. When a
 * step ends at CPL 0 at the start of the IDT's #DB handler, having run
 * one push on the stack the CPU switched to from CPL 3 (the step began
 * there, or was an iretq that went back there), the step is undone: the CPU's
 * frame is read where it must be (the top of TSS.RSP0, or the gate's
 * IST stack), and the vcpu goes back to the state it holds, trap flag
 * clear: after exactly the one instruction gdb asked for.
 */
#include <string.h>
#include "core/memory.h"
#include "debug/gdb_step.h"
#include "machine.h"

static bool read_va(struct machine *m, const struct cpu_state *s, uint64_t va, void *buf,
                    size_t len)
{
    uint64_t pa;
    return cpu_translate(m, s, va, &pa) && as_ram_read(&m->mem_as, pa, buf, len);
}

/* A segment register's hidden part, from the GDT the state points at. */
static bool load_seg(struct machine *m, const struct cpu_state *s, uint16_t sel,
                     struct cpu_seg *seg)
{
    uint64_t d;
    if ((sel & ~7u) == 0 || (sel | 7u) > s->gdt_limit ||
        !read_va(m, s, s->gdt_base + (sel & ~7u), &d, 8))
        return false;
    *seg = (struct cpu_seg){
        .base = (d >> 16 & 0xffffff) | (d >> 56 & 0xff) << 24,
        .limit = (uint32_t)((d & 0xffff) | (d >> 48 & 0xf) << 16),
        .selector = sel, .type = (uint8_t)(d >> 40 & 0xf), .s = (uint8_t)(d >> 44 & 1),
        .dpl = (uint8_t)(d >> 45 & 3), .present = (uint8_t)(d >> 47 & 1),
        .avl = (uint8_t)(d >> 52 & 1), .l = (uint8_t)(d >> 53 & 1),
        .db = (uint8_t)(d >> 54 & 1), .g = (uint8_t)(d >> 55 & 1),
    };
    if (seg->g)
        seg->limit = seg->limit << 12 | 0xfff;
    return seg->present;
}

/* A push of a register or an immediate: all a stub may have done. */
static bool is_push(const uint8_t *ip)
{
    if (ip[0] == 0x41)
        ip++;                                   /* REX.B: r8-r15 */
    return ip[0] == 0x6a || ip[0] == 0x68 || (ip[0] >= 0x50 && ip[0] <= 0x57);
}

bool gdb_undo_diverted_step(struct machine *m)
{
    struct cpu_state s;
    if (m->cpu_ops->get_state(m->cpu, &s) < 0 || (s.cs.selector & 3) != 0)
        return false;
    uint8_t gate[16];
    if (s.idt_limit < 2 * 16 - 1 || !read_va(m, &s, s.idt_base + 16, gate, sizeof gate))
        return false;
    uint64_t entry = (uint64_t)(gate[0] | gate[1] << 8) | (uint64_t)(gate[6] | gate[7] << 8) << 16 |
                     (uint64_t)(gate[8] | gate[9] << 8 | gate[10] << 16 | (uint32_t)gate[11] << 24)
                         << 32;
    uint8_t first[3];
    if (s.rip <= entry || s.rip > entry + 5 || !read_va(m, &s, entry, first, sizeof first) ||
        !is_push(first))
        return false;
    /* where the CPU put its frame: IST or RSP0, aligned down to 16 */
    unsigned ist = gate[4] & 7;
    uint64_t top;
    if (!read_va(m, &s, s.tr.base + (ist ? 36 + 8 * (ist - 1) : 4), &top, 8))
        return false;
    top &= ~15ull;
    /* the #DB came from CPL 3 only if the CPU switched to that stack and
     * the stub has pushed once on it since: a frame found there for any
     * other reason is an older trap's */
    uint64_t f[5];                              /* RIP, CS, RFLAGS, RSP, SS */
    if (s.rsp != top - 40 - 8 || !read_va(m, &s, top - 40, f, sizeof f) || (f[1] & 3) != 3)
        return false;
    struct cpu_state back = s;
    if (!load_seg(m, &s, (uint16_t)f[1], &back.cs) || !load_seg(m, &s, (uint16_t)f[4], &back.ss))
        return false;
    back.rip = f[0];
    back.rflags = f[2] & ~0x100ull;             /* TF: the step is over */
    back.rsp = f[3];
    return m->cpu_ops->set_state(m->cpu, &back) == 0;
}
