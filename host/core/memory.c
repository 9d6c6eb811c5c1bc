/*
 * Region tree dispatch. The trees are small (tens of regions), so a
 * lookup walks them directly; nothing is cached that could go stale when
 * a BAR moves.
 */
#include <string.h>
#include "core/log.h"
#include "core/memory.h"

static void region_init(struct region *r, const char *name, enum region_kind kind,
                        uint64_t size)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->kind = kind;
    r->size = size;
    r->enabled = true;
}

static void notify(struct region *r)
{
    while (r->parent)
        r = r->parent;
    if (r->owner && r->owner->changed)
        r->owner->changed(r->owner->changed_opaque, r->owner);
}

void region_init_io(struct region *r, const char *name, uint64_t size,
                    const struct region_ops *ops, void *opaque)
{
    region_init(r, name, REGION_IO, size);
    r->ops = ops;
    r->opaque = opaque;
}

void region_set_write_queue(struct region *r, unsigned idx, uint64_t off, uint64_t len)
{
    if (idx >= REGION_QUEUES)
        return;
    r->queue[idx].off = off;
    r->queue[idx].len = off < r->size && len <= r->size - off ? len : 0;
    notify(r);
}

void region_init_ram(struct region *r, const char *name, uint64_t size, uint8_t *host)
{
    region_init(r, name, REGION_RAM, size);
    r->ram = host;
}

void region_init_container(struct region *r, const char *name, uint64_t size)
{
    region_init(r, name, REGION_CONTAINER, size);
}

void region_init_alias(struct region *r, const char *name, struct region *target,
                       uint64_t offset, uint64_t size)
{
    region_init(r, name, REGION_ALIAS, size);
    r->alias = target;
    r->alias_offset = offset;
}

/* Children stay sorted by priority, highest first; a newcomer goes before
 * its equals so the one added last wins, as in QEMU. */
static void link_child(struct region *parent, struct region *child)
{
    struct region **pp = &parent->children;
    while (*pp && (*pp)->priority > child->priority)
        pp = &(*pp)->next;
    child->next = *pp;
    *pp = child;
}

static void unlink_child(struct region *child)
{
    struct region **pp = &child->parent->children;
    while (*pp && *pp != child)
        pp = &(*pp)->next;
    if (*pp)
        *pp = child->next;
    child->next = NULL;
}

void region_add(struct region *parent, struct region *child, uint64_t base, int priority)
{
    child->base = base;
    child->priority = priority;
    child->parent = parent;
    link_child(parent, child);
    notify(parent);
}

void region_del(struct region *child)
{
    struct region *parent = child->parent;
    if (!parent)
        return;
    unlink_child(child);
    child->parent = NULL;
    notify(parent);
}

void region_set_enabled(struct region *r, bool enabled)
{
    if (r->enabled == enabled)
        return;
    r->enabled = enabled;
    notify(r);
}

void region_set_base(struct region *r, uint64_t base)
{
    if (r->base == base)
        return;
    r->base = base;
    notify(r);
}

void address_space_init(struct address_space *as, const char *name, struct region *root)
{
    memset(as, 0, sizeof *as);
    as->name = name;
    as->root = root;
    root->owner = as;
}

/* addr is relative to r. A region of size UINT64_MAX covers everything. */
static bool covers(const struct region *r, uint64_t addr)
{
    return r->size == UINT64_MAX || addr < r->size;
}

static struct region *lookup(struct region *r, uint64_t addr, uint64_t *offset, int depth)
{
    if (!r->enabled || !covers(r, addr) || depth > 16)
        return NULL;
    switch (r->kind) {
    case REGION_CONTAINER:
        for (struct region *c = r->children; c; c = c->next) {
            if (addr < c->base)
                continue;
            struct region *hit = lookup(c, addr - c->base, offset, depth + 1);
            if (hit)
                return hit;
        }
        return NULL;
    case REGION_ALIAS:
        return r->alias ? lookup(r->alias, addr + r->alias_offset, offset, depth + 1) : NULL;
    default:
        *offset = addr;
        return r;
    }
}

struct region *address_space_lookup(struct address_space *as, uint64_t addr,
                                    uint64_t *offset)
{
    return lookup(as->root, addr, offset, 0);
}

/* Once per address and direction; the table's last free slot goes to a
 * note that no more are named (the counts go on). */
static void log_unassigned(struct address_space *as, const char *what, uint64_t addr,
                           unsigned size)
{
    uint64_t key = addr << 1 | (*what == 'w');
    const unsigned max = sizeof as->logged / sizeof as->logged[0];
    for (unsigned i = 0; i < as->nlogged; i++)
        if (as->logged[i] == key)
            return;
    if (as->nlogged == max)
        return;
    if (as->nlogged == max - 1) {
        as->nlogged++;
        log_warn("unassigned %s accesses at %u addresses logged; further ones are counted, "
                 "not logged", as->name, max - 1);
        return;
    }
    as->logged[as->nlogged++] = key;
    log_warn("unassigned %s %s at 0x%llx (size %u)%s", as->name, what,
             (unsigned long long)addr, size,
             *what == 'r' ? ", returning all ones" : ", ignored");
}

static uint64_t ones(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;
}

static unsigned max_access(const struct region *r)
{
    return r->ops && r->ops->max_access ? r->ops->max_access : 8;
}

uint64_t as_read(struct address_space *as, uint64_t addr, unsigned size)
{
    uint64_t off;
    struct region *r = address_space_lookup(as, addr, &off);
    if (!r) {
        as->unassigned_reads++;
        log_unassigned(as, "read", addr, size);
        return ones(size);
    }
    /* An access running past the region's end, or wider than it takes,
     * is split; each piece is dispatched on its own. */
    if ((r->size != UINT64_MAX && off + size > r->size) || size > max_access(r)) {
        unsigned step = size > max_access(r) ? max_access(r) : 1;
        if (r->size != UINT64_MAX && off + size > r->size)
            step = 1;
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i += step)
            v |= as_read(as, addr + i, step) << (i * 8);
        return v;
    }
    if (r->kind == REGION_RAM) {
        uint64_t v = 0;
        memcpy(&v, r->ram + off, size);
        return v;
    }
    return r->ops && r->ops->read ? r->ops->read(r->opaque, off, size) & ones(size)
                                  : ones(size);
}

void as_write(struct address_space *as, uint64_t addr, uint64_t value, unsigned size)
{
    uint64_t off;
    struct region *r = address_space_lookup(as, addr, &off);
    if (!r) {
        as->unassigned_writes++;
        log_unassigned(as, "write", addr, size);
        return;
    }
    if ((r->size != UINT64_MAX && off + size > r->size) || size > max_access(r)) {
        unsigned step = size > max_access(r) ? max_access(r) : 1;
        if (r->size != UINT64_MAX && off + size > r->size)
            step = 1;
        for (unsigned i = 0; i < size; i += step)
            as_write(as, addr + i, (value >> (i * 8)) & ones(step), step);
        return;
    }
    value &= ones(size);
    if (r->kind == REGION_RAM) {
        memcpy(r->ram + off, &value, size);
        return;
    }
    if (r->ops && r->ops->write)
        r->ops->write(r->opaque, off, value, size);
}

/* The widest naturally aligned piece at addr that fits in len. */
static unsigned piece(uint64_t addr, size_t len)
{
    if (len == 1 || len == 2 || len == 4 || len == 8)
        return (unsigned)len;
    unsigned p = 8;
    while (p > len || (addr & (p - 1)))
        p >>= 1;
    return p;
}

void as_read_bytes(struct address_space *as, uint64_t addr, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned n = piece(addr + i, len - i);
        uint64_t v = as_read(as, addr + i, n);
        memcpy(buf + i, &v, n);
        i += n;
    }
}

void as_write_bytes(struct address_space *as, uint64_t addr, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned n = piece(addr + i, len - i);
        uint64_t v = 0;
        memcpy(&v, buf + i, n);
        as_write(as, addr + i, v, n);
        i += n;
    }
}

/* Copies in pieces, each inside one RAM region. */
static bool ram_copy(struct address_space *as, uint64_t addr, void *buf, size_t len,
                     bool to_guest)
{
    uint8_t *p = buf;
    while (len) {
        uint64_t off;
        struct region *r = address_space_lookup(as, addr, &off);
        if (!r || r->kind != REGION_RAM)
            return false;
        size_t n = r->size - off < len ? (size_t)(r->size - off) : len;
        if (to_guest)
            memcpy(r->ram + off, p, n);
        else
            memcpy(p, r->ram + off, n);
        p += n;
        addr += n;
        len -= n;
    }
    return true;
}

bool as_ram_read(struct address_space *as, uint64_t addr, void *buf, size_t len)
{
    return ram_copy(as, addr, buf, len, false);
}

bool as_ram_write(struct address_space *as, uint64_t addr, const void *buf, size_t len)
{
    return ram_copy(as, addr, (void *)buf, len, true);
}

static void walk(const struct region *r, uint64_t abs, int depth, region_visit_fn fn,
                 void *opaque)
{
    fn(opaque, r, abs, depth);
    for (const struct region *c = r->children; c; c = c->next)
        walk(c, abs + c->base, depth + 1, fn, opaque);
}

void region_walk(const struct region *root, region_visit_fn fn, void *opaque)
{
    walk(root, root->base, 0, fn, opaque);
}
