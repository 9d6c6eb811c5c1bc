/* Packets as gdb sends them, their arguments from the input: addresses
 * in RAM, at its end, high in the address space or anything; lengths
 * around the 2 KiB a reply can carry; register numbers past the last. */
#include <stdio.h>
#include <string.h>
#include "gdb_fuzz.h"
#include "machine_rig.h"
#include "ops.h"

static void add(struct payload *p, const char *s)
{
    size_t n = strlen(s);
    if (p->len + n < sizeof p->buf) {
        memcpy(p->buf + p->len, s, n);
        p->len += n;
    }
}

static void addf_hex(struct payload *p, uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%llx", (unsigned long long)v);
    add(p, s);
}

static void add_hex_bytes(struct payload *p, struct input *in, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n && p->len + 2 < sizeof p->buf; i++) {
        uint8_t b = in_u8(in);
        p->buf[p->len++] = hex[b >> 4];
        p->buf[p->len++] = hex[b & 15];
    }
}

static uint64_t pick_addr(struct input *in)
{
    switch (in_u8(in) % 5) {
    case 0: return in_u16(in) % 0x1000;
    case 1: return in_u32(in) % MRIG_RAM_SIZE;
    case 2: return MRIG_RAM_SIZE - in_u8(in) % 32;
    case 3: return 0xffffffff80000000ull | in_u32(in);
    default: return in_u64(in);
    }
}

static uint64_t pick_len(struct input *in)
{
    switch (in_u8(in) % 3) {
    case 0: return in_u8(in) % 17;
    case 1: return 2040 + in_u8(in) % 16;
    default: return in_u16(in);
    }
}

static void addr_len(struct payload *p, struct input *in, uint64_t *len)
{
    addf_hex(p, pick_addr(in));
    add(p, ",");
    *len = pick_len(in);
    addf_hex(p, *len);
}

static const char *const monitor_cmds[] = {
    "info pci", "info mtree", "info mtree -f", "info qtree", "info status", "info network",
    "info e1000", "help", "help info", "stop", "cont", "set_link e1000 off",
    "set_link e1000 on", "quit", "info", "info pci extra", "nonsense",
};

void build_packet(struct input *in, struct payload *p)
{
    p->len = 0;
    uint64_t len;
    switch (in_u8(in) % GP_CMDS) {
    case GP_QUERY_STOP: add(p, "?"); break;
    case GP_READ_REGS: add(p, "g"); break;
    case GP_WRITE_REGS:
        add(p, "G");
        add_hex_bytes(p, in, in_u8(in) & 1 ? 560 : in_u16(in) % 700);
        break;
    case GP_READ_REG: add(p, "p"); addf_hex(p, in_u8(in) % 70); break;
    case GP_WRITE_REG:
        add(p, "P");
        addf_hex(p, in_u8(in) % 70);
        add(p, "=");
        add_hex_bytes(p, in, in_u8(in) % 18);
        break;
    case GP_READ_MEM: add(p, "m"); addr_len(p, in, &len); break;
    case GP_WRITE_MEM:
        add(p, "M");
        addr_len(p, in, &len);
        add(p, ":");
        add_hex_bytes(p, in, in_u8(in) & 1 ? (size_t)len : in_u8(in));
        break;
    case GP_WRITE_BIN: {
        add(p, "X");
        addr_len(p, in, &len);
        add(p, ":");
        size_t n = in_u8(in) & 1 ? (size_t)len : in_u8(in);
        for (size_t i = 0; i < n && p->len < sizeof p->buf; i++)
            p->buf[p->len++] = (char)in_u8(in);
        break;
    }
    case GP_CONT: {
        static const char *const c[] = { "c", "s" };
        add(p, c[in_u8(in) & 1]);
        if (in_bool(in))
            addf_hex(p, pick_addr(in));
        break;
    }
    case GP_CONT_SIG: {
        static const char *const c[] = { "C", "S" };
        add(p, c[in_u8(in) & 1]);
        addf_hex(p, in_u8(in));
        if (in_bool(in)) {
            add(p, ";");
            addf_hex(p, pick_addr(in));
        }
        break;
    }
    case GP_BREAK:
    case GP_UNBREAK: {
        char head[4] = { 'Z', (char)('0' + in_u8(in) % 6), ',', 0 };
        if (in_bool(in))
            head[0] = 'z';
        add(p, head);
        addf_hex(p, pick_addr(in));
        add(p, ",");
        addf_hex(p, in_u8(in) % 10);
        break;
    }
    case GP_VCONT: {
        static const char *const v[] = { "vCont?", "vCont;c", "vCont;s", "vCont;C05", "vCont;x",
                                         "vMustReplyEmpty", "vCont;" };
        add(p, v[in_u8(in) % 7]);
        break;
    }
    case GP_QSUPPORTED: add(p, "qSupported:multiprocess+;swbreak+;hwbreak+"); break;
    case GP_QXFER:
        add(p, in_u8(in) % 4 ? "qXfer:features:read:target.xml:" : "qXfer:memory-map:read::");
        addf_hex(p, in_u16(in) % 12000);
        add(p, ",");
        addf_hex(p, pick_len(in));
        break;
    case GP_QMISC: {
        static const char *const q[] = { "qAttached", "qAttached:1", "qC", "qfThreadInfo",
                                         "qsThreadInfo", "qSymbol::", "qTStatus", "qOffsets" };
        add(p, q[in_u8(in) % 8]);
        break;
    }
    case GP_RCMD: {
        add(p, "qRcmd,");
        char cmd[80];
        unsigned k = in_u8(in);
        if (k < 200) {
            snprintf(cmd, sizeof cmd, "%s", monitor_cmds[k % (sizeof monitor_cmds /
                                                              sizeof monitor_cmds[0])]);
        } else {
            size_t n = in_bytes(in, cmd, in_u8(in) % (sizeof cmd - 1));
            cmd[n] = 0;
        }
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; cmd[i] && p->len + 2 < sizeof p->buf; i++) {
            p->buf[p->len++] = hex[(uint8_t)cmd[i] >> 4];
            p->buf[p->len++] = hex[cmd[i] & 15];
        }
        if (k >= 250)
            add(p, "z");            /* a bad digit */
        break;
    }
    case GP_NOACK: add(p, "QStartNoAckMode"); break;
    case GP_THREAD: add(p, in_bool(in) ? "Hg0" : "T1"); break;
    case GP_DETACH: add(p, "D"); break;
    case GP_KILL: add(p, "k"); break;
    default: {
        size_t n = in_bytes(in, p->buf, in_u8(in) % 64);
        p->len = n;
        break;
    }
    }
}
