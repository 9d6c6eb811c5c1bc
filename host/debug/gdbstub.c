/*
 * The GDB remote serial protocol over TCP, served from the event loop.
 *
 * While gdb is attached the guest runs only between a continue or step
 * and the next stop, which the stub reports with a stop reply. Software
 * breakpoints are int3 bytes written into guest memory (and hidden from
 * gdb's memory reads); hardware breakpoints use the debug registers
 * and watchpoints trapped pages, both through the backend. An int3 that is not one of ours
 * is the guest's own and goes back to the guest.
 *
 * gdb names a software breakpoint by virtual address, but its int3 sits
 * in a physical byte that other virtual addresses may reach too (a
 * kernel's direct map and its text mapping; with paging off, an address
 * and the same plus 4 GiB). So every breakpoint also records its
 * physical address, and everything that concerns the byte goes by that:
 * breakpoints at one physical byte share the byte saved from under the
 * int3, which goes back only when the last of them is removed; reads and
 * writes through any address see and change that saved byte; and the
 * int3 met through an address gdb did not break at is stepped over, the
 * saved byte back in place for that one instruction.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "core/log.h"
#include "debug/gdb_packet.h"
#include "debug/gdb_step.h"
#include "debug/gdb_target.h"
#include "debug/gdbstub.h"
#include "debug/monitor.h"
#include "machine.h"

#define MAX_SW_BPS 64

struct sw_bp {
    uint64_t va, pa;
    uint8_t orig;           /* the same in every breakpoint at this pa */
};

struct gdbstub {
    struct machine *m;
    int listen_fd, fd;
    struct gdb_rx rx;
    bool no_ack;
    bool running;           /* a stop reply is owed */
    bool stepping;
    struct cpu_debug dbg;
    struct sw_bp bps[MAX_SW_BPS];
    int nbps;
    /* an int3 met through an address gdb did not break at, being stepped
     * over: its byte is back until the step ends */
    bool step_over;
    uint64_t step_over_pa;
    char last[2 * GDB_PACKET_MAX + 8];   /* the last frame, for a NAK */
    size_t last_len;
};

/* ---- output ---- */

static void send_raw(struct gdbstub *g, const char *p, size_t len)
{
    while (len && g->fd >= 0) {
        ssize_t n = send(g->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd pf = { .fd = g->fd, .events = POLLOUT };
            poll(&pf, 1, 1000);
            continue;
        }
        if (n <= 0)
            return;         /* the reader notices the closed connection */
        p += n;
        len -= (size_t)n;
    }
}

static void send_packet(struct gdbstub *g, const char *payload, size_t len)
{
    g->last_len = gdb_frame(payload, len, g->last, sizeof g->last);
    send_raw(g, g->last, g->last_len);
}

static void send_str(struct gdbstub *g, const char *s)
{
    send_packet(g, s, strlen(s));
}

/* ---- guest memory through the page tables ---- */

static bool state(struct gdbstub *g, struct cpu_state *s)
{
    return g->m->cpu_ops->get_state(g->m->cpu, s) == 0;
}

static bool translate(struct gdbstub *g, uint64_t va, uint64_t *pa)
{
    struct cpu_state s;
    return state(g, &s) && cpu_translate(g->m, &s, va, pa);
}

static int find_pa(struct gdbstub *g, uint64_t pa)
{
    for (int i = 0; i < g->nbps; i++)
        if (g->bps[i].pa == pa)
            return i;
    return -1;
}

/* gdb sees and changes memory as it would be without its int3s: a read
 * gets the saved bytes, a write under a breakpoint changes the saved
 * byte and leaves the int3. Both by physical address, so that every
 * virtual alias of a byte agrees. */
static void hide_breakpoints(struct gdbstub *g, uint64_t pa, uint8_t *buf, size_t len)
{
    for (int i = 0; i < g->nbps; i++)
        if (g->bps[i].pa >= pa && g->bps[i].pa - pa < len)
            buf[g->bps[i].pa - pa] = g->bps[i].orig;
}

static void keep_breakpoints(struct gdbstub *g, uint64_t pa, uint8_t *buf, size_t len)
{
    for (int i = 0; i < g->nbps; i++)
        if (g->bps[i].pa >= pa && g->bps[i].pa - pa < len)
            g->bps[i].orig = buf[g->bps[i].pa - pa];
    for (int i = 0; i < g->nbps; i++)
        if (g->bps[i].pa >= pa && g->bps[i].pa - pa < len)
            buf[g->bps[i].pa - pa] = 0xcc;
}

/* A page at a time, each translated on its own. */
static bool mem_access(struct gdbstub *g, uint64_t va, uint8_t *buf, size_t len, bool write)
{
    struct cpu_state s;
    if (!state(g, &s))
        return false;
    while (len) {
        uint64_t pa;
        size_t chunk = 4096 - (va & 4095);
        if (chunk > len)
            chunk = len;
        if (!cpu_translate(g->m, &s, va, &pa))
            return false;
        bool ok;
        if (write) {
            uint8_t b[4096];
            memcpy(b, buf, chunk);
            keep_breakpoints(g, pa, b, chunk);
            /* a write that stops where RAM ends has still written every
             * breakpoint's byte before it (breakpoints are all in RAM) */
            ok = as_ram_write(&g->m->mem_as, pa, b, chunk);
        } else {
            ok = as_ram_read(&g->m->mem_as, pa, buf, chunk);
            if (ok)
                hide_breakpoints(g, pa, buf, chunk);
        }
        if (!ok)
            return false;
        va += chunk;
        buf += chunk;
        len -= chunk;
    }
    return true;
}

/* ---- breakpoints ---- */

static int find_sw(struct gdbstub *g, uint64_t va, uint64_t pa)
{
    for (int i = 0; i < g->nbps; i++)
        if (g->bps[i].va == va && g->bps[i].pa == pa)
            return i;
    return -1;
}

/* Whether the int3 the vcpu met at va is one of ours, through any
 * address. */
bool gdbstub_has_breakpoint(struct gdbstub *g, uint64_t va)
{
    uint64_t pa;
    return translate(g, va, &pa) && find_pa(g, pa) >= 0;
}

static bool put_int3(struct gdbstub *g, uint64_t pa)
{
    const uint8_t int3 = 0xcc;
    return as_ram_write(&g->m->mem_as, pa, &int3, 1);
}

static bool insert_sw(struct gdbstub *g, uint64_t va)
{
    struct sw_bp bp = { .va = va };
    if (!translate(g, va, &bp.pa))
        return false;
    int same = find_pa(g, bp.pa);
    if (same >= 0) {
        /* the byte already holds our int3 (or will again once a step
         * over it ends): share what it saved */
        if (find_sw(g, va, bp.pa) >= 0)
            return put_int3(g, bp.pa);
        bp.orig = g->bps[same].orig;
    } else if (!as_ram_read(&g->m->mem_as, bp.pa, &bp.orig, 1)) {
        return false;
    }
    if (g->nbps == MAX_SW_BPS || !put_int3(g, bp.pa))
        return false;
    g->bps[g->nbps++] = bp;
    return true;
}

static void remove_at(struct gdbstub *g, int i)
{
    struct sw_bp bp = g->bps[i];
    g->bps[i] = g->bps[--g->nbps];
    if (find_pa(g, bp.pa) < 0)      /* the last one at this byte */
        as_ram_write(&g->m->mem_as, bp.pa, &bp.orig, 1);
}

/* Every breakpoint gdb set at va, wherever va translated to then. */
static bool remove_sw(struct gdbstub *g, uint64_t va)
{
    bool found = false;
    for (int i = g->nbps - 1; i >= 0; i--) {
        if (g->bps[i].va == va) {
            remove_at(g, i);
            found = true;
        }
    }
    return found;
}

/* The int3 goes back after a step over it, if a breakpoint still wants it. */
static void end_step_over(struct gdbstub *g)
{
    if (!g->step_over)
        return;
    g->step_over = false;
    if (find_pa(g, g->step_over_pa) >= 0)
        put_int3(g, g->step_over_pa);
}

static bool set_hw(struct gdbstub *g, bool insert, uint8_t kind, uint64_t addr, uint64_t len)
{
    if (kind != CPU_BP_EXEC && len != 1 && len != 2 && len != 4 && len != 8)
        return false;
    if (kind != CPU_BP_EXEC && (addr & (len - 1)))
        return false;          /* debug registers need aligned ranges */
    for (int i = 0; i < g->m->cpu_ops->hw_bps; i++) {
        struct cpu_hw_bp *h = &g->dbg.hw[i];
        if (insert && !h->on) {
            *h = (struct cpu_hw_bp){ true, kind, (uint8_t)(kind == CPU_BP_EXEC ? 1 : len), addr };
            return g->m->cpu_ops->set_debug(g->m->cpu, &g->dbg) == 0;
        }
        if (!insert && h->on && h->kind == kind && h->addr == addr) {
            h->on = false;
            return g->m->cpu_ops->set_debug(g->m->cpu, &g->dbg) == 0;
        }
    }
    return false;
}

/* ---- commands ---- */

struct reply {
    char *buf;
    size_t len, cap;
    bool none;          /* no reply now: a stop reply comes later */
};

static void put(struct reply *r, const char *s, size_t n)
{
    if (r->len + n > r->cap)
        n = r->cap - r->len;
    memcpy(r->buf + r->len, s, n);
    r->len += n;
}

static void puts_r(struct reply *r, const char *s)
{
    put(r, s, strlen(s));
}

static void put_hex(struct reply *r, const uint8_t *p, size_t n)
{
    char h[3];
    for (size_t i = 0; i < n; i++) {
        gdb_hex_encode(p + i, 1, h);
        put(r, h, 2);
    }
}

static void resume(struct gdbstub *g, bool step)
{
    g->dbg.attached = true;
    g->dbg.single_step = step;
    g->stepping = step;
    g->m->cpu_ops->set_debug(g->m->cpu, &g->dbg);
    g->running = true;
    machine_resume(g->m);
}

static void cmd_query_stop(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    puts_r(r, "T05thread:01;");
}

/* The registers gdb's packets read or write; false, with E01 the reply,
 * when the backend cannot give them. */
static bool load_regs(struct gdbstub *g, struct cpu_state *s, struct cpu_fpu *f, struct reply *r)
{
    memset(f, 0, sizeof *f);
    if (state(g, s) && (!g->m->cpu_ops->get_fpu || g->m->cpu_ops->get_fpu(g->m->cpu, f) == 0))
        return true;
    puts_r(r, "E01");
    return false;
}

static bool store_regs(struct gdbstub *g, const struct cpu_state *s, const struct cpu_fpu *f)
{
    return g->m->cpu_ops->set_state(g->m->cpu, s) == 0 &&
           (!g->m->cpu_ops->set_fpu || g->m->cpu_ops->set_fpu(g->m->cpu, f) == 0);
}

static void cmd_read_regs(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    struct cpu_state s;
    struct cpu_fpu f;
    if (!load_regs(g, &s, &f, r))
        return;
    uint8_t v[16];
    for (int i = 0; i < GDB_NUM_REGS; i++)
        put_hex(r, v, gdb_regs_get(&s, &f, i, v));
}

static void cmd_write_regs(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    struct cpu_state s;
    struct cpu_fpu f;
    if (!load_regs(g, &s, &f, r))
        return;
    const char *h = p + 1;
    size_t left = n - 1;
    uint8_t v[16];
    for (int i = 0; i < GDB_NUM_REGS && left; i++) {
        size_t sz = gdb_regs_size(i);
        if (left < 2 * sz || gdb_hex_decode(h, sz, v) < 0) {
            puts_r(r, "E22");
            return;
        }
        gdb_regs_set(&s, &f, i, v);
        h += 2 * sz;
        left -= 2 * sz;
    }
    puts_r(r, store_regs(g, &s, &f) ? "OK" : "E01");
}

static void cmd_read_reg(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    uint64_t reg;
    struct cpu_state s;
    struct cpu_fpu f;
    uint8_t v[16];
    if (gdb_parse_hex(p + 1, &reg) < 0 || reg >= GDB_NUM_REGS) {
        puts_r(r, "E22");
        return;
    }
    if (!load_regs(g, &s, &f, r))
        return;
    put_hex(r, v, gdb_regs_get(&s, &f, (int)reg, v));
}

static void cmd_write_reg(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    uint64_t reg;
    int used = gdb_parse_hex(p + 1, &reg);
    struct cpu_state s;
    struct cpu_fpu f;
    uint8_t v[16];
    if (used < 0 || p[1 + used] != '=' || reg >= GDB_NUM_REGS) {
        puts_r(r, "E22");
        return;
    }
    size_t sz = gdb_regs_size((int)reg);
    const char *h = p + 2 + used;
    if (strlen(h) != 2 * sz || gdb_hex_decode(h, sz, v) < 0) {
        puts_r(r, "E22");
        return;
    }
    if (!load_regs(g, &s, &f, r))
        return;
    gdb_regs_set(&s, &f, (int)reg, v);
    puts_r(r, store_regs(g, &s, &f) ? "OK" : "E01");
}

static void cmd_read_mem(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    uint64_t addr, len;
    const char *rest = gdb_parse_addr_len(p + 1, &addr, &len);
    uint8_t buf[GDB_PACKET_MAX / 2];
    if (!rest || *rest || len > sizeof buf) {
        puts_r(r, "E22");
        return;
    }
    if (!mem_access(g, addr, buf, len, false)) {
        puts_r(r, "E14");
        return;
    }
    put_hex(r, buf, len);
}

static void write_mem(struct gdbstub *g, uint64_t addr, uint8_t *buf, uint64_t len,
                      struct reply *r)
{
    puts_r(r, mem_access(g, addr, buf, len, true) ? "OK" : "E14");
}

static void cmd_write_mem(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    uint64_t addr, len;
    const char *rest = gdb_parse_addr_len(p + 1, &addr, &len);
    uint8_t buf[GDB_PACKET_MAX / 2];
    if (!rest || *rest != ':' || len > sizeof buf || strlen(rest + 1) != 2 * len ||
        gdb_hex_decode(rest + 1, len, buf) < 0) {
        puts_r(r, "E22");
        return;
    }
    write_mem(g, addr, buf, len, r);
}

static void cmd_write_bin(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    uint64_t addr, len;
    const char *rest = gdb_parse_addr_len(p + 1, &addr, &len);
    uint8_t buf[GDB_PACKET_MAX];
    if (!rest || *rest != ':' || len > sizeof buf || (size_t)(p + n - rest - 1) != len) {
        puts_r(r, "E22");
        return;
    }
    memcpy(buf, rest + 1, len);
    write_mem(g, addr, buf, len, r);
}

/* c [addr], s [addr], C sig[;addr], S sig[;addr] */
static void cmd_continue(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    const char *a = p + 1;
    if (*p == 'C' || *p == 'S') {
        a = strchr(p, ';');
        a = a ? a + 1 : "";
    }
    uint64_t addr;
    if (*a) {
        struct cpu_state s;
        if (gdb_parse_hex(a, &addr) < 0 || !state(g, &s)) {
            puts_r(r, "E22");
            return;
        }
        s.rip = addr;
        g->m->cpu_ops->set_state(g->m->cpu, &s);
    }
    resume(g, *p == 's' || *p == 'S');
    r->none = true;
}

static void cmd_breakpoint(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    bool insert = *p == 'Z';
    uint64_t addr, kind;
    if (p[1] < '0' || p[1] > '4' || p[2] != ',' || !gdb_parse_addr_len(p + 3, &addr, &kind)) {
        puts_r(r, "E22");
        return;
    }
    bool ok;
    switch (p[1]) {
    case '0':
        ok = insert ? insert_sw(g, addr) : remove_sw(g, addr);
        break;
    case '1':
        ok = set_hw(g, insert, CPU_BP_EXEC, addr, kind);
        break;
    case '2':
        ok = set_hw(g, insert, CPU_BP_WRITE, addr, kind);
        break;
    case '3':
        ok = set_hw(g, insert, CPU_BP_READ, addr, kind);
        break;
    default:
        ok = set_hw(g, insert, CPU_BP_ACCESS, addr, kind);
        break;
    }
    puts_r(r, ok ? "OK" : "E22");
}

static void cmd_vcont(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    if (strcmp(p, "vCont?") == 0) {
        puts_r(r, "vCont;c;C;s;S");
        return;
    }
    if (strncmp(p, "vCont;", 6) == 0) {
        /* One thread: the first action decides. */
        char a = p[6];
        if (a == 'c' || a == 'C' || a == 's' || a == 'S') {
            resume(g, a == 's' || a == 'S');
            r->none = true;
        } else {
            puts_r(r, "E22");
        }
        return;
    }
    /* vMustReplyEmpty and anything else unknown: the empty reply. */
}

static void monitor_command(struct gdbstub *g, const char *hex, struct reply *r)
{
    size_t hl = strlen(hex);
    char cmd[GDB_PACKET_MAX / 2 + 1];
    if (hl % 2 || hl / 2 >= sizeof cmd || gdb_hex_decode(hex, hl / 2, (uint8_t *)cmd) < 0) {
        puts_r(r, "E22");
        return;
    }
    cmd[hl / 2] = 0;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out) {
        puts_r(r, "E01");
        return;
    }
    monitor_execute(g->m, cmd, out);
    fclose(out);
    /* Output travels as O packets ahead of the final OK. */
    for (size_t off = 0; off < len; off += 900) {
        size_t chunk = len - off < 900 ? len - off : 900;
        char pkt[2 + 1800 + 1];
        pkt[0] = 'O';
        gdb_hex_encode((const uint8_t *)text + off, chunk, pkt + 1);
        send_packet(g, pkt, 1 + 2 * chunk);
    }
    free(text);
    puts_r(r, "OK");
}

static void cmd_query(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    if (strncmp(p, "qSupported", 10) == 0) {
        char s[160];
        snprintf(s, sizeof s, "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;"
                 "swbreak+;hwbreak+;vContSupported+", GDB_PACKET_MAX);
        puts_r(r, s);
    } else if (strncmp(p, "qXfer:features:read:target.xml:", 31) == 0) {
        uint64_t off, len;
        const char *rest = gdb_parse_addr_len(p + 31, &off, &len);
        if (!rest || *rest) {
            puts_r(r, "E22");
            return;
        }
        if (len > GDB_PACKET_MAX - 2)
            len = GDB_PACKET_MAX - 2;
        if (off >= gdb_target_xml_len) {
            puts_r(r, "l");
            return;
        }
        size_t left = gdb_target_xml_len - off;
        put(r, left <= len ? "l" : "m", 1);
        put(r, gdb_target_xml + off, left <= len ? left : len);
    } else if (strncmp(p, "qXfer:", 6) == 0) {
        puts_r(r, "E00");
    } else if (strcmp(p, "qAttached") == 0 || strncmp(p, "qAttached:", 10) == 0) {
        puts_r(r, "1");
    } else if (strcmp(p, "qC") == 0) {
        puts_r(r, "QC1");
    } else if (strcmp(p, "qfThreadInfo") == 0) {
        puts_r(r, "m1");
    } else if (strcmp(p, "qsThreadInfo") == 0) {
        puts_r(r, "l");
    } else if (strncmp(p, "qRcmd,", 6) == 0) {
        monitor_command(g, p + 6, r);
    } else if (strncmp(p, "qSymbol", 7) == 0) {
        puts_r(r, "OK");
    }
    /* anything else: empty, "not supported" */
}

static void cmd_set(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    if (strcmp(p, "QStartNoAckMode") == 0) {
        puts_r(r, "OK");
        g->no_ack = true;       /* after this reply's own ack */
    }
}

static void cmd_ok(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    puts_r(r, "OK");            /* H (thread select), T (thread alive): one thread */
}

static void detach(struct gdbstub *g);

static void cmd_detach(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    send_str(g, "OK");
    detach(g);
    r->none = true;
}

static void cmd_kill(struct gdbstub *g, const char *p, size_t n, struct reply *r)
{
    machine_request_exit(g->m, PCEMU_EXIT_OK);
    r->none = true;
}

typedef void (*cmd_fn)(struct gdbstub *g, const char *p, size_t n, struct reply *r);

static const cmd_fn commands[128] = {
    ['?'] = cmd_query_stop,
    ['g'] = cmd_read_regs,
    ['G'] = cmd_write_regs,
    ['p'] = cmd_read_reg,
    ['P'] = cmd_write_reg,
    ['m'] = cmd_read_mem,
    ['M'] = cmd_write_mem,
    ['X'] = cmd_write_bin,
    ['c'] = cmd_continue,
    ['C'] = cmd_continue,
    ['s'] = cmd_continue,
    ['S'] = cmd_continue,
    ['Z'] = cmd_breakpoint,
    ['z'] = cmd_breakpoint,
    ['v'] = cmd_vcont,
    ['q'] = cmd_query,
    ['Q'] = cmd_set,
    ['H'] = cmd_ok,
    ['T'] = cmd_ok,
    ['D'] = cmd_detach,
    ['k'] = cmd_kill,
};

size_t gdbstub_handle(struct gdbstub *g, const char *payload, size_t len,
                      char *out, size_t outlen)
{
    struct reply r = { out, 0, outlen, false };
    unsigned char c = len ? (unsigned char)payload[0] : 0;
    if (c < 128 && commands[c])
        commands[c](g, payload, len, &r);
    if (r.none)
        return (size_t)-1;
    return r.len;
}

/* ---- stop events ---- */

static void stop_reply(struct gdbstub *g, const char *why)
{
    end_step_over(g);
    g->running = false;
    g->stepping = false;
    if (g->dbg.single_step) {
        g->dbg.single_step = false;
        g->m->cpu_ops->set_debug(g->m->cpu, &g->dbg);
    }
    send_str(g, why);
}

/* Our int3, met at an address gdb set no breakpoint at: the instruction
 * under it runs as if the int3 were not there (its byte back for one
 * step), and the guest goes on as gdb asked. */
static void start_step_over(struct gdbstub *g, int bp)
{
    g->step_over = true;
    g->step_over_pa = g->bps[bp].pa;
    as_ram_write(&g->m->mem_as, g->step_over_pa, &g->bps[bp].orig, 1);
    g->dbg.single_step = true;
    g->m->cpu_ops->set_debug(g->m->cpu, &g->dbg);
}

static bool hw_hit(struct gdbstub *g, uint64_t dr6)
{
    for (int i = 0; i < g->m->cpu_ops->hw_bps; i++)
        if ((dr6 & (1ull << i)) && g->dbg.hw[i].on)
            return true;
    return false;
}

void gdbstub_debug_exit(struct gdbstub *g, const struct cpu_debug_exit *e)
{
    struct machine *m = g->m;
    if (e->vector == 3) {
        uint64_t pa;
        int bp = translate(g, e->pc, &pa) ? find_pa(g, pa) : -1;
        /* the int3 under a step over ours is the guest's own */
        if (bp < 0 || (g->step_over && pa == g->step_over_pa && g->bps[bp].orig == 0xcc)) {
            /* The guest's own int3: its handler must see it. */
            m->cpu_ops->reinject_bp(m->cpu);
            return;
        }
        if (find_sw(g, e->pc, pa) < 0) {
            start_step_over(g, bp);
            return;
        }
    } else if (g->step_over && e->vector == 1) {
        end_step_over(g);
        if (!g->stepping) {
            /* gdb asked to continue: the step was ours alone */
            gdb_undo_diverted_step(m);
            if (!hw_hit(g, e->dr6)) {
                g->dbg.single_step = false;
                m->cpu_ops->set_debug(m->cpu, &g->dbg);
                return;
            }
        }
    }
    machine_pause(m);
    if (g->fd < 0)
        return;
    if (g->stepping && e->vector == 1)
        gdb_undo_diverted_step(m);
    char why[64] = "T05thread:01;";
    if (e->vector == 3) {
        strcat(why, "swbreak:;");
    } else if (!g->stepping) {
        for (int i = 0; i < g->m->cpu_ops->hw_bps; i++) {
            const struct cpu_hw_bp *h = &g->dbg.hw[i];
            if (!(e->dr6 & (1ull << i)) || !h->on)
                continue;
            if (h->kind == CPU_BP_EXEC)
                strcat(why, "hwbreak:;");
            else
                snprintf(why + strlen(why), sizeof why - strlen(why), "%s:%llx;",
                         h->kind == CPU_BP_WRITE ? "watch" :
                         h->kind == CPU_BP_READ ? "rwatch" : "awatch",
                         (unsigned long long)h->addr);
            break;
        }
    }
    stop_reply(g, why);
}

const struct cpu_debug *gdbstub_watching(struct gdbstub *g)
{
    return g && g->fd >= 0 && g->running && !g->stepping ? &g->dbg : NULL;
}

/* ---- connection ---- */

static void on_accept(void *opaque, short revents);

static void detach(struct gdbstub *g)
{
    end_step_over(g);
    while (g->nbps)
        remove_at(g, g->nbps - 1);
    memset(&g->dbg, 0, sizeof g->dbg);
    g->m->cpu_ops->set_debug(g->m->cpu, &g->dbg);
    g->running = g->stepping = false;
    if (g->fd >= 0) {
        loop_del_fd(&g->m->loop, g->fd);
        close(g->fd);
        g->fd = -1;
    }
    loop_add_fd(&g->m->loop, g->listen_fd, POLLIN, on_accept, g);
    machine_resume(g->m);       /* a detached guest runs on */
}

static void packet(struct gdbstub *g)
{
    char out[GDB_PACKET_MAX];
    if (!g->no_ack)
        send_raw(g, "+", 1);
    size_t n = gdbstub_handle(g, g->rx.buf, g->rx.len, out, sizeof out);
    if (n != (size_t)-1)
        send_packet(g, out, n);
}

static void on_data(void *opaque, short revents)
{
    struct gdbstub *g = opaque;
    uint8_t buf[4096];
    ssize_t n = recv(g->fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        detach(g);
        return;
    }
    for (ssize_t i = 0; i < n && g->fd >= 0; i++) {
        switch (gdb_rx_byte(&g->rx, buf[i])) {
        case GDB_RX_PACKET:
            packet(g);
            break;
        case GDB_RX_BAD:
            if (!g->no_ack)
                send_raw(g, "-", 1);
            break;
        case GDB_RX_NAK:
            send_raw(g, g->last, g->last_len);
            break;
        case GDB_RX_INTERRUPT:
            if (g->running) {
                machine_pause(g->m);
                stop_reply(g, "T02thread:01;");
            }
            break;
        default:
            break;
        }
    }
}

static void on_accept(void *opaque, short revents)
{
    struct gdbstub *g = opaque;
    int fd = accept4(g->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
        return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* One debugger at a time. */
    loop_del_fd(&g->m->loop, g->listen_fd);
    g->fd = fd;
    g->no_ack = false;
    gdb_rx_init(&g->rx);
    loop_add_fd(&g->m->loop, fd, POLLIN, on_data, g);
    /* gdb expects a stopped target when it attaches. */
    machine_pause(g->m);
    g->dbg.attached = true;
    g->m->cpu_ops->set_debug(g->m->cpu, &g->dbg);
}

struct gdbstub *gdbstub_open(struct machine *m, const char *spec, char *why, size_t whylen)
{
    if (!m->cpu_ops->set_debug) {
        snprintf(why, whylen, "this CPU backend cannot be debugged");
        return NULL;
    }
    const char *port_s = strncmp(spec, "tcp:", 4) == 0 ? strrchr(spec, ':') + 1 : NULL;
    char *end;
    long port = port_s ? strtol(port_s, &end, 10) : -1;
    if (!port_s || !*port_s || *end || port < 1 || port > 65535) {
        snprintf(why, whylen, "expected tcp::PORT (PORT 1-65535)");
        return NULL;
    }
    /* tcp::PORT listens on loopback only: a debugger can write anywhere. */
    const char *host = spec + 4;
    size_t hostlen = (size_t)(port_s - 1 - host);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (hostlen) {
        char h[64];
        snprintf(h, sizeof h, "%.*s", (int)hostlen, host);
        if (strcmp(h, "localhost") != 0 && inet_pton(AF_INET, h, &sa.sin_addr) != 1) {
            snprintf(why, whylen, "host must be an IPv4 address or localhost");
            return NULL;
        }
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0) {
        snprintf(why, whylen, "port %ld: %s", port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    struct gdbstub *g = zalloc_or_why(sizeof *g, why, whylen);
    if (!g) {
        close(fd);
        return NULL;
    }
    g->m = m;
    g->listen_fd = fd;
    g->fd = -1;
    loop_add_fd(&m->loop, fd, POLLIN, on_accept, g);
    return g;
}

void gdbstub_close(struct gdbstub *g)
{
    if (!g)
        return;
    if (g->fd >= 0)
        close(g->fd);
    loop_del_fd(&g->m->loop, g->listen_fd);
    close(g->listen_fd);
    free(g);
}
