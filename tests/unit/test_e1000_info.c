/* `info e1000`: register fields decoded by the manual's names, bus
 * mastering shown, and the rings as the device reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "contract/e1000.h"
#include "core/log.h"
#include "hw/e1000.h"
#include "e1000_rig.h"

#define RING 0x1000

static struct {
    struct pci_rig p;
    struct e1000 *nic;
    char *text;
} r;

static void sink(void *opaque, const char *line) { }
static void wr(uint32_t reg, uint32_t v) { e1000dev_reg_write(r.nic, reg, v); }

static int setup(void **state)
{
    memset(&r, 0, sizeof r);
    log_capture(sink, NULL);
    pci_rig_init(&r.p);
    r.nic = pci_rig_add(&r.p, "e1000", false);
    return 0;
}

static int teardown(void **state)
{
    free(r.text);
    board_destroy(&r.p.b);
    log_capture(NULL, NULL);
    return 0;
}

static const char *info(void)
{
    size_t len;
    free(r.text);
    FILE *f = open_memstream(&r.text, &len);
    e1000dev_info(r.nic, f);
    fclose(f);
    return r.text;
}

static void has_line(const char *line)
{
    const char *t = info(), *p = strstr(t, line);
    if (!p || (p != t && p[-1] != '\n') || p[strlen(line)] != '\n')
        fail_msg("no line \"%s\" in:\n%s", line, t);
}

static void fields_by_name(void **state)
{
    has_line("  CTRL   FD SLU SPEED=1000");
    has_line("  STATUS FD LU SPEED=1000");
    has_line("  ICR    -");
    has_line("  RCTL   RDMTS=1/2 BSIZE=2048");
    has_line("  TCTL   -");
    wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC | E1000_RCTL_BSIZE_256 |
                   E1000_RCTL_BSEX | E1000_RCTL_LPE);
    has_line("  RCTL   EN LPE RDMTS=1/2 BAM BSEX SECRC BSIZE=4096");
    wr(E1000_RCTL, E1000_RCTL_BSIZE_1024 | E1000_RCTL_RDMTS_QUARTER | 2u << E1000_RCTL_MO_SHIFT);
    has_line("  RCTL   RDMTS=1/4 MO=0x2 BSIZE=1024");
    wr(E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | 0x10u << E1000_TCTL_CT_SHIFT |
                   0x40u << E1000_TCTL_COLD_SHIFT);
    has_line("  TCTL   EN PSP CT=0x10 COLD=0x40");
    wr(E1000_IMS, E1000_ICR_TXDW | E1000_ICR_LSC | E1000_ICR_RXT0);
    has_line("  IMS    TXDW LSC RXT0");
    wr(E1000_ICS, E1000_ICR_LSC);
    has_line("  ICR    LSC INT_ASSERTED");
    wr(E1000_RXCSUM, E1000_RXCSUM_IPOFLD | E1000_RXCSUM_TUOFLD);
    has_line("  RXCSUM IPOFLD TUOFLD");
}

static void bus_mastering_shown(void **state)
{
    pci_firmware_set_command(e1000dev_pci(r.nic), PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    has_line("  PCI    COMMAND 0x0003: IO MEM (bus mastering off: no DMA)");
    wr(E1000_TDBAL, RING);
    wr(E1000_TDLEN, 128);
    assert_non_null(strstr(info(), "  [  0] not in RAM (or bus mastering off)\n"));
    pci_firmware_set_command(e1000dev_pci(r.nic), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    has_line("  PCI    COMMAND 0x0006: MEM BME");
    struct e1000_tx_desc d = { .buffer_addr = 0x4000, .length = 60,
                               .cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
    memcpy(r.p.ram + RING, &d, sizeof d);
    has_line("  [  0] addr 0x4000 len 60 cmd 0x09 (EOP RS) sta 0x0  <- TDH  <- TDT");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = { T(fields_by_name), T(bus_mastering_shown) };
    return cmocka_run_group_tests_name("e1000dev_info", tests, NULL, NULL);
}
