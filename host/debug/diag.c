/*
 * Diagnostic lines held back while the guest's console is mid-line, and
 * the guest instruction named by symbolizing its address (diag.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/log.h"
#include "debug/diag.h"
#include "debug/symbolize.h"

/* Warnings held at most; more while the console stays mid-line are
 * counted and reported with the rest. */
#define DIAG_HELD 16

struct diag {
    char *kernel;               /* NULL: this process */
    bool tried;                 /* the symbolizer was opened (or failed to) */
    struct symbolizer *sym;
    bool (*access_pc)(void *opaque, uint64_t *pc);
    void *opaque;
    bool mid_line;              /* the console's last byte was not '\n' */
    char *held[DIAG_HELD];
    int nheld;
    unsigned long dropped;
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

static void flush(struct diag *d)
{
    for (int i = 0; i < d->nheld; i++) {
        log_warn("%s", d->held[i]);
        free(d->held[i]);
    }
    d->nheld = 0;
    if (d->dropped)
        log_warn("%lu more warnings were dropped while the guest's console line was open",
                 d->dropped);
    d->dropped = 0;
}

/* Whether stdout and stderr are one file (a terminal, or 2>&1). */
static bool shared_output(void)
{
    struct stat o, e;
    return fstat(1, &o) == 0 && fstat(2, &e) == 0 && o.st_dev == e.st_dev &&
           o.st_ino == e.st_ino;
}

void diag_flush(struct diag *d)
{
    if (!d || (!d->nheld && !d->dropped))
        return;
    /* the guest's last line never ended: end it, where it is seen */
    if (d->mid_line && shared_output())
        fputc('\n', stderr);
    d->mid_line = false;
    flush(d);
}

void diag_destroy(struct diag *d)
{
    if (!d)
        return;
    diag_flush(d);
    symbolizer_close(d->sym);
    free(d->kernel);
    free(d);
}

void diag_console(struct diag *d, const uint8_t *buf, size_t len)
{
    if (!d || !len)
        return;
    d->mid_line = buf[len - 1] != '\n';
    if (!d->mid_line && (d->nheld || d->dropped))
        flush(d);
}

void diag_warn(struct diag *d, const char *fmt, ...)
{
    char line[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (!d || !d->mid_line) {
        log_warn("%s", line);
        return;
    }
    char *copy = d->nheld < DIAG_HELD ? strdup(line) : NULL;
    if (copy)
        d->held[d->nheld++] = copy;
    else
        d->dropped++;
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
