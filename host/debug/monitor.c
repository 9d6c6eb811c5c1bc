/*
 * The monitor: a line-oriented command interpreter on stdio or a unix
 * socket, served from the event loop like any other file descriptor.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "core/log.h"
#include "debug/info.h"
#include "debug/monitor.h"
#include "machine.h"

#define PROMPT "(pcemu) "
#define LINE_MAX_LEN 1024

struct monitor {
    struct machine *m;
    int in_fd, out_fd;          /* the current conversation */
    int listen_fd;              /* unix socket server, or -1 */
    char *path;
    char line[LINE_MAX_LEN];
    size_t len;
    bool overlong;
};

struct command {
    const char *name, *alias, *args, *help;
    void (*run)(struct machine *m, const char *args, FILE *out);
};

static void cmd_help(struct machine *m, const char *args, FILE *out);
static void cmd_info(struct machine *m, const char *args, FILE *out);

static void cmd_cont(struct machine *m, const char *args, FILE *out)
{
    machine_resume(m);
}

static void cmd_stop(struct machine *m, const char *args, FILE *out)
{
    machine_pause(m);
}

static void cmd_quit(struct machine *m, const char *args, FILE *out)
{
    machine_request_exit(m, PCEMU_EXIT_OK);
}

/* The board's network cards' names, separated by sep. */
static void nic_names(struct machine *m, const char *sep, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < m->board.n && used < len; i++)
        if (m->board.slot[i].desc->nic)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? sep : "",
                                     m->board.slot[i].desc->name);
}

static struct board_slot *find_nic(struct machine *m, const char *name)
{
    struct board_slot *s = board_find(&m->board, name);
    return s && s->desc->nic ? s : NULL;
}

/* set_link NAME on|off, as QEMU spells it; NAME is a NIC of the board. */
static void cmd_set_link(struct machine *m, const char *args, FILE *out)
{
    char name[64], state[16], have[128];
    if (sscanf(args, "%63s %15s", name, state) != 2 ||
        (strcmp(state, "on") != 0 && strcmp(state, "off") != 0)) {
        nic_names(m, "|", have, sizeof have);
        fprintf(out, "set_link: usage: set_link %s on|off\n", have);
        return;
    }
    struct board_slot *nic = find_nic(m, name);
    if (!nic) {
        nic_names(m, ", ", have, sizeof have);
        fprintf(out, "set_link: no device '%s' (have: %s)\n", name, have);
        return;
    }
    nic->desc->nic->set_link(nic->dev, strcmp(state, "on") == 0);
}

static void info_network(struct machine *m, const char *args, FILE *out)
{
    for (unsigned i = 0, index = 0; i < m->board.n; i++) {
        const struct board_slot *s = &m->board.slot[i];
        const struct board_nic *nic = s->desc->nic;
        if (!nic)
            continue;
        uint8_t mac[6];
        nic->mac(s->dev, mac);
        fprintf(out, "%s: index=%u,type=nic,model=%s,macaddr=", s->desc->name, index++,
                nic->model);
        board_print_mac(out, mac);
        fprintf(out, ",link=%s\n", nic->link(s->dev) ? "up" : "down");
        if (s->backend) {
            char buf[300];
            user_net_info(s->backend, buf, sizeof buf);
            fprintf(out, " \\ %s\n", buf);
        } else {
            fprintf(out, " \\ (no backend: -nic none)\n");
        }
    }
}

static void info_status(struct machine *m, const char *args, FILE *out)
{
    fprintf(out, "VM status: %s\n", m->paused ? "paused" : "running");
}

static const struct command commands[] = {
    { "help", "?", "[cmd]", "show the commands", cmd_help },
    { "info", NULL, "[subcommand]", "show the state of the machine", cmd_info },
    { "cont", "c", "", "resume the guest", cmd_cont },
    { "stop", NULL, "", "pause the guest", cmd_stop },
    { "quit", "q", "", "end pcemu (exit status 0)", cmd_quit },
    { "set_link", NULL, NULL, "plug or unplug a NIC's cable (raises LSC)", cmd_set_link },
};

static const struct command infos[] = {
    { "mtree", NULL, "[-f]", "the memory and I/O region trees (-f: flat views)", info_mtree },
    { "qtree", NULL, "", "the device tree", info_qtree },
    { "pci", NULL, "", "the PCI functions", info_pci },
    { "status", NULL, "", "whether the guest runs", info_status },
    { "network", NULL, "", "the NICs and their backends", info_network },
};

#define N(a) (sizeof (a) / sizeof (a)[0])

static const struct command *find(const struct command *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0 || (t[i].alias && strcmp(t[i].alias, name) == 0))
            return &t[i];
    return NULL;
}

static void list_one(const char *prefix, const char *name, const char *alias,
                     const char *args, const char *help, FILE *out)
{
    char head[64];
    snprintf(head, sizeof head, "%s%s%s%s %s", prefix, name, alias ? "|" : "",
             alias ? alias : "", args);
    fprintf(out, "%-24s -- %s\n", head, help);
}

/* A NULL args is set_link's: the board's NICs. */
static void list(struct machine *m, const char *prefix, const struct command *t, size_t n,
                 FILE *out)
{
    for (size_t i = 0; i < n; i++) {
        char args[160] = "";
        if (!t[i].args) {
            nic_names(m, "|", args, sizeof args - 8);
            strcat(args, " on|off");
        }
        list_one(prefix, t[i].name, t[i].alias, t[i].args ? t[i].args : args, t[i].help, out);
    }
}

/* info: the machine's own subcommands, then those of the board's devices. */
static void list_infos(struct machine *m, FILE *out)
{
    list(m, "info ", infos, N(infos), out);
    for (unsigned i = 0; i < m->board.n; i++) {
        const struct board_device *d = m->board.slot[i].desc;
        if (d->info)
            list_one("info ", d->name, NULL, "", d->info_help, out);
    }
}

static void cmd_help(struct machine *m, const char *args, FILE *out)
{
    if (!*args) {
        list(m, "", commands, N(commands), out);
        list_infos(m, out);
        return;
    }
    const struct command *c = find(commands, N(commands), args);
    if (!c) {
        fprintf(out, "help: unknown command '%s' (try 'help')\n", args);
        return;
    }
    list(m, "", c, 1, out);
    if (c->run == cmd_info)
        list_infos(m, out);
}

/* A command whose table entry takes no arguments refuses any, rather
 * than ignore them (quit now, info pci extra). */
static bool no_extra(const char *args, const char *prefix, const char *name, const char *rest,
                     FILE *out)
{
    if (!args || args[0] || !*rest)
        return true;
    fprintf(out, "%s%s: takes no argument (got '%s')\n", prefix, name, rest);
    return false;
}

/* Splits "word rest" in place: returns word, *rest points past spaces. */
static char *split(char *s, char **rest)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s;
    while (*e && *e != ' ' && *e != '\t')
        e++;
    char *r = e;
    if (*r) {
        *r++ = 0;
        while (*r == ' ' || *r == '\t')
            r++;
    }
    *rest = r;
    return s;
}

static void cmd_info(struct machine *m, const char *args, FILE *out)
{
    char buf[LINE_MAX_LEN], *rest;
    snprintf(buf, sizeof buf, "%s", args);
    char *sub = split(buf, &rest);
    if (!*sub) {
        list_infos(m, out);
        return;
    }
    const struct command *c = find(infos, N(infos), sub);
    if (c) {
        if (no_extra(c->args, "info ", c->name, rest, out))
            c->run(m, rest, out);
        return;
    }
    struct board_slot *s = board_find(&m->board, sub);
    if (!s || !s->desc->info) {
        fprintf(out, "info: unknown subcommand '%s' (try 'info' for the list)\n", sub);
        return;
    }
    if (no_extra("", "info ", sub, rest, out))
        s->desc->info(s->dev, out);
}

void monitor_execute(struct machine *m, const char *line, FILE *out)
{
    char buf[LINE_MAX_LEN], *rest;
    snprintf(buf, sizeof buf, "%s", line);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = 0;
    char *name = split(buf, &rest);
    if (!*name)
        return;
    const struct command *c = find(commands, N(commands), name);
    if (!c) {
        fprintf(out, "unknown command: '%s' (try 'help')\n", name);
        return;
    }
    if (no_extra(c->args, "", c->name, rest, out))
        c->run(m, rest, out);
}

static void say(struct monitor *mon, const char *s, size_t len)
{
    while (len && mon->out_fd >= 0) {
        ssize_t n = write(mon->out_fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;        /* the peer went away; reading will notice */
        s += n;
        len -= (size_t)n;
    }
}

static void run_line(struct monitor *mon, const char *line)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return;
    monitor_execute(mon->m, line, out);
    fclose(out);
    say(mon, text, len);
    free(text);
    if (!mon->m->stop)
        say(mon, PROMPT, strlen(PROMPT));
}

static void on_accept(void *opaque, short revents);

static void end_conversation(struct monitor *mon)
{
    loop_del_fd(&mon->m->loop, mon->in_fd);
    if (mon->listen_fd >= 0) {
        close(mon->in_fd);
        mon->in_fd = mon->out_fd = -1;
        loop_add_fd(&mon->m->loop, mon->listen_fd, POLLIN, on_accept, mon);
    } else {
        mon->in_fd = -1;   /* stdin ended: the guest runs on */
        if (mon->m->paused && !mon->m->gdb) {
            /* nothing is left that could say cont: waiting would be for ever */
            log_info("monitor: input ended with the guest paused and nothing else to "
                     "resume it; quitting");
            machine_request_exit(mon->m, PCEMU_EXIT_OK);
        }
    }
}

static void on_input(void *opaque, short revents)
{
    struct monitor *mon = opaque;
    char buf[512];
    ssize_t n = read(mon->in_fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        end_conversation(mon);
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            mon->line[mon->len] = 0;
            if (mon->overlong) {
                const char *msg = "line too long, ignored\n" PROMPT;
                say(mon, msg, strlen(msg));
            } else {
                run_line(mon, mon->line);
            }
            mon->len = 0;
            mon->overlong = false;
        } else if (mon->len + 1 < sizeof mon->line) {
            mon->line[mon->len++] = buf[i];
        } else {
            mon->overlong = true;
        }
    }
}

static void greet(struct monitor *mon)
{
    const char *hello = "pcemu monitor - type 'help' for more information\n" PROMPT;
    say(mon, hello, strlen(hello));
}

static void on_accept(void *opaque, short revents)
{
    struct monitor *mon = opaque;
    int fd = accept4(mon->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    /* One conversation at a time: stop listening until it ends. */
    loop_del_fd(&mon->m->loop, mon->listen_fd);
    mon->in_fd = mon->out_fd = fd;
    mon->len = 0;
    loop_add_fd(&mon->m->loop, fd, POLLIN, on_input, mon);
    greet(mon);
}

static int open_unix(struct monitor *mon, const char *spec, char *why, size_t whylen)
{
    char path[sizeof ((struct sockaddr_un *)0)->sun_path];
    const char *p = spec + 5, *comma = strchr(p, ',');
    size_t plen = comma ? (size_t)(comma - p) : strlen(p);
    if (plen == 0 || plen >= sizeof path) {
        snprintf(why, whylen, "socket path empty or longer than %zu bytes", sizeof path - 1);
        return -1;
    }
    memcpy(path, p, plen);
    path[plen] = 0;
    for (const char *o = comma; o && *o; o = strchr(o + 1, ',')) {
        const char *opt = o + 1;
        if (strncmp(opt, "server", 6) && strncmp(opt, "nowait", 6) &&
            strncmp(opt, "wait=off", 8)) {
            snprintf(why, whylen, "unknown socket option '%.*s' (have: server, nowait)",
                     (int)strcspn(opt, ","), opt);
            return -1;
        }
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    memcpy(sa.sun_path, path, plen + 1);
    unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    mon->listen_fd = fd;
    mon->path = strdup(path);
    loop_add_fd(&mon->m->loop, fd, POLLIN, on_accept, mon);
    return 0;
}

struct monitor *monitor_open(struct machine *m, const char *spec, char *why, size_t whylen)
{
    struct monitor *mon = zalloc_or_why(sizeof *mon, why, whylen);
    if (!mon)
        return NULL;
    mon->m = m;
    mon->in_fd = mon->out_fd = mon->listen_fd = -1;
    if (strcmp(spec, "stdio") == 0) {
        mon->in_fd = STDIN_FILENO;
        mon->out_fd = STDOUT_FILENO;
        loop_add_fd(&m->loop, mon->in_fd, POLLIN, on_input, mon);
        greet(mon);
    } else if (strncmp(spec, "unix:", 5) == 0) {
        if (open_unix(mon, spec, why, whylen) < 0) {
            free(mon);
            return NULL;
        }
    } else {
        snprintf(why, whylen, "unknown backend (use stdio or unix:PATH,server,nowait)");
        free(mon);
        return NULL;
    }
    return mon;
}

void monitor_close(struct monitor *mon)
{
    if (!mon)
        return;
    if (mon->in_fd >= 0) {
        loop_del_fd(&mon->m->loop, mon->in_fd);
        if (mon->listen_fd >= 0)
            close(mon->in_fd);
    }
    if (mon->listen_fd >= 0) {
        loop_del_fd(&mon->m->loop, mon->listen_fd);
        close(mon->listen_fd);
        unlink(mon->path);
    }
    free(mon->path);
    free(mon);
}
