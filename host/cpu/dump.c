/* The register dump printed when the guest dies. */
#include "cpu/cpu.h"

static void seg(FILE *out, const char *name, const struct cpu_seg *s)
{
    fprintf(out, "%-3s =%04x %016llx %08x type=%x dpl=%u p=%u l=%u db=%u g=%u\n",
            name, s->selector, (unsigned long long)s->base, s->limit, s->type, s->dpl,
            s->present, s->l, s->db, s->g);
}

void cpu_dump_state(const struct cpu_state *s, FILE *out)
{
#define R(x) (unsigned long long)(x)
    fprintf(out, "RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n",
            R(s->rax), R(s->rbx), R(s->rcx), R(s->rdx));
    fprintf(out, "RSI=%016llx RDI=%016llx RBP=%016llx RSP=%016llx\n",
            R(s->rsi), R(s->rdi), R(s->rbp), R(s->rsp));
    fprintf(out, "R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n",
            R(s->r8), R(s->r9), R(s->r10), R(s->r11));
    fprintf(out, "R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n",
            R(s->r12), R(s->r13), R(s->r14), R(s->r15));
    fprintf(out, "RIP=%016llx RFL=%08llx\n", R(s->rip), R(s->rflags));
    seg(out, "CS", &s->cs);
    seg(out, "SS", &s->ss);
    seg(out, "DS", &s->ds);
    seg(out, "ES", &s->es);
    seg(out, "FS", &s->fs);
    seg(out, "GS", &s->gs);
    seg(out, "TR", &s->tr);
    fprintf(out, "GDT=%016llx %04x IDT=%016llx %04x\n", R(s->gdt_base), s->gdt_limit,
            R(s->idt_base), s->idt_limit);
    fprintf(out, "CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx EFER=%llx\n",
            R(s->cr0), R(s->cr2), R(s->cr3), R(s->cr4), R(s->efer));
#undef R
}
