/*
 * netharness -- COMMAND [ARGS...]: the host side of the guest's network
 * self-tests. It opens its servers on 127.0.0.1, runs COMMAND (pcemu or
 * QEMU with the guest) with "@NET@" in any argument replaced by the
 * guest command line that names the servers' ports and "@HOSTFWD@" by a
 * hostfwd rule, serves until COMMAND exits, and exits with its status.
 * The guest reaches the servers at 10.0.2.2 through slirp.
 *
 *   echo    TCP: sends back what it receives
 *   sink    TCP: reads to EOF, answers with the SHA-256 of what it read
 *   source  TCP: reads an 8-byte big-endian count N, sends N bytes, then
 *           their SHA-256, and closes
 *   udpecho UDP: sends each datagram back
 *   dns     UDP: answers A queries for one name (NET_DNS_NAME, default
 *           pcemu.test) with one address (10.0.2.77), NXDOMAIN otherwise
 *   closed  TCP: a port bound but not listening: connections are refused
 *   inbound the harness connects to the guest's server through hostfwd
 *           (guest port 7777), says hello, expects a hello back and EOF;
 *           only once the guest has sent INBOUND_ARM to udpecho: until
 *           then slirp would knock on the guest (ARP requests, SYNs)
 *           while tests that count frames or causes expect a quiet wire
 *
 * With --flood N (the flood self-test, issue 13) it also forwards a UDP
 * port to the guest's FLOOD_GUEST_PORT (in @HOSTFWD@) and opens a control
 * port (flood.ctl= in @NET@). When the guest says it is ready there, it
 * sends N numbered datagrams (flood.h) through the forward as fast as it
 * can (or --rate R a second), waits until slirp's socket has taken everything queued for it, and
 * sends end markers, one a second, until the guest reports. Its line says
 * what it sent and what the host dropped on the way: the drops of slirp's
 * socket (/proc/net/udp) and of the loopback's backlog queues
 * (/proc/net/softnet_stat, system-wide, usually 0).
 *
 * What it saw goes to stderr prefixed "netharness:".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "flood.h"
#include "sha256.h"

#define GUEST_LISTEN_PORT 7777
#define DNS_ADDR "10.0.2.77"
#define MAX_CONNS 32
#define HELLO_HOST "hello from the host\n"
#define HELLO_GUEST "hello from the guest\n"
#define INBOUND_ARM "inbound: listening\n"

enum kind { ECHO, SINK, SOURCE, INBOUND };

struct conn {
    int fd;
    enum kind kind;
    uint8_t out[65536];             /* what waits to be written */
    size_t out_len, out_off;
    struct sha256 sha;
    uint64_t count, want;           /* bytes seen; source: bytes to send */
    uint8_t hdr[8];
    size_t hdr_len;
    uint64_t rng;
    bool eof, done_sending;
    double started;
    char line[64];
    size_t line_len;
};

static struct conn conns[MAX_CONNS];
static int listen_fd[3], udp_echo_fd, dns_fd, closed_fd;
static uint16_t port_of[3], udp_echo_port, dns_port, closed_port, hostfwd_port;
static const char *dns_name = "pcemu.test";
static bool inbound_ok, inbound_armed;
static double inbound_next;
static unsigned long flood_count;          /* --flood N; 0: no flood */
static unsigned long flood_rate;           /* --rate R datagrams a second; 0: flat out */
static int flood_ctl_fd = -1;
static uint16_t flood_ctl_port, flood_fwd_port;
static bool flood_started;

/* What the harness has to say is held until the command it runs ends:
 * the guest's console shares the output and writes a line a byte at a
 * time, so a message printed meanwhile would split a TAP line. */
static char said[65536];
static size_t said_len;

static void say(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (said_len + len + 13 > sizeof said) {
        fprintf(stderr, "netharness: %s\n", line);   /* full: as it comes */
        return;
    }
    said_len += (size_t)snprintf(said + said_len, sizeof said - said_len, "netharness: %s\n",
                                 line);
}

static void say_held(void)
{
    fwrite(said, 1, said_len, stderr);
    said_len = 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static uint16_t bound_port(int fd)
{
    struct sockaddr_in a;
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    return ntohs(a.sin_port);
}

static int open_socket(int type, bool listening)
{
    int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        (listening && listen(fd, 8) < 0)) {
        say("cannot open a socket on 127.0.0.1: %s", strerror(errno));
        exit(2);
    }
    return fd;
}

static struct conn *new_conn(int fd, enum kind kind)
{
    for (int i = 0; i < MAX_CONNS; i++) {
        if (!conns[i].fd) {
            struct conn *c = &conns[i];
            memset(c, 0, sizeof *c);
            c->fd = fd;
            c->kind = kind;
            sha256_init(&c->sha);
            return c;
        }
    }
    close(fd);
    return NULL;
}

static void end_conn(struct conn *c)
{
    close(c->fd);
    c->fd = 0;
}

static void hex(const uint8_t *d, char *out)
{
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

/* The source's bytes: xorshift64, seeded by the count asked for. */
static void fill(struct conn *c)
{
    while (c->out_len < sizeof c->out && c->count < c->want) {
        size_t n = sizeof c->out - c->out_len;
        if (n > c->want - c->count)
            n = (size_t)(c->want - c->count);
        for (size_t i = 0; i < n; i++) {
            c->rng ^= c->rng << 13;
            c->rng ^= c->rng >> 7;
            c->rng ^= c->rng << 17;
            c->out[c->out_len + i] = (uint8_t)c->rng;
        }
        sha256_update(&c->sha, c->out + c->out_len, n);
        c->out_len += n;
        c->count += n;
    }
    if (c->count == c->want && !c->done_sending && c->out_len + 32 <= sizeof c->out) {
        uint8_t d[32];
        char h[65];
        sha256_final(&c->sha, d);
        memcpy(c->out + c->out_len, d, 32);
        c->out_len += 32;
        c->done_sending = true;
        hex(d, h);
        say("source: %llu bytes sent, sha256 %s", (unsigned long long)c->want, h);
    }
}

static void flush_out(struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n <= 0)
            return;
        c->out_off += (size_t)n;
    }
    c->out_len = c->out_off = 0;
    if (c->kind == SOURCE) {
        fill(c);
        if (c->done_sending && !c->out_len)
            end_conn(c);
    }
}

static void on_readable(struct conn *c)
{
    uint8_t buf[65536];
    ssize_t n = read(c->fd, buf, c->kind == ECHO ? sizeof c->out - c->out_len : sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        c->eof = true;
        if (c->kind == SINK) {
            uint8_t d[32];
            char h[65];
            sha256_final(&c->sha, d);
            hex(d, h);
            say("sink: %llu bytes received, sha256 %s", (unsigned long long)c->count, h);
            if (write(c->fd, d, 32) != 32)
                say("sink: could not send the digest back");
        } else if (c->kind == ECHO) {
            say("echo: %llu bytes echoed", (unsigned long long)c->count);
        } else if (c->kind == INBOUND) {
            if (c->line_len == strlen(HELLO_GUEST) && memcmp(c->line, HELLO_GUEST, c->line_len) == 0) {
                inbound_ok = true;
                say("inbound: the guest answered and closed");
            }
        }
        if (c->kind != SOURCE || !c->out_len)
            end_conn(c);
        return;
    }
    c->count += (uint64_t)n;
    switch (c->kind) {
    case ECHO:
        memcpy(c->out + c->out_len, buf, (size_t)n);
        c->out_len += (size_t)n;
        flush_out(c);
        break;
    case SINK:
        sha256_update(&c->sha, buf, (size_t)n);
        break;
    case SOURCE:
        for (ssize_t i = 0; i < n && c->hdr_len < 8; i++)
            c->hdr[c->hdr_len++] = buf[i];
        if (c->hdr_len == 8 && !c->want) {
            for (int i = 0; i < 8; i++)
                c->want = c->want << 8 | c->hdr[i];
            c->rng = c->want * 0x9e3779b97f4a7c15ull + 1;
            c->count = 0;
            fill(c);
            flush_out(c);
        }
        break;
    case INBOUND:
        for (ssize_t i = 0; i < n && c->line_len < sizeof c->line; i++)
            c->line[c->line_len++] = (char)buf[i];
        break;
    }
}

static void udp_echo(void)
{
    uint8_t buf[2048];
    struct sockaddr_in from;
    socklen_t l = sizeof from;
    ssize_t n = recvfrom(udp_echo_fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &l);
    if (n == (ssize_t)strlen(INBOUND_ARM) && memcmp(buf, INBOUND_ARM, (size_t)n) == 0 &&
        !inbound_armed) {
        inbound_armed = true;
        say("inbound: the guest listens; connecting");
    }
    if (n >= 0)
        sendto(udp_echo_fd, buf, (size_t)n, 0, (struct sockaddr *)&from, l);
}

/* One question, type A, class IN: answer or NXDOMAIN. */
static void dns(void)
{
    uint8_t q[512], r[600];
    struct sockaddr_in from;
    socklen_t l = sizeof from;
    ssize_t n = recvfrom(dns_fd, q, sizeof q, 0, (struct sockaddr *)&from, &l);
    if (n < 12 || (q[2] & 0x80) || q[4] || q[5] != 1)
        return;
    char name[256];
    size_t off = 12, nl = 0;
    while (off < (size_t)n && q[off]) {
        size_t len = q[off];
        if (len > 63 || off + 1 + len >= (size_t)n || nl + len + 1 >= sizeof name)
            return;
        if (nl)
            name[nl++] = '.';
        memcpy(name + nl, q + off + 1, len);
        nl += len;
        off += 1 + len;
    }
    name[nl] = 0;
    if (off + 5 > (size_t)n)
        return;
    size_t qend = off + 5;
    uint16_t type = (uint16_t)(q[off + 1] << 8 | q[off + 2]);
    bool known = strcasecmp(name, dns_name) == 0;
    memcpy(r, q, qend);
    r[2] = (uint8_t)(0x84 | (q[2] & 0x01)); /* response, authoritative, RD copied */
    r[3] = known ? 0x80 : 0x83;             /* RA; NXDOMAIN for unknown names */
    r[6] = 0;
    r[7] = known && type == 1 ? 1 : 0;
    r[8] = r[9] = r[10] = r[11] = 0;
    size_t rl = qend;
    if (r[7]) {
        static const uint8_t ans[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4 };
        memcpy(r + rl, ans, sizeof ans);
        rl += sizeof ans;
        inet_pton(AF_INET, DNS_ADDR, r + rl);
        rl += 4;
    }
    sendto(dns_fd, r, rl, 0, (struct sockaddr *)&from, l);
    say("dns: %s type %u -> %s", name, type, known ? (type == 1 ? DNS_ADDR : "no data")
                                                   : "NXDOMAIN");
}

/* Through hostfwd to the guest's server; tried again until it answers. */
static void try_inbound(void)
{
    inbound_next = now_s() + 0.2;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(hostfwd_port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        if (fd >= 0)
            close(fd);
        return;
    }
    if (write(fd, HELLO_HOST, strlen(HELLO_HOST)) != (ssize_t)strlen(HELLO_HOST)) {
        close(fd);
        return;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    struct conn *c = new_conn(fd, INBOUND);
    if (c)
        c->started = now_s();
}

/* slirp takes the connection at once and then tries the guest, again
 * and again with backoff while nobody listens: an attempt with no
 * answer after half a second is dropped for a fresh one. */
static bool inbound_pending(void)
{
    bool pending = false;
    for (int i = 0; i < MAX_CONNS; i++) {
        struct conn *c = &conns[i];
        if (!c->fd || c->kind != INBOUND)
            continue;
        if (!c->line_len && now_s() - c->started > 0.5)
            end_conn(c);
        else
            pending = true;
    }
    return pending;
}

/* ---- the flood ---- */

/* slirp's socket for the forward: its receive queue (bytes) and drops,
 * from /proc/net/udp; false when it is not there. */
static bool udp_socket_state(uint16_t port, unsigned long *rx_queue, unsigned long *drops)
{
    FILE *f = fopen("/proc/net/udp", "r");
    if (!f)
        return false;
    char line[512], want[32];
    snprintf(want, sizeof want, "0100007F:%04X", port);
    bool found = false;
    while (fgets(line, sizeof line, f)) {
        char local[64];
        unsigned long txq, rxq, d;
        /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops */
        if (sscanf(line, " %*s %63s %*s %*s %lx:%lx %*s %*s %*s %*s %*s %*s %*s %lu", local,
                   &txq, &rxq, &d) == 4 && strcmp(local, want) == 0) {
            *rx_queue = rxq;
            *drops = d;
            found = true;
            break;
        }
    }
    fclose(f);
    return found;
}

/* Frames the kernel dropped from its backlog queues, every CPU's
 * (/proc/net/softnet_stat, second column, hex). */
static unsigned long backlog_drops(void)
{
    FILE *f = fopen("/proc/net/softnet_stat", "r");
    unsigned long sum = 0, processed, dropped;
    if (!f)
        return 0;
    while (fscanf(f, "%lx %lx%*[^\n]", &processed, &dropped) == 2)
        sum += dropped;
    fclose(f);
    return sum;
}

/* A report from the guest on the control port within timeout s; its
 * counts copied to report. */
static bool flood_report(double timeout, char *report, size_t size)
{
    double end = now_s() + timeout;
    for (;;) {
        char buf[1024];
        ssize_t n = recv(flood_ctl_fd, buf, sizeof buf - 1, 0);
        if (n > 0) {
            buf[n] = 0;
            if (strncmp(buf, FLOOD_REPORT " ", strlen(FLOOD_REPORT) + 1) == 0) {
                snprintf(report, size, "%s", buf + strlen(FLOOD_REPORT) + 1);
                return true;
            }
            continue;                       /* a late "ready": already flooding */
        }
        double left = end - now_s();
        if (left <= 0)
            return false;
        struct pollfd p = { .fd = flood_ctl_fd, .events = POLLIN };
        poll(&p, 1, (int)(left * 1000) + 1);
    }
}

/* The whole exchange, once the guest is ready; nothing else is served
 * meanwhile (the flood test runs alone). */
static void flood(void)
{
    flood_started = true;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(flood_fwd_port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        say("flood: cannot open a socket to the forward: %s", strerror(errno));
        return;
    }
    unsigned long rxq = 0, drops0 = 0, drops = 0, failed = 0;
    if (!udp_socket_state(flood_fwd_port, &rxq, &drops0)) {
        say("flood: slirp's socket for 127.0.0.1:%u is not in /proc/net/udp", flood_fwd_port);
        close(fd);
        return;
    }
    unsigned long backlog0 = backlog_drops();
    uint8_t d[FLOOD_MAX_LEN];
    double t0 = now_s();
    uint32_t sent = 0;
    /* as fast as it can: a blocking socket, every datagram sent once;
     * a send the kernel refuses (ENOBUFS) is counted and not repeated */
    for (uint32_t seq = 0; seq < flood_count; seq++) {
        while (flood_rate && now_s() - t0 < (double)seq / (double)flood_rate)
            ;                                   /* paced: spin to the datagram's time */
        size_t len = flood_len(seq);
        memcpy(d, FLOOD_MAGIC_DATA, 4);
        flood_put32(d + 4, seq);
        for (size_t i = 8; i < len; i++)
            d[i] = flood_byte(seq, i);
        if (send(fd, d, len, 0) == (ssize_t)len)
            sent++;
        else
            failed++;
    }
    double t_sent = now_s() - t0;
    /* everything queued for slirp's socket taken, before the markers */
    double drain_end = now_s() + 120;
    while (udp_socket_state(flood_fwd_port, &rxq, &drops) && rxq && now_s() < drain_end) {
        struct timespec ts = { 0, 10000000 };
        nanosleep(&ts, NULL);
    }
    double t_drained = now_s() - t0;
    char report[1024] = "";
    uint32_t markers = 0;
    bool reported = false;
    while (!reported && markers < 120) {
        markers++;
        memcpy(d, FLOOD_MAGIC_END, 4);
        flood_put32(d + 4, sent);
        flood_put32(d + 8, markers);
        if (send(fd, d, 12, 0) != 12)
            failed++;
        reported = flood_report(1.0, report, sizeof report);
    }
    udp_socket_state(flood_fwd_port, &rxq, &drops);
    unsigned long backlog = backlog_drops() - backlog0;
    close(fd);
    say("flood: sent=%u markers_sent=%u send_failed=%lu socket_drops=%lu backlog_drops=%lu "
        "send_s=%.3f drained_s=%.3f", sent, markers, failed, drops - drops0, backlog, t_sent,
        t_drained);
    if (reported)
        say("flood: the guest reported %s", report);
    else
        say("flood: no report from the guest after %u end markers", markers);
}

static void flood_ctl(void)
{
    char buf[1024];
    ssize_t n = recv(flood_ctl_fd, buf, sizeof buf, 0);
    if (n == (ssize_t)strlen(FLOOD_READY) && memcmp(buf, FLOOD_READY, (size_t)n) == 0 &&
        !flood_started)
        flood();
}

/* A harness told to stop (a timeout, Ctrl-C) stops what it runs too. */
static volatile pid_t child_pid;

static void on_stop(int sig)
{
    if (child_pid > 0)
        kill(child_pid, SIGTERM);
    /* what was held, with write(2): the one output call safe here */
    if (said_len && write(2, said, said_len) < 0)
        said_len = 0;
    signal(sig, SIG_DFL);
    raise(sig);
}

static char *subst(const char *arg, const char *net, const char *fwd)
{
    size_t cap = strlen(arg) + strlen(net) + strlen(fwd) + 1;
    char *out = malloc(cap), *o = out;
    while (*arg) {
        if (strncmp(arg, "@NET@", 5) == 0) {
            o = stpcpy(o, net);
            arg += 5;
        } else if (strncmp(arg, "@HOSTFWD@", 9) == 0) {
            o = stpcpy(o, fwd);
            arg += 9;
        } else {
            *o++ = *arg++;
        }
    }
    *o = 0;
    return out;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--flood") == 0) {
        char *end;
        flood_count = strtoul(argv[2], &end, 10);
        if (*end || !flood_count || flood_count > (1ul << 22)) {
            fprintf(stderr, "netharness: --flood %s: expected a count of datagrams, 1 to "
                            "4194304\n", argv[2]);
            return 2;
        }
        argv += 2;
        argc -= 2;
    }
    if (flood_count && argc >= 3 && strcmp(argv[1], "--rate") == 0) {
        char *end;
        flood_rate = strtoul(argv[2], &end, 10);
        if (*end || !flood_rate) {
            fprintf(stderr, "netharness: --rate %s: expected datagrams a second, 1 or more\n",
                    argv[2]);
            return 2;
        }
        argv += 2;
        argc -= 2;
    }
    if (argc < 3 || strcmp(argv[1], "--") != 0) {
        fprintf(stderr, "usage: netharness [--flood N [--rate R]] -- COMMAND [ARGS...]  (@NET@ and "
                        "@HOSTFWD@ in ARGS are replaced)\n");
        return 2;
    }
    if (getenv("NET_DNS_NAME"))
        dns_name = getenv("NET_DNS_NAME");
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < 3; i++) {
        listen_fd[i] = open_socket(SOCK_STREAM, true);
        port_of[i] = bound_port(listen_fd[i]);
    }
    udp_echo_fd = open_socket(SOCK_DGRAM, false);
    udp_echo_port = bound_port(udp_echo_fd);
    dns_fd = open_socket(SOCK_DGRAM, false);
    dns_port = bound_port(dns_fd);
    closed_fd = open_socket(SOCK_STREAM, false);    /* bound, never listening */
    closed_port = bound_port(closed_fd);
    int probe = open_socket(SOCK_STREAM, false);    /* a free port for hostfwd */
    hostfwd_port = bound_port(probe);
    close(probe);

    char net[320], fwd[128];
    int nl = snprintf(net, sizeof net, "net.echo=%u net.sink=%u net.source=%u net.udpecho=%u "
                      "net.dns=%u net.dnsname=%s net.dnsaddr=%s net.closed=%u net.listen=%u",
                      port_of[ECHO], port_of[SINK], port_of[SOURCE], udp_echo_port, dns_port,
                      dns_name, DNS_ADDR, closed_port, GUEST_LISTEN_PORT);
    int fl = snprintf(fwd, sizeof fwd, "tcp:127.0.0.1:%u-:%u", hostfwd_port, GUEST_LISTEN_PORT);
    if (flood_count) {
        flood_ctl_fd = open_socket(SOCK_DGRAM, false);
        flood_ctl_port = bound_port(flood_ctl_fd);
        probe = open_socket(SOCK_DGRAM, false);     /* a free UDP port for the forward */
        flood_fwd_port = bound_port(probe);
        close(probe);
        snprintf(net + nl, sizeof net - (size_t)nl, " flood.ctl=%u flood.count=%lu",
                 flood_ctl_port, flood_count);
        /* a second rule in the same -netdev user option */
        snprintf(fwd + fl, sizeof fwd - (size_t)fl, ",hostfwd=udp:127.0.0.1:%u-:%u",
                 flood_fwd_port, FLOOD_GUEST_PORT);
    }
    char **args = calloc((size_t)argc, sizeof *args);
    for (int i = 2; i < argc; i++)
        args[i - 2] = subst(argv[i], net, fwd);

    pid_t child = fork();
    if (child == 0) {
        execvp(args[0], args);
        fprintf(stderr, "netharness: %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    if (child < 0) {
        say("fork: %s", strerror(errno));
        return 2;
    }
    child_pid = child;
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    signal(SIGHUP, on_stop);
    int status = 0;
    for (;;) {
        if (waitpid(child, &status, WNOHANG) == child)
            break;
        struct pollfd p[6 + MAX_CONNS];
        int n = 0;
        for (int i = 0; i < 3; i++)
            p[n++] = (struct pollfd){ .fd = listen_fd[i], .events = POLLIN };
        p[n++] = (struct pollfd){ .fd = udp_echo_fd, .events = POLLIN };
        p[n++] = (struct pollfd){ .fd = dns_fd, .events = POLLIN };
        p[n++] = (struct pollfd){ .fd = flood_ctl_fd, .events = POLLIN };   /* -1: none */
        int map[MAX_CONNS];
        for (int i = 0; i < MAX_CONNS; i++) {
            if (!conns[i].fd)
                continue;
            short ev = POLLIN;
            if (conns[i].out_len)
                ev |= POLLOUT;
            map[n - 6] = i;
            p[n++] = (struct pollfd){ .fd = conns[i].fd, .events = ev };
        }
        poll(p, (nfds_t)n, 50);
        for (int i = 0; i < 3; i++) {
            if (p[i].revents & POLLIN) {
                int fd = accept4(listen_fd[i], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd >= 0)
                    new_conn(fd, (enum kind)i);
            }
        }
        if (p[3].revents & POLLIN)
            udp_echo();
        if (p[4].revents & POLLIN)
            dns();
        if (p[5].revents & POLLIN)
            flood_ctl();
        for (int j = 6; j < n; j++) {
            struct conn *c = &conns[map[j - 6]];
            if (!c->fd)
                continue;
            if (p[j].revents & POLLOUT)
                flush_out(c);
            if (c->fd && (p[j].revents & (POLLIN | POLLHUP | POLLERR)))
                on_readable(c);
        }
        if (inbound_armed && !inbound_ok && !inbound_pending() && now_s() >= inbound_next)
            try_inbound();
    }
    if (inbound_armed)
        say("inbound connection %s", inbound_ok ? "answered" : "never answered");
    say_held();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
