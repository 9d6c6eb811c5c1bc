/* isa-debug-exit: one port; a write ends the machine with (v << 1) | 1. */
#include <stdlib.h>
#include "contract/platform.h"
#include "hw/debug_exit.h"

struct debug_exit {
    struct region region;
    void (*exit_fn)(void *opaque, int status);
    void *opaque;
};

static uint64_t debug_exit_read(void *opaque, uint64_t off, unsigned size)
{
    return UINT64_MAX;
}

static void debug_exit_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct debug_exit *d = opaque;
    if (d->exit_fn)
        d->exit_fn(d->opaque, (int)DEBUG_EXIT_STATUS(val));
}

static const struct region_ops debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .max_access = 1,
};

struct debug_exit *debug_exit_create(void (*exit_fn)(void *opaque, int status), void *opaque)
{
    struct debug_exit *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->exit_fn = exit_fn;
    d->opaque = opaque;
    region_init_io(&d->region, "isa-debug-exit", 1, &debug_exit_ops, d);
    return d;
}

void debug_exit_destroy(struct debug_exit *d)
{
    free(d);
}

struct region *debug_exit_region(struct debug_exit *d)
{
    return &d->region;
}
