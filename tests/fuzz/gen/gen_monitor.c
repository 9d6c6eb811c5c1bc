/* Seeds for the monitor target: every command as typed (and mistyped),
 * `info` over rings and moved BARs, raw lines. */
#include "gen.h"
#include "monitor/ops.h"
#include "writer.h"

static void cmd(struct seed *s, unsigned which, unsigned deco)
{
    w8(s, MO_COMMAND); w8(s, which); w8(s, deco);
}

static void line(struct seed *s, const char *l)
{
    size_t n = strlen(l);
    w8(s, MO_RAW); w16(s, (unsigned)n); wbytes(s, l, n);
}

void gen_monitor(const char *dir, const char *crashes)
{
    static struct seed s;

    for (unsigned i = 0; i < 28; i++)
        cmd(&s, i, i % 3 == 0 ? DECO_LEAD | DECO_CRLF : i % 3 == 1 ? DECO_TABS : DECO_TRAIL);
    emit(&s, dir, "commands");

    cmd(&s, 17, 0);                         /* stop */
    cmd(&s, 11, 0);                         /* info status */
    cmd(&s, 15, 0);                         /* cont */
    cmd(&s, 11, 0);
    cmd(&s, 21, 0);                         /* set_link e1000 off */
    cmd(&s, 12, 0);                         /* info network */
    cmd(&s, 20, 0);
    cmd(&s, 12, 0);
    cmd(&s, 17, DECO_EXTRA); w8(&s, 3); wstr(&s, "now");
    cmd(&s, 10, DECO_EXTRA); w8(&s, 5); wstr(&s, "extra");
    cmd(&s, 18, 0);                         /* quit */
    emit(&s, dir, "state");

    /* rings for `info e1000`: TX at 0x1000 with 64 descriptors, RX at
     * 0x2000 with 256 (long: the middle is elided), one outside RAM */
    w8(&s, MO_REG); w8(&s, 0); w32(&s, 0x1000);
    w8(&s, MO_REG); w8(&s, 2); w32(&s, 64 * 16);
    w8(&s, MO_REG); w8(&s, 3); w32(&s, 5);
    w8(&s, MO_REG); w8(&s, 4); w32(&s, 9);
    w8(&s, MO_RAM); w32(&s, 0x1050); w8(&s, 16);
    wbytes(&s, "\x00\x10\x00\x00\x00\x00\x00\x00\x40\x00\x00\x0b\x01\x00\x00\x00", 16);
    w8(&s, MO_REG); w8(&s, 5); w32(&s, 0x2000);
    w8(&s, MO_REG); w8(&s, 7); w32(&s, 256 * 16);
    w8(&s, MO_REG); w8(&s, 9); w32(&s, 200);
    cmd(&s, 13, 0);                         /* info e1000 */
    w8(&s, MO_REG); w8(&s, 5); w32(&s, 0x3fff0);
    cmd(&s, 13, 0);
    w8(&s, MO_REG); w8(&s, 6); w32(&s, 1);
    cmd(&s, 13, 0);
    emit(&s, dir, "info_e1000");

    w8(&s, MO_PCI); w8(&s, 1); w32(&s, 0xfe000000);
    w8(&s, MO_PCI); w8(&s, 2); w32(&s, 0xd001);
    cmd(&s, 7, 0);                          /* info mtree -f */
    cmd(&s, 10, 0);                         /* info pci */
    w8(&s, MO_PCI); w8(&s, 0); w32(&s, 0);
    cmd(&s, 7, 0);
    cmd(&s, 6, 0);                          /* info mtree */
    cmd(&s, 9, 0);                          /* info qtree */
    w8(&s, MO_PCI); w8(&s, 0); w32(&s, 7);
    w8(&s, MO_PCI); w8(&s, 2); w32(&s, 0xcc1);
    cmd(&s, 7, 0);
    emit(&s, dir, "info_bars");

    line(&s, "");
    line(&s, "   ");
    line(&s, "help\tinfo");
    line(&s, "info\tmtree\t-f");
    line(&s, "info e1000\r\n");
    line(&s, "quit \x01");
    line(&s, "\xff\xfe bytes");
    static char lng[1100];
    memset(lng, 'x', sizeof lng - 1);
    memcpy(lng, "help ", 5);
    line(&s, lng);
    emit(&s, dir, "raw_lines");
    (void)crashes;
}
