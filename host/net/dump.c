/*
 * The classic pcap format: a 24-byte file header (magic, version 2.4,
 * snap length, link type 1 = Ethernet) and a 16-byte header before each
 * frame (seconds, microseconds, captured and original length). Frames
 * are written as they pass and flushed, so a capture is readable while
 * pcemu still runs and complete if it is killed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include "core/log.h"
#include "net/dump.h"

#define SNAPLEN 65535

struct net_dump {
    FILE *f;
    char *path;
    bool failed;
};

struct net_dump *net_dump_open(const char *path, char *why, size_t whylen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    const uint32_t hdr[6] = { 0xa1b2c3d4u, 2 | 4u << 16, 0, 0, SNAPLEN, 1 };
    if (fwrite(hdr, sizeof hdr, 1, f) != 1 || fflush(f) != 0) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        fclose(f);
        return NULL;
    }
    struct net_dump *d = zalloc_or_why(sizeof *d, why, whylen);
    if (!d) {
        fclose(f);
        return NULL;
    }
    d->f = f;
    d->path = strdup(path);
    if (!d->path) {
        snprintf(why, whylen, "out of memory");
        fclose(f);
        free(d);
        return NULL;
    }
    return d;
}

void net_dump_write(struct net_dump *d, const uint8_t *frame, size_t len)
{
    if (!d || d->failed)
        return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    uint32_t caplen = len > SNAPLEN ? SNAPLEN : (uint32_t)len;
    const uint32_t rec[4] = { (uint32_t)tv.tv_sec, (uint32_t)tv.tv_usec, caplen, (uint32_t)len };
    if (fwrite(rec, sizeof rec, 1, d->f) != 1 || fwrite(frame, caplen, 1, d->f) != 1 ||
        fflush(d->f) != 0) {
        log_warn("filter-dump %s: %s; no more frames are written", d->path, strerror(errno));
        d->failed = true;
    }
}

void net_dump_close(struct net_dump *d)
{
    if (!d)
        return;
    fclose(d->f);
    free(d->path);
    free(d);
}
