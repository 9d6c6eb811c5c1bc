/*
 * pcemu [options] GUEST.elf: the command line, in QEMU's spelling where
 * QEMU has one, turned into a machine_config.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "contract/boot.h"
#include "core/log.h"
#include "hw/e1000.h"
#include "hw/rtc.h"
#include "machine.h"

#define PCEMU_VERSION "0.1.0"

static const char usage[] =
"usage: pcemu [options] GUEST.elf\n"
"       pcemu [options] -kernel GUEST.elf\n"
"\n"
"Boots GUEST.elf on a small x86 PC, under KVM or on pcemu's own x86\n"
"interpreter. A 64-bit ELF carrying the\n"
"pcemu entry note starts in long mode; any multiboot v1 kernel starts as\n"
"GRUB would start it; a Linux bzImage boots through Linux's boot protocol.\n"
"\n"
"options:\n"
"  -kernel PATH        the guest kernel (ELF32, ELF64 or a Linux bzImage)\n"
"  -append CMDLINE     command line handed to the guest\n"
"  -initrd FILE        initial ramdisk for a Linux bzImage kernel\n"
"  -m SIZE             guest RAM, e.g. 64M, 1G (default 64M; plain numbers are MiB)\n"
"  -accel kvm|interp   the CPU: KVM, or pcemu's interpreter (tcg is taken for\n"
"                      interp); default: KVM where /dev/kvm works, else interp\n"
"  -rtc base=utc|YYYY-MM-DD[THH:MM:SS]\n"
"                      the CMOS clock's date at start: the host's time, or a date\n"
"                      (UTC; default 2025-01-01, so interpreter runs repeat)\n"
"  -serial stdio|file:PATH|none\n"
"                      where COM1 goes (default stdio)\n"
"  -machine [pc][,unassigned-bars=on]\n"
"                      unassigned-bars=on leaves PCI BARs zero and decoding\n"
"                      off, for guests that assign them (default: firmware did)\n"
"  -netdev user,id=ID[,net=A/B][,host=A][,dhcpstart=A][,dns=A][,hostfwd=tcp:[HA]:HP-[GA]:GP]\n"
"                      user-mode networking (libslirp); default: one for the e1000\n"
"  -device e1000[,netdev=ID][,mac=52:54:00:12:34:56]\n"
"                      the e1000's backend and MAC address\n"
"  -nic user[,model=e1000][,mac=..][,hostfwd=..] | -nic none\n"
"                      the short form; none leaves the cable unplugged\n"
"  -object filter-dump,id=ID,netdev=ID,file=PATH\n"
"                      write every frame of that netdev, both ways, to a pcap file\n"
"  -object filter-impair,id=ID,netdev=ID[,queue=all|rx|tx][,loss=PCT][,corrupt=PCT]\n"
"          [,duplicate=PCT][,reorder=PCT][,delay=MS][,seed=N]\n"
"                      faults on that netdev's wire, drawn from a seeded generator\n"
"  -monitor stdio|unix:PATH,server,nowait|none\n"
"                      the monitor: info mtree [-f], info qtree, info pci, cont, quit\n"
"  -gdb tcp::PORT      wait for gdb on PORT (loopback only)\n"
"  -s                  the same as -gdb tcp::1234\n"
"  -S                  do not start the guest until the monitor or gdb says so\n"
"  -display none       accepted: pcemu has no display\n"
"  -nographic          accepted: same as the default\n"
"  -no-reboot          accepted: pcemu always stops on a guest triple fault\n"
"  -stats              at the end, VM exits by kind, instructions (interp) and\n"
"                      e1000 frames on stderr\n"
"  -h, --help          this text\n"
"  --version           the version\n"
"\n"
"exit status: the guest's own through the debug-exit port 0xf4 ((v << 1) | 1),\n"
"  2 bad command line, guest file, or -accel kvm without a usable /dev/kvm,\n"
"  4 guest triple fault,\n"
"  6 guest halted for good, 8 unhandled VM exit, 10 host failure while running,\n"
"  130 stopped by SIGINT/SIGTERM/SIGHUP.\n";

struct opt {
    const char *name;
    bool has_arg;
    int (*apply)(struct machine_config *cfg, const char *arg);
};

static int parse_size(const char *s, uint64_t *out)
{
    if (strncmp(s, "size=", 5) == 0)
        s += 5;
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    unsigned shift = 20;       /* QEMU's default unit is MiB */
    switch (*end) {
    case 0: break;
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: return -1;
    }
    if ((*end == 'b' || *end == 'B') && end[1] == 0)
        end++;
    if (*end || v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static int opt_m(struct machine_config *cfg, const char *arg)
{
    uint64_t size;
    if (parse_size(arg, &size) < 0) {
        log_error("-m %s: not a size (examples: 64M, 512M, 2G)", arg);
        return -1;
    }
    if (size < (8ull << 20)) {
        log_error("-m %s: too small, the guest needs at least 8 MiB", arg);
        return -1;
    }
    uint64_t host = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
    if (size > host) {
        log_error("-m %s: more than this host's %llu MiB of memory", arg,
                  (unsigned long long)(host >> 20));
        return -1;
    }
    if (size & 0xfff) {
        log_error("-m %s: not a whole number of 4 KiB pages", arg);
        return -1;
    }
    cfg->ram_size = size;
    return 0;
}

static int opt_accel(struct machine_config *cfg, const char *arg)
{
    if (strcmp(arg, "kvm") == 0 || strcmp(arg, "interp") == 0) {
        cfg->accel = arg;
    } else if (strcmp(arg, "tcg") == 0) {
        cfg->accel = "interp";      /* QEMU users' name for a CPU in software */
    } else {
        log_error("-accel %s: no such accelerator (pcemu has: kvm, interp; tcg means interp)",
                  arg);
        return -1;
    }
    return 0;
}

static int opt_enable_kvm(struct machine_config *cfg, const char *arg)
{
    return opt_accel(cfg, "kvm");
}

static int opt_kernel(struct machine_config *cfg, const char *arg)
{
    if (!*arg) {
        log_error("guest kernel path is empty");
        return -1;
    }
    if (cfg->kernel) {
        log_error("%s: only one guest kernel can be given (already have %s)", arg, cfg->kernel);
        return -1;
    }
    cfg->kernel = arg;
    return 0;
}

static int opt_append(struct machine_config *cfg, const char *arg)
{
    size_t len = strlen(arg);
    if (len >= PCEMU_BOOT_CMDLINE_MAX) {
        log_error("-append: the command line is %zu bytes, at most %u fit", len,
                  PCEMU_BOOT_CMDLINE_MAX - 1);
        return -1;
    }
    cfg->append = arg;
    return 0;
}

static int opt_initrd(struct machine_config *cfg, const char *arg)
{
    if (!*arg) {
        log_error("-initrd: the path is empty");
        return -1;
    }
    cfg->initrd = arg;
    return 0;
}

/* An option's value copied into buf for strtok_r: one too long for it
 * is refused, never cut (a cut list would drop its last items unsaid). */
static int copy_value(const char *opt, const char *val, char *buf, size_t size)
{
    size_t n = strlen(val);
    if (n >= size) {
        log_error("%s: the value is %zu characters long; at most %zu are taken", opt, n,
                  size - 1);
        return -1;
    }
    memcpy(buf, val, n + 1);
    return 0;
}

/* -rtc base=utc|DATE: QEMU's spelling; the clock always runs on the
 * machine's own clock (QEMU's clock=vm). */
static int opt_rtc(struct machine_config *cfg, const char *arg)
{
    char buf[64];
    if (copy_value("-rtc", arg, buf, sizeof buf) < 0)
        return -1;
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        if (strcmp(p, "base=utc") == 0) {
            cfg->rtc_base = (int64_t)time(NULL);
        } else if (strncmp(p, "base=", 5) != 0 || !rtc_parse_date(p + 5, &cfg->rtc_base)) {
            log_error("-rtc %s: expected base=utc or base=YYYY-MM-DD[THH:MM:SS] "
                      "(UTC, 1970-2069)", arg);
            return -1;
        }
        cfg->rtc_base_set = true;
    }
    return 0;
}

static int opt_serial(struct machine_config *cfg, const char *arg)
{
    cfg->serial = arg;
    return 0;
}

/* -machine [type=]pc[,unassigned-bars=on|off] */
static int opt_machine(struct machine_config *cfg, const char *arg)
{
    char buf[256];
    if (copy_value("-machine", arg, buf, sizeof buf) < 0)
        return -1;
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        if (strcmp(p, "pc") == 0 || strcmp(p, "type=pc") == 0)
            continue;
        if (strcmp(p, "unassigned-bars=on") == 0 || strcmp(p, "unassigned-bars") == 0)
            cfg->unassigned_bars = true;
        else if (strcmp(p, "unassigned-bars=off") == 0)
            cfg->unassigned_bars = false;
        else {
            log_error("-machine %s: unknown property '%s' (have: pc, unassigned-bars=on|off)",
                      arg, p);
            return -1;
        }
    }
    return 0;
}

static int opt_monitor(struct machine_config *cfg, const char *arg)
{
    cfg->monitor = strcmp(arg, "none") == 0 ? NULL : arg;
    return 0;
}

static int opt_gdb(struct machine_config *cfg, const char *arg)
{
    cfg->gdb = strcmp(arg, "none") == 0 ? NULL : arg;
    return 0;
}

static int opt_gdb_default(struct machine_config *cfg, const char *arg)
{
    cfg->gdb = "tcp::1234";
    return 0;
}

static int opt_paused(struct machine_config *cfg, const char *arg)
{
    cfg->start_paused = true;
    return 0;
}

/* KEY=VALUE,... after the first word; each pair goes to fn. */
static int each_prop(const char *opt, const char *arg, const char *rest,
                     int (*fn)(struct machine_config *cfg, void *ctx, const char *key,
                               const char *val), struct machine_config *cfg, void *ctx)
{
    char buf[1024];
    if (copy_value(opt, rest, buf, sizeof buf) < 0)
        return -1;
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(p, '=');
        if (!eq) {
            log_error("%s %s: '%s' is not KEY=VALUE", opt, arg, p);
            return -1;
        }
        *eq = 0;
        if (fn(cfg, ctx, p, eq + 1) < 0) {
            log_error("%s %s: unknown or bad property %s=%s", opt, arg, p, eq + 1);
            return -1;
        }
    }
    return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
        return -1;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 0xff)
            return -1;
        mac[i] = (uint8_t)v[i];
    }
    return mac[0] & 1 ? -1 : 0;      /* a NIC's own address is unicast */
}

/* net=, host=, dhcpstart=, dns=, hostfwd= (repeatable) */
static int user_prop(struct machine_config *cfg, void *ctx, const char *key, const char *val)
{
    struct user_net_config *u = ctx;
    char *v = strdup(val);
    if (!v)
        return -1;
    if (!strcmp(key, "id")) u->id = v;
    else if (!strcmp(key, "net")) u->net = v;
    else if (!strcmp(key, "host")) u->host = v;
    else if (!strcmp(key, "dhcpstart")) u->dhcpstart = v;
    else if (!strcmp(key, "dns")) u->dns = v;
    else if (!strcmp(key, "hostfwd") && u->nhostfwd < 8) u->hostfwd[u->nhostfwd++] = v;
    else if (!strcmp(key, "model") && !strcmp(val, "e1000")) free(v);
    else if (!strcmp(key, "mac") && parse_mac(val, cfg->mac) == 0) free(v);
    else {
        free(v);
        return -1;
    }
    return 0;
}

/* A user backend from "user[,KEY=VALUE...]" (opt names the option, for
 * errors); id is the default id, NULL for one the option must give. */
static struct user_net_config *add_user_netdev(struct machine_config *cfg, const char *opt,
                                               const char *arg, const char *id)
{
    if (cfg->nnetdevs == 4) {
        log_error("%s %s: at most 4 backends", opt, arg);
        return NULL;
    }
    struct user_net_config *u = &cfg->netdevs[cfg->nnetdevs];
    memset(u, 0, sizeof *u);
    u->id = id;
    if (each_prop(opt, arg, arg[4] ? arg + 5 : "", user_prop, cfg, u) < 0)
        return NULL;
    if (!u->id) {
        log_error("%s %s: needs id=NAME", opt, arg);
        return NULL;
    }
    cfg->nnetdevs++;
    return u;
}

static int opt_netdev(struct machine_config *cfg, const char *arg)
{
    if (strncmp(arg, "user,", 5) != 0 && strcmp(arg, "user") != 0) {
        log_error("-netdev %s: only the user backend exists (-netdev user,id=ID,...)", arg);
        return -1;
    }
    return add_user_netdev(cfg, "-netdev", arg, NULL) ? 0 : -1;
}

static int nic_prop(struct machine_config *cfg, void *ctx, const char *key, const char *val)
{
    if (!strcmp(key, "netdev"))
        cfg->nic_netdev = strdup(val);
    else if (!strcmp(key, "mac"))
        return parse_mac(val, cfg->mac);
    else
        return -1;
    return 0;
}

static int opt_device(struct machine_config *cfg, const char *arg)
{
    if (strncmp(arg, "e1000,", 6) != 0 && strcmp(arg, "e1000") != 0) {
        log_error("-device %s: pcemu has one device to add, e1000 (-device e1000,netdev=ID)", arg);
        return -1;
    }
    return each_prop("-device", arg, arg[5] ? arg + 6 : "", nic_prop, cfg, NULL);
}

/* -nic none | -nic user[,model=e1000][,mac=..][,hostfwd=..]... */
static int opt_nic(struct machine_config *cfg, const char *arg)
{
    if (!strcmp(arg, "none")) {
        cfg->nic_none = true;
        return 0;
    }
    if (strncmp(arg, "user,", 5) != 0 && strcmp(arg, "user") != 0) {
        log_error("-nic %s: only -nic user[,model=e1000,...] or -nic none", arg);
        return -1;
    }
    const struct user_net_config *u = add_user_netdev(cfg, "-nic", arg, "nic.0");
    if (!u)
        return -1;
    cfg->nic_netdev = u->id;
    return 0;
}

static int dump_prop(struct machine_config *cfg, void *ctx, const char *key, const char *val)
{
    int i = cfg->ndumps;
    if (!strcmp(key, "id"))
        return 0;
    if (!strcmp(key, "netdev"))
        cfg->dumps[i].netdev = strdup(val);
    else if (!strcmp(key, "file"))
        cfg->dumps[i].file = strdup(val);
    else
        return -1;
    return 0;
}

static int impair_prop(struct machine_config *cfg, void *ctx, const char *key, const char *val)
{
    if (!strcmp(key, "id"))
        return 0;
    if (!strcmp(key, "netdev")) {
        cfg->impair.netdev = strdup(val);
        return 0;
    }
    return net_impair_prop(&cfg->impair, key, val) ? 0 : -1;
}

/* -object filter-dump,id=ID,netdev=ID,file=PATH
 * -object filter-impair,id=ID,netdev=ID,... (net/impair.h) */
static int opt_object(struct machine_config *cfg, const char *arg)
{
    if (strncmp(arg, "filter-impair,", 14) == 0) {
        if (cfg->impair.netdev) {
            log_error("-object %s: one filter-impair at most", arg);
            return -1;
        }
        if (each_prop("-object", arg, arg + 14, impair_prop, cfg, NULL) < 0)
            return -1;
        if (!cfg->impair.netdev) {
            log_error("-object %s: needs netdev=ID", arg);
            return -1;
        }
        return 0;
    }
    if (strncmp(arg, "filter-dump,", 12) != 0) {
        log_error("-object %s: pcemu has filter-dump,id=ID,netdev=ID,file=PATH and "
                  "filter-impair,id=ID,netdev=ID,...", arg);
        return -1;
    }
    if (cfg->ndumps == 4) {
        log_error("-object %s: at most 4 dumps", arg);
        return -1;
    }
    if (each_prop("-object", arg, arg + 12, dump_prop, cfg, NULL) < 0)
        return -1;
    if (!cfg->dumps[cfg->ndumps].netdev || !cfg->dumps[cfg->ndumps].file) {
        log_error("-object %s: needs netdev=ID and file=PATH", arg);
        return -1;
    }
    cfg->ndumps++;
    return 0;
}

static int opt_display(struct machine_config *cfg, const char *arg)
{
    if (strcmp(arg, "none") != 0) {
        log_error("-display %s: pcemu has no display; only -display none", arg);
        return -1;
    }
    return 0;
}

static int opt_nothing(struct machine_config *cfg, const char *arg)
{
    return 0;
}

static int opt_stats(struct machine_config *cfg, const char *arg)
{
    cfg->stats = true;
    return 0;
}

static int opt_help(struct machine_config *cfg, const char *arg)
{
    fputs(usage, stdout);
    exit(0);
}

static int opt_version(struct machine_config *cfg, const char *arg)
{
    printf("pcemu %s\n", PCEMU_VERSION);
    exit(0);
}

static const struct opt opts[] = {
    { "-m", true, opt_m },
    { "-accel", true, opt_accel },
    { "-enable-kvm", false, opt_enable_kvm },
    { "-kernel", true, opt_kernel },
    { "-append", true, opt_append },
    { "-initrd", true, opt_initrd },
    { "-serial", true, opt_serial },
    { "-rtc", true, opt_rtc },
    { "-display", true, opt_display },
    { "-machine", true, opt_machine },
    { "-netdev", true, opt_netdev },
    { "-device", true, opt_device },
    { "-nic", true, opt_nic },
    { "-object", true, opt_object },
    { "-monitor", true, opt_monitor },
    { "-S", false, opt_paused },
    { "-gdb", true, opt_gdb },
    { "-s", false, opt_gdb_default },
    { "-M", true, opt_machine },
    { "-nographic", false, opt_nothing },
    { "-no-reboot", false, opt_nothing },   /* a triple fault always ends the run */
    { "-stats", false, opt_stats },
    { "-h", false, opt_help },
    { "-help", false, opt_help },
    { "--help", false, opt_help },
    { "-version", false, opt_version },
    { "--version", false, opt_version },
};

static const struct opt *find_opt(const char *name)
{
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    return NULL;
}

static int parse_args(int argc, char **argv, struct machine_config *cfg)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == 0) {
            if (opt_kernel(cfg, a) < 0)
                return -1;
            continue;
        }
        const struct opt *o = find_opt(a);
        if (!o) {
            log_error("%s: unknown option (try --help)", a);
            return -1;
        }
        const char *arg = NULL;
        if (o->has_arg) {
            if (i + 1 >= argc) {
                log_error("%s: needs an argument (try --help)", a);
                return -1;
            }
            arg = argv[++i];
        }
        if (o->apply(cfg, arg) < 0)
            return -1;
    }
    if (cfg->start_paused && !cfg->monitor && !cfg->gdb) {
        log_error("-S: nothing could start the guest (add -monitor or -gdb)");
        return -1;
    }
    if (!cfg->kernel) {
        log_error("no guest kernel given (usage: pcemu [options] GUEST.elf; try --help)");
        return -1;
    }
    return 0;
}

/* The one global: signal handlers have no other way to find the machine. */
static struct machine *signal_machine;

static void on_signal(int signo)
{
    if (signal_machine)
        machine_signal(signal_machine, signo);
}

#ifndef __SANITIZE_ADDRESS__
static int teardown(void *arg)
{
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    setsid();
    machine_destroy(arg);
    _exit(0);
}
#endif

int main(int argc, char **argv)
{
    struct machine_config cfg = {
        .mac = E1000_DEFAULT_MAC,
        .ram_size = 64ull << 20,
        .serial = "stdio",
    };
    if (parse_args(argc, argv, &cfg) < 0)
        return PCEMU_EXIT_USAGE;

    /* A closed output pipe is reported, never fatal. */
    signal(SIGPIPE, SIG_IGN);

    static struct machine m;
    if (machine_init(&m, &cfg) < 0) {
        machine_destroy(&m);
        return PCEMU_EXIT_USAGE;
    }
    signal_machine = &m;
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    int status = machine_run(&m);
    signal_machine = NULL;
    if (m.cfg.stats)
        machine_print_stats(&m, stderr);
    fflush(stdout);
    fflush(stderr);
#ifndef __SANITIZE_ADDRESS__
    /* Tearing a VM down can take a KVM longer than a whole test run (its
     * shadow page tables go with the address space; docs/results.md).
     * The verdict is known now: a child sharing our address space does
     * the teardown, and the caller gets the exit status at once.
     * (Sanitizer builds tear down in place so leaks are still found.) */
    static char stack[64 * 1024] __attribute__((aligned(16)));
    if (clone(teardown, stack + sizeof stack, CLONE_VM, &m) > 0)
        _exit(status);
#endif
    machine_destroy(&m);
    return status;
}
