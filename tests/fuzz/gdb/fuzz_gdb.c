/*
 * The gdb stub: bytes as they come off the socket through the packet
 * receiver (framing, escapes, checksums, acks, ^C), and every complete
 * packet through the stub's command handler, on the machine with a fake
 * vcpu. Structure-aware: besides raw bytes the input names commands
 * whose arguments (addresses, lengths, registers, hex and binary data)
 * are generated and framed with the right checksum.
 *
 * Checked, not just memory: every reply frames and parses back to
 * itself; memory reads give 2n hex digits and, with paging off, the
 * bytes in RAM with our breakpoints hidden (through either address of a
 * byte: A and A + 4 GiB), and fail exactly when the range is not all
 * RAM; what M and X wrote reads back; P then p gives
 * the value (eflags with bit 1, selectors unchanged); Z0 puts int3 in
 * memory and z0 and D take every one out again, leaving memory as it
 * would be without breakpoints; hardware breakpoints reach the vcpu;
 * target.xml comes back in pieces that add up to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "debug/gdb_packet.h"
#include "debug/gdb_target.h"
#include "debug/gdbstub.h"
#include "gdb_fuzz.h"
#include "input.h"
#include "machine_rig.h"
#include "ops.h"

static struct gdbstub *G;
static struct gdb_rx rx;

/* What memory holds under each breakpoint, as gdb last wrote it (through
 * any address) or as it was before the first int3 went in (physical
 * address, paging off: an address and the same plus 4 GiB name one
 * byte, so breakpoints and accesses through both are checked against
 * the same truth). */
#define MAX_TRUTH 256
static struct {
    uint32_t pa;
    uint8_t byte;
} truth[MAX_TRUTH];
static unsigned ntruth;
static bool shadow_ok;      /* false once paging or the guest blur it */

static int truth_find(uint32_t pa)
{
    for (unsigned i = 0; i < ntruth; i++)
        if (truth[i].pa == pa)
            return (int)i;
    return -1;
}

static bool paging(void) { return FAKE.s.cr0 & (1ull << 31); }

static void check_truth(const char *when)
{
    if (!shadow_ok)
        return;
    for (unsigned i = 0; i < ntruth; i++)
        FUZZ_CHECK(mrig_ram[truth[i].pa] == truth[i].byte,
                   "%s: RAM at 0x%x holds 0x%02x, not 0x%02x", when, truth[i].pa,
                   mrig_ram[truth[i].pa], truth[i].byte);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static bool in_ram(uint64_t pa, uint64_t len)
{
    return !len || (pa < MRIG_RAM_SIZE && len <= MRIG_RAM_SIZE - pa);
}

/* The stub's answer to payload, as its packet loop would send it. */
static size_t handle(const char *payload, size_t len, char *out)
{
    size_t n = gdbstub_handle(G, payload, len, out, GDB_PACKET_MAX);
    if (n == (size_t)-1)
        return n;
    FUZZ_CHECK(n <= GDB_PACKET_MAX, "a %zu-byte reply", n);
    static char framed[2 * GDB_PACKET_MAX + 8];
    size_t f = gdb_frame(out, n, framed, sizeof framed);
    FUZZ_CHECK(f > 0, "a %zu-byte reply does not fit the stub's frame buffer", n);
    struct gdb_rx back;
    gdb_rx_init(&back);
    enum gdb_rx_event ev = GDB_RX_NONE;
    for (size_t i = 0; i < f; i++)
        ev = gdb_rx_byte(&back, (uint8_t)framed[i]);
    FUZZ_CHECK(ev == GDB_RX_PACKET && back.len == n && memcmp(back.buf, out, n) == 0,
               "reply to '%.20s' does not survive framing", payload);
    return n;
}

/* "ADDR,LEN" after the command letter; false when it does not parse. */
static bool parse_addr_len(const char *p, uint64_t *addr, uint64_t *len, const char **rest)
{
    int a = gdb_parse_hex(p, addr);
    if (a < 0 || p[a] != ',')
        return false;
    int l = gdb_parse_hex(p + a + 1, len);
    if (l < 0)
        return false;
    *rest = p + a + 1 + l;
    return true;
}

static void check_read_mem(const char *req, const char *out, size_t n)
{
    uint64_t addr, len;
    const char *rest;
    if (!parse_addr_len(req + 1, &addr, &len, &rest) || *rest || len > GDB_PACKET_MAX / 2)
        return;
    if (n >= 1 && out[0] == 'E')
        FUZZ_CHECK(paging() || !in_ram(addr & 0xffffffffu, len) ||
                       (addr & 0xffffffffu) + len < (addr & 0xffffffffu),
                   "m%llx,%llx failed with paging off inside RAM", (unsigned long long)addr,
                   (unsigned long long)len);
    if (n >= 1 && out[0] == 'E')
        return;
    FUZZ_CHECK(n == 2 * len, "m of %llu bytes answered with %zu digits",
               (unsigned long long)len, n);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(hexval(out[i]) >= 0, "m reply has '%c'", out[i]);
    if (paging())
        return;
    uint32_t pa = (uint32_t)addr;
    FUZZ_CHECK(in_ram(pa, len), "m%llx,%llx read outside RAM", (unsigned long long)addr,
               (unsigned long long)len);
    for (uint64_t i = 0; i < len; i++) {
        uint8_t b = (uint8_t)(hexval(out[2 * i]) << 4 | hexval(out[2 * i + 1]));
        int t = truth_find((uint32_t)(pa + i));
        uint8_t want = t >= 0 ? truth[t].byte : mrig_ram[pa + i];
        /* once paging blurred the shadow, an int3 may have gone in
         * through a translation this harness does not follow: a 0xcc in
         * RAM is then not a byte it can vouch for */
        if (!shadow_ok && (t >= 0 || mrig_ram[pa + i] == 0xcc))
            continue;
        FUZZ_CHECK(b == want, "m: byte at 0x%llx reads 0x%02x, memory (breakpoints hidden) "
                   "holds 0x%02x", (unsigned long long)(pa + i), b, want);
    }
}

/* After M or X said OK: the bytes read back, breakpoints' copies kept. */
static void after_write(uint64_t addr, const uint8_t *data, uint64_t len)
{
    if (paging())
        return;
    uint32_t pa = (uint32_t)addr;
    for (uint64_t i = 0; i < len; i++) {
        int t = truth_find((uint32_t)(pa + i));
        if (t >= 0)
            truth[t].byte = data[i];
    }
    char req[64], out[GDB_PACKET_MAX];
    snprintf(req, sizeof req, "m%llx,%llx", (unsigned long long)addr, (unsigned long long)len);
    size_t n = handle(req, strlen(req), out);
    check_read_mem(req, out, n);
    for (uint64_t i = 0; i < len && n == 2 * len; i++) {
        uint8_t b = (uint8_t)(hexval(out[2 * i]) << 4 | hexval(out[2 * i + 1]));
        FUZZ_CHECK(b == data[i], "byte %llu written as 0x%02x reads back 0x%02x",
                   (unsigned long long)i, data[i], b);
    }
}

static void check_write_mem(const char *req, const char *out, size_t n)
{
    uint64_t addr, len;
    const char *rest;
    if (!parse_addr_len(req + 1, &addr, &len, &rest))
        return;
    if (n >= 1 && out[0] == 'E' && !paging()) {
        /* a write that failed part way (past the end of RAM) leaves the
         * pages before that one written: what lies under breakpoints
         * there is unknown */
        for (uint64_t i = 0; i < len && i < GDB_PACKET_MAX; i++)
            if (truth_find((uint32_t)(addr + i)) >= 0)
                shadow_ok = false;
        return;
    }
    if (n != 2 || memcmp(out, "OK", 2) != 0)
        return;
    static uint8_t data[GDB_PACKET_MAX];
    if (req[0] == 'M') {
        for (uint64_t i = 0; i < len; i++)
            data[i] = (uint8_t)(hexval(rest[1 + 2 * i]) << 4 | hexval(rest[2 + 2 * i]));
    } else {
        memcpy(data, rest + 1, len);
    }
    after_write(addr, data, len);
}

static void check_reg(const char *req, const char *out, size_t n)
{
    uint64_t r;
    int used = gdb_parse_hex(req + 1, &r);
    if (n != 2 || memcmp(out, "OK", 2) != 0 || used < 0 || r >= GDB_NUM_REGS)
        return;
    const char *val = req + 2 + used;
    char q[16], back[GDB_PACKET_MAX];
    snprintf(q, sizeof q, "p%llx", (unsigned long long)r);
    size_t m = handle(q, strlen(q), back);
    FUZZ_CHECK(m == strlen(val), "p%llx answers %zu digits after P wrote %zu",
               (unsigned long long)r, m, strlen(val));
    if (r >= 18 && r < 24)
        return;                 /* selectors: writes ignored */
    for (size_t i = 0; i < m; i++) {
        char want = val[i];
        if (r == 17 && i == 1)                  /* eflags bit 1 reads one */
            want = "0123456789abcdef"[hexval(val[i]) | 2];
        FUZZ_CHECK(back[i] == want, "P%s then p%llx reads %.*s", val, (unsigned long long)r,
                   (int)m, back);
    }
}

static void check_break(const char *req, const char *out, size_t n, uint8_t before)
{
    uint64_t addr, kind;
    const char *rest;
    bool ok = n == 2 && memcmp(out, "OK", 2) == 0;
    if (!ok || !parse_addr_len(req + 3, &addr, &kind, &rest))
        return;
    char type = req[1];
    if (type != '0') {
        static const uint8_t kinds[] = { CPU_BP_EXEC, CPU_BP_WRITE, CPU_BP_READ, CPU_BP_ACCESS };
        if (req[0] == 'Z') {
            bool found = false;
            for (int i = 0; i < CPU_HW_BPS; i++)
                found |= FAKE.dbg.hw[i].on && FAKE.dbg.hw[i].kind == kinds[type - '1'] &&
                         FAKE.dbg.hw[i].addr == addr;
            FUZZ_CHECK(found, "%s answered OK, the vcpu has no such breakpoint", req);
        }
        return;
    }
    if (paging())
        return;
    uint32_t pa = (uint32_t)addr;
    if (!in_ram(pa, 1))
        return;
    if (req[0] == 'Z') {
        int t = truth_find(pa);
        FUZZ_CHECK(!shadow_ok || mrig_ram[pa] == 0xcc, "%s answered OK, memory holds 0x%02x",
                   req, mrig_ram[pa]);
        if (t < 0 && ntruth < MAX_TRUTH) {
            truth[ntruth].pa = pa;
            truth[ntruth++].byte = before;
        }
    }
}

static void on_packet(const char *p, size_t len)
{
    static char out[GDB_PACKET_MAX];
    uint8_t before = 0;
    if (len > 3 && p[0] == 'Z' && p[1] == '0' && !paging()) {
        uint64_t addr;
        if (gdb_parse_hex(p + 3, &addr) > 0 && in_ram((uint32_t)addr, 1))
            before = mrig_ram[(uint32_t)addr];
    }
    size_t n = handle(p, len, out);
    fuzz_trace("-> %.*s\n<- %.*s", (int)len, p, n == (size_t)-1 ? 6 : (int)n,
               n == (size_t)-1 ? "(none)" : out);
    if (n == (size_t)-1 || !len)
        return;
    switch (p[0]) {
    case 'm': check_read_mem(p, out, n); break;
    case 'M':
    case 'X': check_write_mem(p, out, n); break;
    case 'P': check_reg(p, out, n); break;
    case 'Z':
    case 'z': check_break(p, out, n, before); break;
    case 'D': break;
    case 'q':
        if (strncmp(p, "qXfer:features:read:target.xml:", 31) == 0 && n && out[0] != 'E') {
            uint64_t off, l;
            const char *rest;
            FUZZ_CHECK(out[0] == 'l' || out[0] == 'm', "qXfer reply '%c'", out[0]);
            if (parse_addr_len(p + 31, &off, &l, &rest) && off < gdb_target_xml_len)
                FUZZ_CHECK(memcmp(out + 1, gdb_target_xml + off, n - 1) == 0,
                           "target.xml from %llu differs", (unsigned long long)off);
        }
        break;
    }
    if (p[0] == 'D') {
        check_truth("after D");
        ntruth = 0;
        for (int i = 0; i < CPU_MAX_BPS; i++)
            FUZZ_CHECK(!FAKE.dbg.hw[i].on, "a hardware breakpoint left after D");
    }
}

static void feed(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (gdb_rx_byte(&rx, b[i]) == GDB_RX_PACKET) {
            FUZZ_CHECK(rx.len <= GDB_PACKET_MAX && rx.buf[rx.len] == 0, "a %zu-byte packet",
                       rx.len);
            on_packet(rx.buf, rx.len);
        }
}

static void op_packet(struct input *in)
{
    static struct payload p;
    build_packet(in, &p);
    static char framed[2 * sizeof p.buf + 8];
    size_t n = gdb_frame(p.buf, p.len, framed, sizeof framed);
    if (n)
        feed((const uint8_t *)framed, n);
}

static void op_raw(struct input *in)
{
    uint8_t b[256];
    size_t n = in_bytes(in, b, in_u8(in));
    feed(b, n);
}

static void op_ram(struct input *in)
{
    uint32_t addr;
    uint8_t b[64];
    size_t n = mrig_ram_bytes(in, &addr, b);
    fuzz_trace("guest writes %zu bytes at 0x%x", n, addr);
    for (size_t i = 0; i < n; i++)
        if (truth_find((uint32_t)(addr + i)) >= 0)
            shadow_ok = false;              /* the guest wrote over an int3 */
    memcpy(mrig_ram + addr, b, n);
}

static void op_stop(struct input *in)
{
    struct cpu_debug_exit e = { .vector = in_u8(in) & 1 ? 3 : 1 };
    e.pc = in_u8(in) & 1 ? FAKE.s.rip : in_u64(in);
    e.dr6 = in_u8(in) & 0xf;
    gdbstub_debug_exit(G, &e);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    mrig_init();
    /* a port of our own: unit tests and other fuzzers may hold others */
    for (int tries = 0; !G && tries < 200; tries++) {
        char spec[32];
        char why[256];
        snprintf(spec, sizeof spec, "tcp::%d", 20000 + (getpid() * 7 + tries * 131) % 40000);
        G = gdbstub_open(&M, spec, why, sizeof why);
    }
    if (!G) {
        fprintf(stderr, "fuzz_gdb: no port for the stub\n");
        exit(1);
    }
    M.gdb = G;
    return 0;
}

/* what each opcode does (ops.h) */
static void (*const do_op[])(struct input *) = {
    [G_RAW] = op_raw,
    [G_PACKET] = op_packet,
    [G_RAM] = op_ram,
    [G_STOP] = op_stop,
};
_Static_assert(sizeof do_op / sizeof do_op[0] == G_OPS, "a function for each opcode");

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!G)
        LLVMFuzzerInitialize(NULL, NULL);
    struct input in = { data, size };
    mrig_fini();
    mrig_init();
    M.gdb = G;
    gdb_rx_init(&rx);
    ntruth = 0;
    shadow_ok = true;
    for (unsigned ops = 0; !in_empty(&in) && ops < 256; ops++) {
        do_op[in_u8(&in) % G_OPS](&in);
        if (paging())
            shadow_ok = false;
    }
    /* detach: every breakpoint out, memory as gdb left it */
    char out[GDB_PACKET_MAX];
    handle("D", 1, out);
    check_truth("at the end");
    return 0;
}
