/*
 * Data accesses of 64-bit code inline when the TLB already has them:
 * aligned, a hit on RAM, no watchpoints. Everything else (other modes, a
 * miss, MMIO, a misaligned access that may need #AC) goes to x86_read
 * and x86_write, which make every check. An aligned access stays in its
 * page, and the TLB holds only canonical pages (it is filled after the
 * canonical check), so a hit needs that check no more than the limit
 * checks 64-bit mode does not have.
 */
#ifndef HOST_CPU_INTERP_FASTMEM_H
#define HOST_CPU_INTERP_FASTMEM_H

#include <string.h>
#include "cpu/interp/sys_internal.h"

/* Host memory as little-endian values, with the size a constant in
 * each case so that the copies compile to single moves. */
static inline uint64_t x86_load_le(const uint8_t *p, unsigned size)
{
    uint16_t w;
    uint32_t d;
    uint64_t q = 0;
    switch (size) {
    case 1:
        return *p;
    case 2:
        memcpy(&w, p, 2);
        return w;
    case 4:
        memcpy(&d, p, 4);
        return d;
    case 8:
        memcpy(&q, p, 8);
        return q;
    default:
        memcpy(&q, p, size);
        return q;
    }
}

static inline void x86_store_le(uint8_t *p, uint64_t v, unsigned size)
{
    uint16_t w = (uint16_t)v;
    uint32_t d = (uint32_t)v;
    switch (size) {
    case 1:
        *p = (uint8_t)v;
        break;
    case 2:
        memcpy(p, &w, 2);
        break;
    case 4:
        memcpy(p, &d, 4);
        break;
    case 8:
        memcpy(p, &v, 8);
        break;
    default:
        memcpy(p, &v, size);
    }
}

/* The TLB entry of an aligned access of 64-bit code at seg:off that
 * can be made in place, else NULL. */
static inline const struct x86_tlb_entry *x86_fast_entry(struct x86_cpu *c, unsigned seg,
                                                         uint64_t off, unsigned size, int acc,
                                                         uint64_t *lin)
{
    if (!X86_LIKELY(c->code64))
        return NULL;
    uint64_t l = seg >= X86_FS ? off + c->seg[seg].base : off;
    const struct x86_tlb_entry *e = x86_tlb_slot(c, l, acc);
    if (X86_LIKELY(!(l & (size - 1)) && e->tag == x86_tlb_tag(c, l, acc) && e->host &&
                   !c->nwatch)) {
        *lin = l;
        return e;
    }
    return NULL;
}

static inline uint64_t x86_load(struct x86_cpu *c, unsigned seg, uint64_t off, unsigned size)
{
    uint64_t lin;
    const struct x86_tlb_entry *e = x86_fast_entry(c, seg, off, size, X86_READ, &lin);
    if (X86_LIKELY(e != NULL))
        return x86_load_le(e->host + (lin & 0xfff), size);
    return x86_read(c, (int)seg, off, size);
}

static inline void x86_store(struct x86_cpu *c, unsigned seg, uint64_t off, uint64_t v,
                             unsigned size)
{
    uint64_t lin;
    const struct x86_tlb_entry *e = x86_fast_entry(c, seg, off, size, X86_WRITE, &lin);
    if (X86_LIKELY(e != NULL)) {
        x86_code_written(c, e->host + (lin & 0xfff), size);
        x86_store_le(e->host + (lin & 0xfff), v, size);
        return;
    }
    x86_write(c, (int)seg, off, v, size);
}

#endif
