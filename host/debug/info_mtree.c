/*
 * `info mtree` and `info mtree -f`: the region tree as dispatched, and the
 * flat view of what each address resolves to, in QEMU's layout.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "contract/pci.h"
#include "debug/info.h"
#include "hw/pci.h"
#include "machine.h"

static uint64_t last(const struct region *r, uint64_t base)
{
    return r->size == UINT64_MAX ? UINT64_MAX : base + r->size - 1;
}

static const char *kind(const struct region *r)
{
    const struct region *t = r;
    while (t->kind == REGION_ALIAS && t->alias)
        t = t->alias;
    return t->kind == REGION_RAM ? "ram" : "i/o";
}

static void print_one(FILE *out, const struct region *r, uint64_t base, int depth)
{
    fprintf(out, "%*s%016" PRIx64 "-%016" PRIx64 " (prio %d, %s): ", 2 * (depth + 1), "",
            base, last(r, base), r->priority, kind(r));
    if (r->kind == REGION_ALIAS && r->alias)
        fprintf(out, "alias %s @%s %016" PRIx64 "-%016" PRIx64, r->name, r->alias->name,
                r->alias_offset, r->alias_offset + r->size - 1);
    else
        fputs(r->name, out);
    fputs(r->enabled ? "\n" : " [disabled]\n", out);
}

static int by_address(const void *a, const void *b)
{
    const struct region *x = *(const struct region *const *)a;
    const struct region *y = *(const struct region *const *)b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return y->priority - x->priority;
}

/* Children print by address, higher priority first at the same address. */
static void print_tree(FILE *out, const struct region *r, uint64_t base, int depth,
                       const struct region **aliased, int *naliased)
{
    print_one(out, r, base, depth);
    if (r->kind == REGION_ALIAS && r->alias && *naliased < 16) {
        int i;
        for (i = 0; i < *naliased && aliased[i] != r->alias; i++)
            ;
        if (i == *naliased)
            aliased[(*naliased)++] = r->alias;
    }
    int n = 0;
    for (const struct region *c = r->children; c; c = c->next)
        n++;
    if (!n)
        return;
    const struct region **kids = calloc((size_t)n, sizeof *kids);
    if (!kids)
        return;
    n = 0;
    for (const struct region *c = r->children; c; c = c->next)
        kids[n++] = c;
    qsort(kids, (size_t)n, sizeof *kids, by_address);
    for (int i = 0; i < n; i++)
        print_tree(out, kids[i], base + kids[i]->base, depth + 1, aliased, naliased);
    free(kids);
}

/* ---- the PCI functions' bus-master address spaces, as QEMU lists them:
 * a container each, holding an alias of system memory while the
 * function's command register lets it master the bus ---- */

static bool masters(const struct pci_device *d)
{
    return pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

#define ALL "0000000000000000-ffffffffffffffff"

static void bus_master_spaces(struct machine *m, FILE *out)
{
    for (size_t i = 0; i < PCI_MAX_DEV * PCI_MAX_FN; i++) {
        const struct pci_device *d = m->board.pci.bus.devs[i];
        if (!d)
            continue;
        fprintf(out, "address-space: %s\n  " ALL " (prio 0, i/o): bus master container\n",
                d->name);
        if (masters(d))
            fprintf(out, "    " ALL " (prio 0, i/o): alias bus master @%s " ALL "\n",
                    m->board.pci.bus.dma->root->name);
        fputc('\n', out);
    }
}

/* The functions whose bus-master space shows system memory (want true),
 * or nothing (false), as AS lines of a FlatView (none when out is NULL);
 * returns how many. */
static int bus_master_as_lines(struct machine *m, bool want, FILE *out)
{
    int n = 0;
    for (size_t i = 0; i < PCI_MAX_DEV * PCI_MAX_FN; i++) {
        const struct pci_device *d = m->board.pci.bus.devs[i];
        if (d && masters(d) == want) {
            if (out)
                fprintf(out, " AS \"%s\", root: bus master container\n", d->name);
            n++;
        }
    }
    return n;
}

static void tree_view(struct machine *m, FILE *out)
{
    struct address_space *spaces[] = { &m->mem_as, &m->io_as };
    const struct region *aliased[16];
    int naliased = 0;
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++) {
        fprintf(out, "address-space: %s\n", spaces[i]->name);
        print_tree(out, spaces[i]->root, 0, 0, aliased, &naliased);
        fputc('\n', out);
    }
    bus_master_spaces(m, out);
    /* Regions reached only through aliases get their own listing. */
    for (int i = 0; i < naliased; i++) {
        int dummy = 16;
        fprintf(out, "memory-region: %s\n", aliased[i]->name);
        print_tree(out, aliased[i], 0, 0, aliased, &dummy);
        fputc('\n', out);
    }
}

/* ---- flat view ---- */

struct bounds {
    uint64_t *v;
    size_t n, cap;
};

static void add_bound(struct bounds *b, uint64_t x)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->v = realloc(b->v, b->cap * sizeof *b->v);
    }
    b->v[b->n++] = x;
}

/* Every address where what an access resolves to may change. */
static void collect(const struct region *r, uint64_t base, struct bounds *b, int depth)
{
    if (!r->enabled || depth > 16)
        return;
    add_bound(b, base);
    if (r->size != UINT64_MAX && base + r->size > base)
        add_bound(b, base + r->size);
    if (r->kind == REGION_ALIAS && r->alias)
        collect(r->alias, base - r->alias_offset, b, depth + 1);
    for (const struct region *c = r->children; c; c = c->next)
        collect(c, base + c->base, b, depth + 1);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void flat_view(struct machine *m, FILE *out)
{
    struct address_space *spaces[] = { &m->mem_as, &m->io_as };
    for (size_t s = 0; s < sizeof spaces / sizeof spaces[0]; s++) {
        struct address_space *as = spaces[s];
        const struct region *root = as->root;
        bool io_space = as == &m->io_as;
        fprintf(out, "FlatView #%zu\n AS \"%s\", root: %s\n", s, as->name, root->name);
        if (as == m->board.pci.bus.dma)
            bus_master_as_lines(m, true, out);
        fprintf(out, " Root memory region: %s\n", root->name);
        struct bounds b = { 0 };
        collect(root, 0, &b, 0);
        if (root->size != UINT64_MAX)
            add_bound(&b, root->size);
        qsort(b.v, b.n, sizeof *b.v, cmp_u64);
        uint64_t end_all = root->size == UINT64_MAX ? UINT64_MAX : root->size;
        /* Walk the elementary ranges, merging neighbours that continue the
         * same region. */
        const struct region *cur = NULL;
        uint64_t cur_start = 0, cur_off = 0, cur_end = 0;
        bool have = false;
        for (size_t i = 0; i < b.n; i++) {
            uint64_t start = b.v[i];
            if (i && start == b.v[i - 1])
                continue;
            if (root->size != UINT64_MAX && start >= end_all)
                break;
            uint64_t end = i + 1 < b.n ? b.v[i + 1] : end_all;  /* exclusive, or MAX */
            size_t j = i + 1;
            while (j < b.n && b.v[j] == start)
                j++;
            end = j < b.n ? b.v[j] : end_all;
            uint64_t off = 0;
            const struct region *r = address_space_lookup(as, start, &off);
            if (!r && io_space) {
                r = root;       /* gaps answer as the root, all ones */
                off = start;
            }
            if (have && r == cur && start == cur_end && off == cur_off + (cur_end - cur_start)) {
                cur_end = end;
                continue;
            }
            if (have && cur) {
                fprintf(out, "  %016" PRIx64 "-%016" PRIx64 " (prio %d, %s): %s", cur_start,
                        cur_end - 1, cur->priority, kind(cur), cur->name);
                if (cur_off)
                    fprintf(out, " @%016" PRIx64, cur_off);
                fputs(cur->kind == REGION_RAM ? " KVM\n" : "\n", out);
            }
            cur = r;
            cur_start = start;
            cur_end = end;
            cur_off = off;
            have = true;
            if (end == UINT64_MAX && root->size == UINT64_MAX)
                break;
        }
        if (have && cur) {
            uint64_t lastaddr = cur_end == UINT64_MAX && root->size == UINT64_MAX ? UINT64_MAX
                                                                                  : cur_end - 1;
            fprintf(out, "  %016" PRIx64 "-%016" PRIx64 " (prio %d, %s): %s", cur_start,
                    lastaddr, cur->priority, kind(cur), cur->name);
            if (cur_off)
                fprintf(out, " @%016" PRIx64, cur_off);
            fputs(cur->kind == REGION_RAM ? " KVM\n" : "\n", out);
        }
        free(b.v);
        fputc('\n', out);
    }
    /* the functions that may not master the bus see nothing */
    if (bus_master_as_lines(m, false, NULL) > 0) {
        fprintf(out, "FlatView #%zu\n", sizeof spaces / sizeof spaces[0]);
        bus_master_as_lines(m, false, out);
        fprintf(out, " Root memory region: (none)\n  No rendered FlatView\n\n");
    }
}

void info_mtree(struct machine *m, const char *args, FILE *out)
{
    if (args && strcmp(args, "-f") == 0)
        flat_view(m, out);
    else if (args && *args)
        fprintf(out, "info mtree: unknown argument '%s' (use -f for the flat view)\n", args);
    else
        tree_view(m, out);
}
