/*
 * The run loop, the same for every backend: the backend runs the guest
 * until its next exit; this loop serves the timers and file descriptors,
 * hands the PIC's interrupts to the guest when it can take them, counts
 * the exits and decides what each means.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include "contract/platform.h"
#include "core/log.h"
#include "cpu/cpu.h"
#include "hw/pic.h"
#include "machine.h"

void vcpu_fatal(struct machine *m, int status, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_error("%s", msg);
    struct cpu_state s;
    if (m->cpu && m->cpu_ops->get_state(m->cpu, &s) == 0)
        cpu_dump_state(&s, stderr);
    machine_request_exit(m, status);
}

/* Give the guest the PIC's interrupt when it can take one, else ask the
 * backend to come back as soon as it can. */
static void inject(struct machine *m)
{
    const struct cpu_ops *ops = m->cpu_ops;
    if (!pic_pending(m->board.pic)) {
        ops->want_window(m->cpu, false);
        return;
    }
    if (ops->can_inject(m->cpu)) {
        ops->inject(m->cpu, pic_ack(m->board.pic));
        ops->want_window(m->cpu, pic_pending(m->board.pic));
    } else {
        ops->want_window(m->cpu, true);
    }
}

/* A backend with its own clock: a halted guest's time jumps to the next
 * deadline, so a run without host sockets is the same every time. While
 * descriptors are polled (sockets, a monitor, a debugger) whatever they
 * bring may be what wakes the guest, so it waits for them in real time,
 * and its clock moves on by the time it waited. */
static bool idle_virtual(struct machine *m)
{
    const struct cpu_ops *ops = m->cpu_ops;
    struct loop *l = &m->loop;
    loop_wait(l, 0);
    if (pic_pending(m->board.pic) || m->stop || m->paused || m->signalled)
        return true;
    uint64_t now = loop_now(l), next = loop_next_deadline(l);
    if (l->polled > 0) {
        uint64_t t0 = monotonic_ns();
        loop_wait(l, next == UINT64_MAX ? -1 : (int64_t)(next - now));
        uint64_t until = now + (monotonic_ns() - t0);
        ops->idle_until(m->cpu, until < next ? until : next);
    } else if (next == UINT64_MAX) {
        return false;
    } else {
        ops->idle_until(m->cpu, next);
    }
    if (!l->frozen)
        loop_run_timers(l);
    return true;
}

static void exit_hlt(struct machine *m, const struct cpu_exit *e)
{
    /* An interrupt already waiting ends the HLT at once. */
    if (e->if_flag && pic_pending(m->board.pic))
        return;
    if (!e->if_flag) {
        vcpu_fatal(m, PCEMU_EXIT_DEAD,
                   "guest halted with interrupts disabled (cli; hlt): it can never wake up");
        return;
    }
    bool alive = m->cpu_ops->idle_until ? idle_virtual(m) : machine_wait_halted(m);
    if (!alive)
        vcpu_fatal(m, PCEMU_EXIT_DEAD,
                   "guest halted with nothing left to wake it (no timer armed, no input)");
}

static void exit_shutdown(struct machine *m, const struct cpu_exit *e)
{
    (void)e;
    vcpu_fatal(m, PCEMU_EXIT_TRIPLE, "guest triple fault (shutdown)");
}

/* The debugger asked for #BP/#DB exits; it decides what they mean. */
static void exit_debug(struct machine *m, const struct cpu_exit *e)
{
    machine_debug_exit(m, &e->debug);
}

typedef void (*exit_fn)(struct machine *m, const struct cpu_exit *e);

static const exit_fn exit_handlers[CPU_EXIT_KINDS] = {
    [CPU_EXIT_HLT] = exit_hlt,
    [CPU_EXIT_SHUTDOWN] = exit_shutdown,
    [CPU_EXIT_DEBUG] = exit_debug,
};

/* Which -stats counter each kind of exit adds to. */
static const size_t counter[CPU_EXIT_KINDS] = {
    [CPU_EXIT_NONE] = offsetof(struct machine_stats, intr),
    [CPU_EXIT_IO] = offsetof(struct machine_stats, io),
    [CPU_EXIT_MMIO] = offsetof(struct machine_stats, mmio),
    [CPU_EXIT_HLT] = offsetof(struct machine_stats, hlt),
    [CPU_EXIT_SHUTDOWN] = offsetof(struct machine_stats, other),
    [CPU_EXIT_DEBUG] = offsetof(struct machine_stats, other),
    [CPU_EXIT_FAILED] = offsetof(struct machine_stats, other),
};

static void count(struct machine_stats *s, enum cpu_exit_kind k)
{
    s->exits++;
    (*(uint64_t *)((char *)s + counter[k]))++;
}

/* File descriptors (monitor, gdb, sockets) are looked at on the first
 * exit FD_LOOK_NS after the last look, and a guest that computes without
 * exiting is stopped for a look FD_POLL_NS after it. The look is cheap
 * next to an exit, so it rides on the exits the guest makes anyway; the
 * forced stop is an exit of its own, so it comes rarely. (A bulk
 * transfer from a host socket moves only what slirp read at the last
 * look: at one look a millisecond its send buffer ran dry between looks.) */
#define FD_LOOK_NS 200000ull
#define FD_POLL_NS 1000000ull

void vcpu_run(struct machine *m)
{
    const struct cpu_ops *ops = m->cpu_ops;
    uint64_t next_fd_look = 0, next_fd_poll = 0;
    while (!m->stop && !m->signalled) {
        if (m->paused) {
            loop_wait(&m->loop, -1);
            continue;
        }
        uint64_t now = monotonic_ns();
        if (now >= next_fd_look) {
            if (loop_has_sources(&m->loop))
                loop_wait(&m->loop, 0);
            next_fd_look = now + FD_LOOK_NS;
            next_fd_poll = now + FD_POLL_NS;
            if (m->paused || m->stop)
                continue;
        }
        /* after the descriptors: what they raised (the monitor's
         * set_link, a frame from a socket) reaches the guest now */
        inject(m);
        struct cpu_exit e = { .kind = CPU_EXIT_NONE };
        uint64_t deadline = m->loop.frozen ? UINT64_MAX : loop_next_deadline(&m->loop);
        m->in_vcpu = true;
        ops->run(m->cpu, deadline, loop_has_sources(&m->loop) ? next_fd_poll : UINT64_MAX, &e);
        m->in_vcpu = false;
        count(&m->stats, e.kind);
        if (exit_handlers[e.kind])
            exit_handlers[e.kind](m, &e);
        if (!m->loop.frozen && loop_next_deadline(&m->loop) <= loop_now(&m->loop))
            loop_run_timers(&m->loop);
    }
}
