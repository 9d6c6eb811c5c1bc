/*
 * Timers and file descriptors for the single machine thread. The armed
 * timers are a sorted list: a machine has a handful of them.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/loop.h"

uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void loop_init(struct loop *l)
{
    memset(l, 0, sizeof *l);
}

void loop_destroy(struct loop *l)
{
    free(l->pfd_heap);
    l->pfd_heap = NULL;
}

uint64_t loop_now(struct loop *l)
{
    return l->now ? l->now(l->now_opaque) : monotonic_ns();
}

void timer_init(struct timer *t, struct loop *l, void (*cb)(void *), void *opaque)
{
    memset(t, 0, sizeof *t);
    t->loop = l;
    t->cb = cb;
    t->opaque = opaque;
}

void timer_del(struct timer *t)
{
    if (!t->armed)
        return;
    for (struct timer **pp = &t->loop->timers; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->armed = false;
    t->next = NULL;
}

void timer_mod(struct timer *t, uint64_t deadline)
{
    timer_del(t);
    t->deadline = deadline;
    struct timer **pp = &t->loop->timers;
    while (*pp && (*pp)->deadline <= deadline)
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
    t->armed = true;
}

uint64_t loop_next_deadline(struct loop *l)
{
    return l->timers ? l->timers->deadline : UINT64_MAX;
}

int loop_run_timers(struct loop *l)
{
    int ran = 0;
    uint64_t now = loop_now(l);
    /* A callback may re-arm its own timer for a time already past; the
     * bound keeps such a timer from starving the vcpu. */
    while (l->timers && l->timers->deadline <= now && ran < 1000) {
        struct timer *t = l->timers;
        l->timers = t->next;
        t->next = NULL;
        t->armed = false;
        t->cb(t->opaque);
        ran++;
    }
    return ran;
}

int loop_add_fd(struct loop *l, int fd, short events, fd_handler cb, void *opaque)
{
    for (int i = 0; i < l->nfds; i++) {
        if (l->fds[i].fd == fd) {
            l->fds[i] = (struct loop_fd){ fd, events, cb, opaque };
            return 0;
        }
    }
    if (l->nfds == LOOP_MAX_FDS)
        return -1;
    l->fds[l->nfds++] = (struct loop_fd){ fd, events, cb, opaque };
    return 0;
}

void loop_del_fd(struct loop *l, int fd)
{
    for (int i = 0; i < l->nfds; i++) {
        if (l->fds[i].fd == fd) {
            l->fds[i] = l->fds[--l->nfds];
            return;
        }
    }
}

int loop_add_poller(struct loop *l, const struct loop_poller *p)
{
    if (l->npollers == LOOP_MAX_POLLERS)
        return -1;
    l->pollers[l->npollers++] = *p;
    return 0;
}

/* A poll table full on the stack moves to the heap and stays there,
 * doubling: every socket libslirp has open is polled, however many. */
static bool grow(struct loop *l)
{
    int cap = l->pfd_cap * 2;
    struct pollfd *p = malloc((size_t)cap * sizeof *p);
    if (!p)
        return false;
    memcpy(p, l->pfd, (size_t)l->npfd * sizeof *p);
    free(l->pfd_heap);
    l->pfd = l->pfd_heap = p;
    l->pfd_cap = cap;
    return true;
}

int loop_poll_add(struct loop *l, int fd, short events)
{
    if (!l->pfd || (l->npfd == l->pfd_cap && !grow(l)))
        return -1;
    l->pfd[l->npfd] = (struct pollfd){ .fd = fd, .events = events };
    return l->npfd++;
}

void loop_poll_timeout(struct loop *l, int64_t ns)
{
    if (ns >= 0 && (l->poll_timeout < 0 || ns < l->poll_timeout))
        l->poll_timeout = ns;
}

short loop_poll_revents(struct loop *l, int idx)
{
    return l->pfd && idx >= 0 && idx < l->npfd ? l->pfd[idx].revents : 0;
}

bool loop_has_sources(const struct loop *l)
{
    return l->nfds > 0 || l->npollers > 0;
}

/* One poll of every descriptor and poller; true when a poller asks for
 * another look at once. */
static bool poll_round(struct loop *l, int64_t timeout_ns)
{
    uint64_t now = loop_now(l);
    uint64_t next = l->frozen ? UINT64_MAX : loop_next_deadline(l);
    l->poll_timeout = timeout_ns;
    if (next != UINT64_MAX)
        loop_poll_timeout(l, next > now ? (int64_t)(next - now) : 0);

    struct pollfd stack[LOOP_MAX_POLL];
    int n = l->nfds;
    l->pfd = l->pfd_heap ? l->pfd_heap : stack;
    l->pfd_cap = l->pfd_heap ? l->pfd_cap : LOOP_MAX_POLL;
    for (int i = 0; i < n; i++)
        l->pfd[i] = (struct pollfd){ .fd = l->fds[i].fd, .events = l->fds[i].events };
    l->npfd = n;
    for (int i = 0; i < l->npollers; i++)
        l->pollers[i].fill(l->pollers[i].opaque, l);

    l->polled = l->npfd;
    struct timespec ts, *tsp = NULL;
    if (l->poll_timeout >= 0) {
        ts.tv_sec = l->poll_timeout / 1000000000;
        ts.tv_nsec = l->poll_timeout % 1000000000;
        tsp = &ts;
    }
    struct pollfd *pfd = l->pfd;        /* where fill left the table */
    int r = ppoll(pfd, (nfds_t)l->npfd, tsp, NULL);
    if (r > 0) {
        /* Handlers may add or remove fds: look each one up again. */
        for (int i = 0; i < n; i++) {
            if (!pfd[i].revents)
                continue;
            for (int j = 0; j < l->nfds; j++) {
                if (l->fds[j].fd == pfd[i].fd) {
                    l->fds[j].cb(l->fds[j].opaque, pfd[i].revents);
                    break;
                }
            }
        }
    }
    /* r < 0 is EINTR (a kick) or ENOMEM: either way the caller comes back. */
    bool again = false;
    for (int i = 0; i < l->npollers; i++)
        again |= l->pollers[i].dispatch(l->pollers[i].opaque, l, r < 0);
    l->pfd = NULL;
    return again && r >= 0;
}

void loop_wait(struct loop *l, int64_t timeout_ns)
{
    bool again = poll_round(l, timeout_ns);
    for (int round = 1; again && round < LOOP_ROUNDS; round++)
        again = poll_round(l, 0);
    if (!l->frozen)
        loop_run_timers(l);
}
