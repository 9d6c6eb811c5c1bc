/*
 * Keeping the CPU backend's queued-write zones where the ranges that
 * allow them are visible: a range counts only while a lookup of its first
 * and of its last byte lands in it (enabled all the way up, nothing of
 * higher priority on top). A zone left where nothing answers any more
 * is kept (see coalesce_update).
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
    for (unsigned i = 0; i < REGION_QUEUES && c->want.n < COALESCE_MAX; i++) {
        const struct region_queue *q = &r->queue[i];
        if (!q->len)
            continue;
        uint64_t first = abs + q->off, last = first + q->len - 1;
        if (visible_at(c->as, r, first, q->off) &&
            visible_at(c->as, r, last, q->off + q->len - 1))
            c->want.z[c->want.n++] = (struct coalesce_zone){ first, q->len };
    }
}

static bool has(const struct coalesce_set *s, const struct coalesce_zone *z)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->z[i].addr == z->addr && s->z[i].len == z->len)
            return true;
    return false;
}

/* Nothing at all answers anywhere in the zone: writes queued there reach
 * no device, so the zone may stay (they are delivered as the unassigned
 * writes they are, just as late as any queued write). */
static bool vacant(struct address_space *as, const struct coalesce_zone *z)
{
    uint64_t o;
    for (uint64_t a = z->addr; a - z->addr < z->len; a++)
        if (address_space_lookup(as, a, &o))
            return false;
    return true;
}

void coalesce_update(struct address_space *as, struct coalesce_set *cur,
                     coalesce_set_fn set, void *opaque)
{
    struct collect c = { .as = as };
    region_walk(as->root, visit, &c);
    /* A zone no longer wanted is dropped only where something else now
     * answers (or, a few times, to make room): dropping one makes KVM
     * wait for its vcpu to leave the guest (milliseconds here:
     * docs/results.md), and a driver switches decoding off and on around
     * every BAR it sizes. */
    struct coalesce_set now = { .n = 0 }, stale = { .n = 0 };
    for (unsigned i = 0; i < cur->n; i++)
        if (has(&c.want, &cur->z[i]))
            now.z[now.n++] = cur->z[i];
        else if (vacant(as, &cur->z[i]))
            stale.z[stale.n++] = cur->z[i];
        else
            set(opaque, cur->z[i].addr, cur->z[i].len, false);
    for (unsigned i = 0; i < c.want.n; i++) {
        if (has(&now, &c.want.z[i]))
            continue;
        if (has(&stale, &c.want.z[i])) {
            now.z[now.n++] = c.want.z[i];
            continue;
        }
        if (now.n + stale.n == COALESCE_MAX) {
            if (!stale.n || cur->room_drops == COALESCE_ROOM_DROPS)
                continue;                   /* no room: its writes exit */
            stale.n--;
            cur->room_drops++;
            set(opaque, stale.z[stale.n].addr, stale.z[stale.n].len, false);
        }
        if (set(opaque, c.want.z[i].addr, c.want.z[i].len, true) == 0)
            now.z[now.n++] = c.want.z[i];
    }
    for (unsigned i = 0; i < stale.n; i++)
        if (!has(&now, &stale.z[i]))
            now.z[now.n++] = stale.z[i];
    now.room_drops = cur->room_drops;
    *cur = now;
}
