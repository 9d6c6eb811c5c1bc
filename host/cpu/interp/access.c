/*
 * Memory accesses as an instruction makes them: segmentation (SDM Vol. 3,
 * 5.3; in 64-bit mode only FS/GS bases and the canonical check, 3.4.4),
 * then paging through the software TLB, then RAM through its host
 * pointer or the bus with the access's exact physical address and width.
 *
 * An access that crosses a page is translated on both pages before either
 * is performed, so a #PF on the second leaves memory untouched; a part
 * that is not RAM goes to the bus as its own access(es), never widened.
 */
#include <string.h>

#include "cpu/interp/fastmem.h"

/* ---- segmentation ---- */

static _Noreturn void seg_fault(struct x86_cpu *c, int vec, uint32_t err)
{
    x86_fault(c, vec, err);
}

uint64_t x86_seg_linear(struct x86_cpu *c, const struct x86_seg *s, uint64_t off, unsigned size,
                        int acc, int vec, uint32_t err)
{
    unsigned type = s->attr & X86_ATTR_TYPE;

    /* Real and virtual-8086 mode check limits (the cache may hold any,
     * "unreal" mode) but not types or null selectors. */
    if ((c->cr0 & X86_CR0_PE) && !(c->rflags & X86_VM)) {
        if (X86_RARE(!(s->attr & X86_ATTR_P)))
            seg_fault(c, vec, err);             /* null selector */
        if (acc & X86_WRITE) {
            if ((type & X86_TYPE_CODE) || !(type & X86_TYPE_W))
                seg_fault(c, vec, err);
        } else if (!(acc & X86_EXEC)) {
            if ((type & (X86_TYPE_CODE | X86_TYPE_R)) == X86_TYPE_CODE)
                seg_fault(c, vec, err);         /* execute-only code */
        }
    }
    uint64_t last = off + size - 1;
    if ((type & (X86_TYPE_CODE | X86_TYPE_E)) == X86_TYPE_E) {
        /* expand-down: valid offsets are limit+1 .. 0xffff or 0xffffffff */
        uint64_t upper = (s->attr & X86_ATTR_DB) ? 0xffffffffull : 0xffffull;
        if (off <= s->limit || last > upper || last < off)
            seg_fault(c, vec, err);
    } else if (last > s->limit || last < off) {
        seg_fault(c, vec, err);
    }
    return (s->base + off) & 0xffffffffull;
}

/* Alignment checking (SDM Vol. 3, 6.15, interrupt 17): with CR0.AM and
 * RFLAGS.AC set, a CPL 3 data access of a word, dword or quadword at an
 * address that is not a multiple of its size raises #AC(0). Only a
 * misaligned access gets as far as looking at the three conditions. */
static inline void alignment_check(struct x86_cpu *c, uint64_t lin, unsigned size)
{
    if (X86_RARE(lin & (size - 1)) && (size == 2 || size == 4 || size == 8) && c->cpl == 3 &&
        (c->cr0 & X86_CR0_AM) && (c->rflags & X86_AC))
        x86_fault(c, X86_AC_VEC, 0);
}

/* The linear address of seg:off for an access of size bytes. */
static inline uint64_t linear(struct x86_cpu *c, int seg, uint64_t off, unsigned size, int acc)
{
    uint64_t lin;
    if (X86_LIKELY(c->code64)) {
        lin = off + (seg >= X86_FS ? c->seg[seg].base : 0);
        /* every byte must be canonical: #SS for the stack, else #GP */
        if (X86_RARE(!x86_is_canonical(lin) || !x86_is_canonical(lin + size - 1)))
            seg_fault(c, seg == X86_SS ? X86_SS_VEC : X86_GP, 0);
    } else {
        lin = x86_seg_linear(c, &c->seg[seg], off, size, acc,
                             seg == X86_SS ? X86_SS_VEC : X86_GP, 0);
    }
    alignment_check(c, lin, size);
    return lin;
}

/* Linear addresses wrap at 4 GiB outside 64-bit code. */
static inline uint64_t lin_wrap(const struct x86_cpu *c)
{
    return c->code64 ? ~0ull : 0xffffffffull;
}

/* ---- watchpoints ---- */

static void watch_check(struct x86_cpu *c, uint64_t lin, unsigned n, int acc)
{
    unsigned kind = (acc & X86_WRITE) ? 1 : 2;
    for (int i = 0; i < c->nwatch; i++) {
        const struct x86_watch *w = &c->watch[i];
        /* the ranges overlap (modulo 2^64, both non-empty) */
        if ((w->kind & kind) && w->len && (lin - w->lin < w->len || w->lin - lin < n)) {
            c->watch_hit = i;
            x86_request_stop(c);
            return;
        }
    }
}

/* ---- physical accesses ---- */

/* A part of an access that is not (all) RAM: to the bus in naturally
 * aligned pieces of at most 8 bytes, unless it is itself 1, 2, 4 or 8
 * bytes, which goes as one access at its exact address. */
static unsigned piece(uint64_t pa, unsigned len)
{
    if (len == 1 || len == 2 || len == 4 || len == 8)
        return len;
    unsigned n = 8;
    while (n > len || (pa & (n - 1)))
        n >>= 1;
    return n;
}

static void phys_read(struct x86_cpu *c, uint64_t pa, uint8_t *buf, unsigned len)
{
    while (len) {
        unsigned n = piece(pa, len);
        uint8_t *h = x86_ram_ptr(c, pa, n);
        if (h) {
            memcpy(buf, h, n);
        } else {
            uint64_t v = c->bus.mem_read ? c->bus.mem_read(c->bus.opaque, pa, n) : ~0ull;
            x86_device_accessed(c);
            memcpy(buf, &v, n);
        }
        pa += n;
        buf += n;
        len -= n;
    }
}

static void phys_write(struct x86_cpu *c, uint64_t pa, const uint8_t *buf, unsigned len)
{
    while (len) {
        unsigned n = piece(pa, len);
        uint8_t *h = x86_ram_ptr(c, pa, n);
        if (h) {
            x86_code_written(c, h, n);
            memcpy(h, buf, n);
        } else if (c->bus.mem_write) {
            uint64_t v = 0;
            memcpy(&v, buf, n);
            c->bus.mem_write(c->bus.opaque, pa, v, n);
            x86_device_accessed(c);
        }
        pa += n;
        buf += n;
        len -= n;
    }
}

/* One page's part of an access. */
struct part {
    uint8_t *host;      /* RAM, or NULL */
    uint64_t pa;
    unsigned len;
};

/* Translates the (at most two) pages of lin..lin+n-1, n <= 4096, before
 * any byte moves. */
static unsigned resolve(struct x86_cpu *c, uint64_t lin, unsigned n, int acc, uint64_t wrap,
                        struct part p[2])
{
    unsigned first = 4096 - (unsigned)(lin & 0xfff);
    unsigned np = n > first ? 2 : 1;
    uint64_t start = lin;
    for (unsigned i = 0; i < np; i++) {
        struct x86_tlb_entry *e = x86_tlb_get(c, lin, acc);
        unsigned o = (unsigned)(lin & 0xfff);
        p[i].host = e->host ? e->host + o : NULL;
        p[i].pa = e->pa | o;
        p[i].len = i ? n - first : (np == 2 ? first : n);
        lin = (lin + first) & wrap;
    }
    if (X86_RARE(c->nwatch))
        watch_check(c, start, n, acc);
    return np;
}

static void read_lin(struct x86_cpu *c, uint64_t lin, void *buf, unsigned n, int acc,
                     uint64_t wrap)
{
    struct part p[2];
    uint8_t *b = buf;
    unsigned np = resolve(c, lin, n, acc, wrap, p);
    for (unsigned i = 0; i < np; i++) {
        if (p[i].host)
            memcpy(b, p[i].host, p[i].len);
        else
            phys_read(c, p[i].pa, b, p[i].len);
        b += p[i].len;
    }
}

static void write_lin(struct x86_cpu *c, uint64_t lin, const void *buf, unsigned n, int acc,
                      uint64_t wrap)
{
    struct part p[2];
    const uint8_t *b = buf;
    unsigned np = resolve(c, lin, n, acc, wrap, p);
    for (unsigned i = 0; i < np; i++) {
        if (p[i].host) {
            x86_code_written(c, p[i].host, p[i].len);
            memcpy(p[i].host, b, p[i].len);
        } else {
            phys_write(c, p[i].pa, b, p[i].len);
        }
        b += p[i].len;
    }
}

/* The common case inline: within a page, a TLB hit on RAM. */
static inline uint64_t read_fast(struct x86_cpu *c, uint64_t lin, unsigned size, int acc,
                                 uint64_t wrap)
{
    uint64_t v = 0;
    if (X86_LIKELY((lin & 0xfff) <= 4096 - size && !c->nwatch)) {
        struct x86_tlb_entry *e = x86_tlb_slot(c, lin, acc);
        if (X86_LIKELY(e->tag == x86_tlb_tag(c, lin, acc) && e->host))
            return x86_load_le(e->host + (lin & 0xfff), size);
    }
    read_lin(c, lin, &v, size, acc, wrap);
    return v;
}

static inline void write_fast(struct x86_cpu *c, uint64_t lin, uint64_t v, unsigned size,
                              int acc, uint64_t wrap)
{
    if (X86_LIKELY((lin & 0xfff) <= 4096 - size && !c->nwatch)) {
        struct x86_tlb_entry *e = x86_tlb_slot(c, lin, acc);
        if (X86_LIKELY(e->tag == x86_tlb_tag(c, lin, acc) && e->host)) {
            x86_code_written(c, e->host + (lin & 0xfff), size);
            x86_store_le(e->host + (lin & 0xfff), v, size);
            return;
        }
    }
    write_lin(c, lin, &v, size, acc, wrap);
}

/* ---- the interface ---- */

uint64_t x86_read(struct x86_cpu *c, int seg, uint64_t off, unsigned size)
{
    uint64_t lin = linear(c, seg, off, size, X86_READ);
    return read_fast(c, lin, size, X86_READ, lin_wrap(c));
}

void x86_write(struct x86_cpu *c, int seg, uint64_t off, uint64_t v, unsigned size)
{
    uint64_t lin = linear(c, seg, off, size, X86_WRITE);
    write_fast(c, lin, v, size, X86_WRITE, lin_wrap(c));
}

/* In chunks of a page: the all-or-nothing rule holds within each. */
static void xfer_bytes(struct x86_cpu *c, int seg, uint64_t off, uint8_t *b, unsigned n, int acc)
{
    while (n) {
        unsigned k = n > 4096 ? 4096 : n;
        uint64_t lin = linear(c, seg, off, k, acc);
        if (acc == X86_WRITE)
            write_lin(c, lin, b, k, acc, lin_wrap(c));
        else
            read_lin(c, lin, b, k, acc, lin_wrap(c));
        off += k;
        b += k;
        n -= k;
    }
}

void x86_read_bytes(struct x86_cpu *c, int seg, uint64_t off, void *buf, unsigned n)
{
    xfer_bytes(c, seg, off, buf, n, X86_READ);
}

void x86_write_bytes(struct x86_cpu *c, int seg, uint64_t off, const void *buf, unsigned n)
{
    /* only read from: write_lin takes it as const */
    xfer_bytes(c, seg, off, (uint8_t *)(uintptr_t)buf, n, X86_WRITE);
}

/* System structures: linear addresses, 32-bit outside long mode. */
static inline uint64_t sys_lin(struct x86_cpu *c, uint64_t lin, unsigned size, uint64_t *wrap)
{
    if (c->long_mode) {
        if (X86_RARE(!x86_is_canonical(lin) || !x86_is_canonical(lin + size - 1)))
            seg_fault(c, X86_GP, 0);
        *wrap = ~0ull;
        return lin;
    }
    *wrap = 0xffffffffull;
    return lin & 0xffffffffull;
}

uint64_t x86_read_lin(struct x86_cpu *c, uint64_t lin, unsigned size, int acc)
{
    uint64_t wrap;
    lin = sys_lin(c, lin, size, &wrap);
    return read_fast(c, lin, size, (acc & ~X86_WRITE), wrap);
}

void x86_write_lin(struct x86_cpu *c, uint64_t lin, uint64_t v, unsigned size, int acc)
{
    uint64_t wrap;
    lin = sys_lin(c, lin, size, &wrap);
    write_fast(c, lin, v, size, acc | X86_WRITE, wrap);
}

void x86_write_lin_seg(struct x86_cpu *c, const struct x86_seg *s, uint64_t off, uint64_t v,
                       unsigned size, int acc, int vec, uint32_t err)
{
    uint64_t lin = x86_seg_linear(c, s, off, size, X86_WRITE, vec, err);
    write_fast(c, lin, v, size, acc | X86_WRITE, 0xffffffffull);
}

/* ---- instruction fetch ---- */

/* CS:off as a fetch sees it: #GP(0) past CS's limit or non-canonical;
 * *room gets how many bytes from off the limit allows. */
static inline uint64_t fetch_linear(struct x86_cpu *c, uint64_t off, uint64_t *room)
{
    if (X86_LIKELY(c->code64)) {
        if (X86_RARE(!x86_is_canonical(off)))
            seg_fault(c, X86_GP, 0);
        *room = ~0ull;
        return off;
    }
    const struct x86_seg *cs = &c->seg[X86_CS];
    if (X86_RARE(off > cs->limit))
        seg_fault(c, X86_GP, 0);
    *room = (uint64_t)cs->limit - off + 1;
    return (cs->base + off) & 0xffffffffull;
}

/* The exec TLB is the code page cache: one compare on a hit. */
static inline struct x86_tlb_entry *fetch_page(struct x86_cpu *c, uint64_t lin)
{
    struct x86_tlb_entry *e = x86_tlb_slot(c, lin, X86_EXEC);
    if (X86_RARE(e->tag != x86_tlb_tag(c, lin, X86_EXEC)))
        e = x86_tlb_fill(c, lin, X86_EXEC);
    return e;
}

uint8_t x86_fetch8(struct x86_cpu *c, uint64_t off)
{
    uint64_t room, lin = fetch_linear(c, off, &room);
    struct x86_tlb_entry *e = fetch_page(c, lin);
    if (X86_LIKELY(e->host != NULL))
        return e->host[lin & 0xfff];
    uint8_t b;
    phys_read(c, e->pa | (lin & 0xfff), &b, 1);
    return b;
}

const uint8_t *x86_fetch_ptr(struct x86_cpu *c, uint64_t off, unsigned *n)
{
    uint64_t room, lin = fetch_linear(c, off, &room);
    struct x86_tlb_entry *e = fetch_page(c, lin);
    if (!e->host) {
        *n = 0;
        return NULL;
    }
    uint64_t k = 4096 - (lin & 0xfff);
    *n = (unsigned)(k < room ? k : room);
    return e->host + (lin & 0xfff);
}

/* ---- the stack ---- */

static inline uint64_t sp_mask(const struct x86_cpu *c)
{
    if (c->code64)
        return ~0ull;
    return (c->seg[X86_SS].attr & X86_ATTR_DB) ? 0xffffffffull : 0xffffull;
}

void x86_push(struct x86_cpu *c, uint64_t v, unsigned size)
{
    uint64_t m = sp_mask(c);
    uint64_t sp = (c->r[X86_RSP] - size) & m;
    x86_write(c, X86_SS, sp, v, size);
    c->r[X86_RSP] = (c->r[X86_RSP] & ~m) | sp;
}

uint64_t x86_pop(struct x86_cpu *c, unsigned size)
{
    uint64_t m = sp_mask(c);
    uint64_t sp = c->r[X86_RSP] & m;
    uint64_t v = x86_read(c, X86_SS, sp, size);
    c->r[X86_RSP] = (c->r[X86_RSP] & ~m) | ((sp + size) & m);
    return v;
}
