/*
 * Keeping the CPU backend's queued-write zones where the ranges that
 * allow them are visible: a range counts only while a lookup of its first
 * and of its last byte lands in it (enabled all the way up, nothing of
 * higher priority on top).
 */
#include "core/coalesce.h"

struct collect {
    struct address_space *as;
    struct coalesce_set want;
};

static bool visible_at(struct address_space *as, const struct region *r, uint64_t addr,
                       uint64_t off)
{
    uint64_t o;
    return address_space_lookup(as, addr, &o) == r && o == off;
}

static void visit(void *opaque, const struct region *r, uint64_t abs, int depth)
{
    struct collect *c = opaque;
    (void)depth;
    if (!r->queue_len || c->want.n == COALESCE_MAX)
        return;
    uint64_t first = abs + r->queue_off, last = first + r->queue_len - 1;
    if (!visible_at(c->as, r, first, r->queue_off) ||
        !visible_at(c->as, r, last, r->queue_off + r->queue_len - 1))
        return;
    c->want.z[c->want.n++] = (struct coalesce_zone){ first, r->queue_len };
}

static bool has(const struct coalesce_set *s, const struct coalesce_zone *z)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->z[i].addr == z->addr && s->z[i].len == z->len)
            return true;
    return false;
}

void coalesce_update(struct address_space *as, struct coalesce_set *cur,
                     coalesce_set_fn set, void *opaque)
{
    struct collect c = { .as = as };
    region_walk(as->root, visit, &c);
    struct coalesce_set now = { .n = 0 };
    for (unsigned i = 0; i < cur->n; i++)
        if (has(&c.want, &cur->z[i]))
            now.z[now.n++] = cur->z[i];
        else
            set(opaque, cur->z[i].addr, cur->z[i].len, false);
    for (unsigned i = 0; i < c.want.n; i++)
        if (!has(&now, &c.want.z[i]) && set(opaque, c.want.z[i].addr, c.want.z[i].len, true) == 0)
            now.z[now.n++] = c.want.z[i];
    *cur = now;
}
