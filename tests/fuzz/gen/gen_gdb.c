/* Seeds for the gdb target: a debugger session (features, registers,
 * memory, breakpoints, watchpoints, stepping, monitor commands, detach),
 * framing noise, and page tables to translate through. */
#include <stdio.h>
#include "gdb/ops.h"
#include "gen.h"
#include "writer.h"

/* A packet framed by hand, sent as raw bytes. */
static void packet(struct seed *s, const char *payload)
{
    char f[256];
    unsigned sum = 0;
    for (const char *p = payload; *p; p++)
        sum = (sum + (unsigned char)*p) & 0xff;
    int n = snprintf(f, sizeof f, "$%s#%02x", payload, sum);
    w8(s, G_RAW); w8(s, (unsigned)n); wbytes(s, f, (size_t)n);
}

static void raw(struct seed *s, const char *bytes)
{
    size_t n = strlen(bytes);
    w8(s, G_RAW); w8(s, (unsigned)n); wbytes(s, bytes, n);
}

/* G_PACKET addresses and lengths as packets.c picks them */
static void addr_small(struct seed *s, unsigned a) { w8(s, 0); w16(s, a); }
static void len_small(struct seed *s, unsigned l) { w8(s, 0); w8(s, l); }

static void ram(struct seed *s, uint32_t at, const void *b, unsigned n)
{
    w8(s, G_RAM); w32(s, at); w8(s, n); wbytes(s, b, n);
}

void gen_gdb(const char *dir, const char *crashes)
{
    static struct seed s;

    packet(&s, "qSupported:multiprocess+;swbreak+;hwbreak+");
    raw(&s, "+");
    packet(&s, "QStartNoAckMode");
    packet(&s, "qXfer:features:read:target.xml:0,ffb");
    packet(&s, "qXfer:features:read:target.xml:ffb,ffb");
    packet(&s, "?");
    packet(&s, "g");
    packet(&s, "p10");
    packet(&s, "P10=0010000000000000");
    packet(&s, "P11=02020000");
    packet(&s, "p11");
    packet(&s, "m1000,10");
    packet(&s, "M1000,4:90909090");
    packet(&s, "Z0,1000,1");
    packet(&s, "mffc,10");
    packet(&s, "m1000,4");
    packet(&s, "M1000,2:cccc");
    packet(&s, "z0,1000,1");
    packet(&s, "Z1,2000,1");
    packet(&s, "Z2,3000,4");
    packet(&s, "Z4,3008,8");
    packet(&s, "z2,3000,4");
    packet(&s, "vCont?");
    packet(&s, "vCont;s:1");
    packet(&s, "Hg0");
    packet(&s, "qfThreadInfo");
    packet(&s, "qRcmd,696e666f20706369");              /* info pci */
    packet(&s, "D");
    emit(&s, dir, "session");

    w8(&s, G_PACKET); w8(&s, GP_READ_MEM); addr_small(&s, 0x100); len_small(&s, 16);
    w8(&s, G_PACKET); w8(&s, GP_WRITE_MEM); addr_small(&s, 0x100); len_small(&s, 4);
    w8(&s, 1); wstr(&s, "abcd");
    w8(&s, G_PACKET); w8(&s, GP_WRITE_BIN); addr_small(&s, 0x200); len_small(&s, 4);
    w8(&s, 1); wbytes(&s, "#$}*", 4);
    w8(&s, G_PACKET); w8(&s, GP_BREAK); w8(&s, 0); w8(&s, 0); addr_small(&s, 0x104); w8(&s, 1);
    w8(&s, G_PACKET); w8(&s, GP_READ_MEM); addr_small(&s, 0x100); len_small(&s, 16);
    w8(&s, G_PACKET); w8(&s, GP_WRITE_REG); w8(&s, 57); w8(&s, 8); w64(&s, 0x80000011);
    w8(&s, G_PACKET); w8(&s, GP_READ_MEM); w8(&s, 2); w8(&s, 3); w8(&s, 1); w8(&s, 8);
    w8(&s, G_PACKET); w8(&s, GP_QXFER); w8(&s, 1); w16(&s, 100); len_small(&s, 16);
    w8(&s, G_PACKET); w8(&s, GP_RCMD); w8(&s, 6);                   /* info e1000 */
    w8(&s, G_PACKET); w8(&s, GP_RCMD); w8(&s, 13);                  /* quit */
    w8(&s, G_PACKET); w8(&s, GP_CONT); w8(&s, 1); w8(&s, 1); addr_small(&s, 0x400);
    w8(&s, G_STOP); w8(&s, 1); w8(&s, 1); w8(&s, 0);
    w8(&s, G_PACKET); w8(&s, GP_VCONT); w8(&s, 2);
    w8(&s, G_STOP); w8(&s, 0); w8(&s, 1); w8(&s, 1);
    w8(&s, G_PACKET); w8(&s, GP_KILL);
    emit(&s, dir, "structured");

    raw(&s, "$g#00");                       /* bad checksum */
    raw(&s, "$g#zz");
    raw(&s, "\x03");
    raw(&s, "-+-");
    raw(&s, "noise$m0,4#fd");
    raw(&s, "$X100,3:}\x03}\x04}]#00");
    raw(&s, "$m0,4");
    raw(&s, "#fd");
    w8(&s, G_PACKET); w8(&s, GP_ANY); w8(&s, 10); wstr(&s, "Z9,0,0zzzz");
    emit(&s, dir, "framing");

    /* 4-level paging: PML4 at 0x10000 -> PDPT 0x11000 -> PD 0x12000 with a
     * 2 MiB page at 0; a 4 KiB page through a PT at 0x13000 */
    static const uint8_t pml4e[8] = { 0x03, 0x10, 0x01 }, pdpte[8] = { 0x03, 0x20, 0x01 },
                         pde0[8] = { 0x83 }, pde1[8] = { 0x03, 0x30, 0x01 },
                         pte[8] = { 0x03, 0x50, 0x01 };
    ram(&s, 0x10000, pml4e, 8);
    ram(&s, 0x11000, pdpte, 8);
    ram(&s, 0x12000, pde0, 8);
    ram(&s, 0x12008, pde1, 8);
    ram(&s, 0x13000, pte, 8);
    packet(&s, "P3b=0000010000000000");     /* cr3 */
    packet(&s, "P3c=2000000000000000");     /* cr4.PAE */
    packet(&s, "P3d=0005000000000000");     /* efer LME|LMA */
    packet(&s, "P39=1100008000000000");     /* cr0 PG|PE */
    packet(&s, "m200000,10");
    packet(&s, "m1000,10");
    packet(&s, "M200010,2:abcd");
    packet(&s, "Z0,200020,1");
    packet(&s, "m200020,1");
    packet(&s, "P3d=0000000000000000");     /* 32-bit PAE */
    packet(&s, "m1000,10");
    packet(&s, "P3c=1000000000000000");     /* 32-bit with PSE */
    packet(&s, "m1000,10");
    packet(&s, "D");
    emit(&s, dir, "paging");

    /* findings, fixed: software breakpoints were kept by virtual address
     * while the int3 sits in a physical byte two addresses can name */
    packet(&s, "Z0,200,1");
    packet(&s, "m100000200,1");             /* the same byte, 4 GiB higher: its int3 showed */
    emit(&s, dir, "breakpoint_alias_read");
    packet(&s, "Z0,200,1");
    packet(&s, "Z0,100000200,1");           /* orig was saved as 0xcc */
    packet(&s, "z0,200,1");
    packet(&s, "z0,100000200,1");           /* and written back */
    packet(&s, "D");
    emit(&s, dir, "breakpoint_alias_stray_int3");
    packet(&s, "Z0,200,1");
    packet(&s, "M100000200,1:90");          /* the same byte: wrote over the int3 */
    packet(&s, "Z0,200,1");                 /* OK, and no int3 in memory */
    emit(&s, dir, "breakpoint_alias_write");
    (void)crashes;
}
