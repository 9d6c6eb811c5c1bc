/*
 * The machine: RAM, two address spaces, the legacy devices, one vcpu and
 * the event loop. Passed explicitly everywhere; there are no globals.
 */
#ifndef HOST_MACHINE_H
#define HOST_MACHINE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include "core/coalesce.h"
#include "core/loop.h"
#include "core/memory.h"
#include "cpu/cpu.h"
#include "board.h"
#include "net/impair.h"
#include "net/slirp.h"

/* Exit statuses of pcemu besides the guest's own (odd, from debug-exit). */
enum pcemu_status {
    PCEMU_EXIT_OK          = 0,
    PCEMU_EXIT_USAGE       = 2,    /* bad command line, guest file or host */
    PCEMU_EXIT_TRIPLE      = 4,    /* guest triple fault (shutdown) */
    PCEMU_EXIT_DEAD        = 6,    /* guest halted with nothing to wake it */
    PCEMU_EXIT_UNHANDLED   = 8,    /* VM exit pcemu cannot handle */
    PCEMU_EXIT_INTERNAL    = 10,   /* host-side failure while running */
    PCEMU_EXIT_INTERRUPTED = 130,  /* SIGINT, SIGTERM or SIGHUP */
};

/* Where memory below 4 GiB stops so the PCI hole fits, as on i440FX. */
#define PCEMU_LOWMEM_MAX   0xe0000000ull
#define PCEMU_HIGHMEM_BASE 0x100000000ull

struct chardev;
struct monitor;
struct gdbstub;
struct diag;

struct machine_config {
    uint64_t ram_size;
    const char *kernel;
    const char *append;
    const char *initrd;        /* -initrd: a Linux bzImage's initial ramdisk */
    bool rtc_base_set;         /* -rtc base=: the RTC's date at start, */
    int64_t rtc_base;          /* in seconds since 1970 (else RTC_DEFAULT_BASE) */
    const char *serial;        /* "stdio", "file:PATH", "none" */
    const char *accel;         /* "kvm", "interp", NULL: KVM where it works */
    bool unassigned_bars;      /* leave BARs for the guest to assign */
    const char *monitor;       /* NULL, "stdio", "unix:PATH,server,nowait" */
    bool start_paused;         /* -S: wait for `cont` */
    bool stats;                /* -stats: exit counts on stderr at the end */
    const char *gdb;           /* "tcp::PORT" or NULL */
    uint8_t mac[6];            /* the NIC's */
    bool nic_none;             /* -nic none: the cable is not plugged in */
    const char *nic_netdev;    /* -device e1000,netdev=ID */
    struct user_net_config netdevs[4];
    int nnetdevs;
    struct { const char *netdev, *file; } dumps[4];   /* -object filter-dump */
    int ndumps;
    struct net_impair_config impair;    /* -object filter-impair (netdev NULL: none) */
};

struct machine {
    struct machine_config cfg;
    struct loop loop;

    uint8_t *ram;
    uint64_t ram_size, lowmem, highmem;
    struct region sysmem, ram_region, ram_low, ram_high;
    struct region io;
    struct address_space mem_as, io_as;
    /* queued-write zones the CPU has now, in memory and in I/O space */
    struct coalesce_set coalesced, coalesced_io;

    struct board board;         /* the devices (board_pc.c) */
    struct chardev *serial_chr;
    struct diag *diag;          /* device diagnostics naming the guest's line */
    struct user_net *user_net;  /* the NIC's backend */
    struct net_dump *dump;
    struct net_impair *impair;
    struct monitor *monitor;
    struct gdbstub *gdb;

    const struct cpu_ops *cpu_ops;
    struct cpu *cpu;
    struct cpu_state boot_state;   /* what the loader set up */

    bool stop;
    bool in_vcpu;               /* the backend's run() is performing the guest's accesses */
    bool paused;                /* the vcpu waits; the loop runs on */
    uint64_t paused_at;         /* CLOCK_MONOTONIC when it paused */
    uint64_t paused_total;      /* ns the guest spent paused */
    uint64_t tsc_at_pause;
    int exit_status;
    volatile int signalled;     /* set from a signal handler */
    struct machine_stats {
        uint64_t exits, io, mmio, hlt, intr, other;   /* vcpu exits, by kind */
    } stats;
};

/* -stats: the exit counts and the NICs' frame counts, one line. */
void machine_print_stats(struct machine *m, FILE *out);

/* Builds the machine and loads the kernel; on failure prints
 * `pcemu: what: why` and returns -1. */
int machine_init(struct machine *m, const struct machine_config *cfg);
/* Runs until the guest or pcemu ends it; returns the exit status. */
int machine_run(struct machine *m);
void machine_destroy(struct machine *m);

/* Ends the run with status; the vcpu returns at its next exit. */
void machine_request_exit(struct machine *m, int status);

/* Whether the debugger put a breakpoint at this guest address. */
bool machine_debug_is_breakpoint(struct machine *m, uint64_t va);

/* The vcpu stopped for the debugger (#BP or #DB it asked for). */
void machine_debug_exit(struct machine *m, const struct cpu_debug_exit *e);

/* Pause and resume the guest: its clocks (the loop's virtual time and
 * the TSC) stand still while it is paused. */
void machine_pause(struct machine *m);
void machine_resume(struct machine *m);

/* The guest address of the instruction whose device access is being
 * performed now, for diagnostics; false when unknown (no vcpu, a
 * backend that cannot tell, an access from a timer or a socket). */
bool machine_access_pc(struct machine *m, uint64_t *pc);

/* From a signal handler: stop soon with PCEMU_EXIT_INTERRUPTED. */
void machine_signal(struct machine *m, int signo);

/* Called by the vcpu when the guest halted; blocks in the event loop until
 * something can wake it. Returns false when nothing ever could. */
bool machine_wait_halted(struct machine *m);

#endif
