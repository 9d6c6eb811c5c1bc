/* Device writes against the debugger's watchpoints (dma_watch.h). */
#include "debug/dma_watch.h"
#include "debug/gdbstub.h"
#include "machine.h"

int dma_watch_hit(const struct cpu_debug *dbg, int slots, uint64_t pa, size_t len,
                  bool (*translate)(void *opaque, uint64_t va, uint64_t *pa), void *opaque)
{
    for (int i = 0; i < slots && i < CPU_MAX_BPS; i++) {
        const struct cpu_hw_bp *h = &dbg->hw[i];
        uint64_t wpa;
        /* a DMA write is a write: write and access watchpoints see it */
        if (!h->on || (h->kind != CPU_BP_WRITE && h->kind != CPU_BP_ACCESS) ||
            !translate(opaque, h->addr, &wpa))
            continue;
        if (wpa < pa + len && pa < wpa + h->len)
            return i;
    }
    return -1;
}

struct at {
    struct machine *m;
    struct cpu_state s;
};

static bool translate(void *opaque, uint64_t va, uint64_t *pa)
{
    struct at *a = opaque;
    return cpu_translate(a->m, &a->s, va, pa);
}

static bool any_write_watch(const struct cpu_debug *dbg, int slots)
{
    for (int i = 0; i < slots && i < CPU_MAX_BPS; i++)
        if (dbg->hw[i].on && (dbg->hw[i].kind == CPU_BP_WRITE ||
                              dbg->hw[i].kind == CPU_BP_ACCESS))
            return true;
    return false;
}

void dma_watch_written(void *opaque, uint64_t pa, size_t len)
{
    struct machine *m = opaque;
    const struct cpu_debug *dbg = m->gdb ? gdbstub_watching(m->gdb) : NULL;
    int slots = m->cpu_ops ? m->cpu_ops->hw_bps : 0;
    /* (a paused machine has already stopped for the debugger) */
    if (!dbg || m->paused || !m->cpu || !any_write_watch(dbg, slots))
        return;
    struct at a = { m, { 0 } };
    if (m->cpu_ops->get_state(m->cpu, &a.s) < 0)
        return;
    int i = dma_watch_hit(dbg, slots, pa, len, translate, &a);
    if (i < 0)
        return;
    struct cpu_debug_exit e = { .vector = 1, .pc = a.s.rip, .dr6 = 1ull << i };
    machine_debug_exit(m, &e);
}
