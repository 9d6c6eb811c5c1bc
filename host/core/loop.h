/*
 * The event loop: timers on the machine's clock and file descriptors.
 *
 * One thread runs the vcpu and this loop. The clock is CLOCK_MONOTONIC in
 * nanoseconds unless a test installs its own (loop.now).
 */
#ifndef HOST_CORE_LOOP_H
#define HOST_CORE_LOOP_H

#include <stdbool.h>
#include <poll.h>
#include <stdint.h>

struct loop;

struct timer {
    struct loop *loop;
    uint64_t deadline;          /* ns on the loop's clock */
    bool armed;
    void (*cb)(void *opaque);
    void *opaque;
    struct timer *next;         /* armed timers, sorted by deadline */
};

typedef void (*fd_handler)(void *opaque, short revents);

#define LOOP_MAX_FDS 64

struct loop_fd {
    int fd;
    short events;
    fd_handler cb;
    void *opaque;
};

/* A source whose descriptors change from one poll to the next (libslirp's
 * sockets): it adds them before each poll and reads the results after.
 * dispatch returns true when what came back moved something and its
 * descriptors deserve another look at once (a source that takes one
 * item a descriptor a poll): the wait then polls again without blocking,
 * up to LOOP_ROUNDS times, while some poller says so. */
struct loop_poller {
    void (*fill)(void *opaque, struct loop *l);
    bool (*dispatch)(void *opaque, struct loop *l, bool error);
    void *opaque;
};

#define LOOP_MAX_POLLERS 4
#define LOOP_ROUNDS 32
#define LOOP_MAX_POLL (LOOP_MAX_FDS + 256)

struct loop {
    uint64_t (*now)(void *opaque);  /* NULL: CLOCK_MONOTONIC */
    void *now_opaque;
    struct timer *timers;
    struct loop_fd fds[LOOP_MAX_FDS];
    int nfds;
    bool frozen;                /* timers wait: the guest is paused */
    struct loop_poller pollers[LOOP_MAX_POLLERS];
    int npollers;
    struct pollfd *pfd;         /* this poll's descriptors */
    int npfd, pfd_cap;
    struct pollfd *pfd_heap;    /* when pollers brought more than the stack holds */
    int64_t poll_timeout;       /* ns; pollers may lower it */
    int polled;                 /* descriptors the last wait looked at */
};

/* CLOCK_MONOTONIC in nanoseconds: the host's clock, whatever the loop's. */
uint64_t monotonic_ns(void);

void loop_init(struct loop *l);
/* Frees what the loop allocated (a poll table grown past its first size). */
void loop_destroy(struct loop *l);
uint64_t loop_now(struct loop *l);

void timer_init(struct timer *t, struct loop *l, void (*cb)(void *), void *opaque);
void timer_mod(struct timer *t, uint64_t deadline);
void timer_del(struct timer *t);

/* UINT64_MAX when no timer is armed. */
uint64_t loop_next_deadline(struct loop *l);
/* Run every timer whose deadline has passed; returns how many ran. */
int loop_run_timers(struct loop *l);

/* Returns 0, or -1 when the table is full. */
int loop_add_fd(struct loop *l, int fd, short events, fd_handler cb, void *opaque);
void loop_del_fd(struct loop *l, int fd);

int loop_add_poller(struct loop *l, const struct loop_poller *p);
/* For pollers, inside fill: add a descriptor (returns its index; the
 * table grows as needed, -1 only when memory runs out) and shorten the
 * wait; inside dispatch: what came back. */
int loop_poll_add(struct loop *l, int fd, short events);
void loop_poll_timeout(struct loop *l, int64_t ns);
short loop_poll_revents(struct loop *l, int idx);
/* Anything to poll at all (descriptors or pollers)? */
bool loop_has_sources(const struct loop *l);

/* Block until a file descriptor is ready, the next timer is due, or
 * timeout_ns passes (negative: no limit but the timers), then serve
 * the ready fds and the due timers. */
void loop_wait(struct loop *l, int64_t timeout_ns);

#endif
