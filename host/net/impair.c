/*
 * Network faults on one wire (impair.h). Frames held for delay or
 * reordering wait in a queue per direction, released by one loop timer;
 * a reordered frame goes out right after the next frame of its
 * direction, so two frames swap places.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "net/impair.h"
#include "net/net.h"

#define REORDER_WAIT_NS 1000000ull      /* a held frame with no successor */
#define PPM 1000000u

struct held {
    struct held *next;
    struct net_client *sender;
    uint64_t due;
    size_t len;
    uint8_t data[];
};

/* direction 0: the netdev sends (tx); 1: the netdev receives (rx) */
struct net_impair {
    struct net_impair_config cfg;
    struct loop *loop;
    struct timer timer;
    struct net_client *backend;
    uint64_t rng;
    struct held *delayq[2], *delayq_tail[2];
    struct held *behind[2];             /* a reordered frame waiting */
    struct net_impair_stats stats;
};

static bool parse_percent(const char *val, uint32_t *ppm)
{
    char *end;
    errno = 0;
    double p = strtod(val, &end);
    if (errno || end == val || *end || p < 0 || p > 100)
        return false;
    *ppm = (uint32_t)(p * (PPM / 100) + 0.5);
    return true;
}

static bool parse_u64(const char *val, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(val, &end, 0);
    if (errno || end == val || *end || *val == '-')
        return false;
    *out = v;
    return true;
}

bool net_impair_prop(struct net_impair_config *c, const char *key, const char *val)
{
    static const struct { const char *name; size_t off; } pct[] = {
        { "loss", offsetof(struct net_impair_config, loss) },
        { "corrupt", offsetof(struct net_impair_config, corrupt) },
        { "duplicate", offsetof(struct net_impair_config, duplicate) },
        { "reorder", offsetof(struct net_impair_config, reorder) },
    };
    for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++)
        if (!strcmp(key, pct[i].name))
            return parse_percent(val, (uint32_t *)((char *)c + pct[i].off));
    if (!strcmp(key, "delay")) {
        uint64_t ms;
        if (!parse_u64(val, &ms) || ms > 60000)
            return false;
        c->delay_ns = ms * 1000000ull;
        return true;
    }
    if (!strcmp(key, "seed"))
        return parse_u64(val, &c->seed);
    if (!strcmp(key, "queue")) {
        static const char *const q[] = { "all", "rx", "tx" };
        for (int i = 0; i < 3; i++)
            if (!strcmp(val, q[i])) {
                c->queue = (enum net_impair_queue)i;
                return true;
            }
        return false;
    }
    return false;
}

/* xorshift64*: small, and the same sequence for the same seed */
static uint32_t draw_ppm(struct net_impair *f)
{
    f->rng ^= f->rng >> 12;
    f->rng ^= f->rng << 25;
    f->rng ^= f->rng >> 27;
    return (uint32_t)(((f->rng * 0x2545f4914f6cdd1dull) >> 32) % PPM);
}

static bool happens(struct net_impair *f, uint32_t ppm)
{
    return ppm && draw_ppm(f) < ppm;
}

static struct held *hold(struct net_client *sender, const uint8_t *buf, size_t len, uint64_t due)
{
    struct held *h = malloc(sizeof *h + len);
    if (!h)
        return NULL;
    *h = (struct held){ .sender = sender, .due = due, .len = len };
    memcpy(h->data, buf, len);
    return h;
}

static void arm(struct net_impair *f)
{
    uint64_t next = UINT64_MAX;
    for (int d = 0; d < 2; d++) {
        if (f->delayq[d] && f->delayq[d]->due < next)
            next = f->delayq[d]->due;
        if (f->behind[d] && f->behind[d]->due < next)
            next = f->behind[d]->due;
    }
    if (next == UINT64_MAX)
        timer_del(&f->timer);
    else
        timer_mod(&f->timer, next);
}

/* A frame leaves the filter; a reordered one waiting goes right after. */
static void out(struct net_impair *f, int d, struct net_client *sender, const uint8_t *buf,
                size_t len)
{
    net_deliver(sender, buf, len);
    struct held *b = f->behind[d];
    if (b) {
        f->behind[d] = NULL;
        net_deliver(b->sender, b->data, b->len);
        free(b);
    }
}

static void expired(void *opaque)
{
    struct net_impair *f = opaque;
    uint64_t now = loop_now(f->loop);
    for (int d = 0; d < 2; d++) {
        while (f->delayq[d] && f->delayq[d]->due <= now) {
            struct held *h = f->delayq[d];
            f->delayq[d] = h->next;
            if (!f->delayq[d])
                f->delayq_tail[d] = NULL;
            out(f, d, h->sender, h->data, h->len);
            free(h);
        }
        struct held *b = f->behind[d];
        if (b && b->due <= now) {
            f->behind[d] = NULL;
            net_deliver(b->sender, b->data, b->len);
            free(b);
        }
    }
    arm(f);
}

/* One copy of a frame, after loss and corruption were decided. */
static void pass(struct net_impair *f, int d, struct net_client *sender, const uint8_t *buf,
                 size_t len, uint64_t now)
{
    if (!f->behind[d] && happens(f, f->cfg.reorder)) {
        f->behind[d] = hold(sender, buf, len, now + f->cfg.delay_ns + REORDER_WAIT_NS);
        if (f->behind[d]) {
            f->stats.reordered++;
            return;
        }
    }
    if (f->cfg.delay_ns) {
        struct held *h = hold(sender, buf, len, now + f->cfg.delay_ns);
        if (h) {
            if (f->delayq_tail[d])
                f->delayq_tail[d]->next = h;
            else
                f->delayq[d] = h;
            f->delayq_tail[d] = h;
            f->stats.delayed++;
            return;
        }
    }
    out(f, d, sender, buf, len);
}

bool net_impair_send(struct net_impair *f, struct net_client *sender, const uint8_t *buf,
                     size_t len)
{
    int d = sender == f->backend ? 0 : 1;
    if ((f->cfg.queue == NET_IMPAIR_TX && d != 0) || (f->cfg.queue == NET_IMPAIR_RX && d != 1))
        return false;
    f->stats.frames++;
    if (happens(f, f->cfg.loss)) {
        f->stats.lost++;
        return true;
    }
    uint8_t frame[NET_FRAME_MAX];
    if (len > sizeof frame)
        return false;
    memcpy(frame, buf, len);
    if (len && happens(f, f->cfg.corrupt)) {
        uint32_t bit = draw_ppm(f) % (uint32_t)(len * 8);
        frame[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        f->stats.corrupted++;
    }
    uint64_t now = loop_now(f->loop);
    int copies = 1;
    if (happens(f, f->cfg.duplicate)) {
        copies = 2;
        f->stats.duplicated++;
    }
    for (int i = 0; i < copies; i++)
        pass(f, d, sender, frame, len, now);
    arm(f);
    return true;
}

struct net_impair *net_impair_create(struct loop *l, const struct net_impair_config *c)
{
    struct net_impair *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->cfg = *c;
    f->loop = l;
    f->rng = c->seed ? c->seed : 0x9e3779b97f4a7c15ull;
    timer_init(&f->timer, l, expired, f);
    return f;
}

void net_impair_attach(struct net_impair *f, struct net_client *backend)
{
    f->backend = backend;
    backend->impair = f;
}

const struct net_impair_stats *net_impair_stats(const struct net_impair *f)
{
    return &f->stats;
}

static void free_list(struct held *h)
{
    while (h) {
        struct held *n = h->next;
        free(h);
        h = n;
    }
}

void net_impair_destroy(struct net_impair *f)
{
    if (!f)
        return;
    timer_del(&f->timer);
    for (int d = 0; d < 2; d++) {
        free_list(f->delayq[d]);
        free(f->behind[d]);
    }
    if (f->backend)
        f->backend->impair = NULL;
    free(f);
}
