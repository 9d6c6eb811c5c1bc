/*
 * The guest instruction behind a device access, named by symbolizing
 * its address (diag.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "debug/diag.h"
#include "debug/symbolize.h"

struct diag {
    char *kernel;               /* NULL: this process */
    bool tried;                 /* the symbolizer was opened (or failed to) */
    struct symbolizer *sym;
    bool (*access_pc)(void *opaque, uint64_t *pc);
    void *opaque;
};

struct diag *diag_create(const char *kernel, bool (*access_pc)(void *opaque, uint64_t *pc),
                         void *opaque)
{
    struct diag *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    if (kernel && !(d->kernel = strdup(kernel))) {
        free(d);
        return NULL;
    }
    d->access_pc = access_pc;
    d->opaque = opaque;
    return d;
}

void diag_destroy(struct diag *d)
{
    if (!d)
        return;
    symbolizer_close(d->sym);
    free(d->kernel);
    free(d);
}

bool diag_access_pc(struct diag *d, uint64_t *pc)
{
    return d && d->access_pc && d->access_pc(d->opaque, pc);
}

void diag_where(struct diag *d, uint64_t pc, char *buf, size_t size)
{
    if (d && !d->tried) {
        d->tried = true;
        d->sym = symbolizer_open(d->kernel);
    }
    char src[320];
    if (d && symbolize(d->sym, pc, src, sizeof src))
        snprintf(buf, size, "0x%llx in %s", (unsigned long long)pc, src);
    else
        snprintf(buf, size, "0x%llx", (unsigned long long)pc);
}
