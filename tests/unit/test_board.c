/* The PC built from its board entries (board_pc.c): every device where
 * its entry says, INTA routed and level-triggered, the queued-write
 * ranges the devices declare on their regions, and `info qtree`'s ISA
 * bus derived from the entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "contract/pci.h"
#include "contract/platform.h"
#include "core/coalesce.h"
#include "core/log.h"
#include "core/loop.h"
#include "pci_rig.h"

static struct {
    struct pci_rig p;
    struct loop loop;
} r;

static void quiet(void *opaque, const char *line) { }

static int setup(void **state)
{
    memset(&r, 0, sizeof r);
    log_capture(quiet, NULL);
    pci_rig_init(&r.p);
    loop_init(&r.loop);
    r.p.b.loop = &r.loop;
    assert_int_equal(board_add_all(&r.p.b), 0);
    return 0;
}

static int teardown(void **state)
{
    board_destroy(&r.p.b);
    loop_destroy(&r.loop);
    log_capture(NULL, NULL);
    return 0;
}

static void every_entry_is_on_the_board(void **state)
{
    assert_int_equal(r.p.b.n, board_pc_count);
    for (unsigned i = 0; i < board_pc_count; i++) {
        const struct board_device *d = &board_pc[i];
        assert_ptr_equal(board_find(&r.p.b, d->name)->desc, d);
        for (unsigned k = 0; d->region && k < 3 && d->ports[k]; k++) {
            uint64_t off;
            assert_ptr_equal(address_space_lookup(&r.p.io_as, d->ports[k], &off),
                             d->region(board_dev(&r.p.b, d->name), k));
            assert_int_equal(off, 0);
        }
        if (d->pci)
            assert_ptr_equal(r.p.b.pci.bus.devs[d->devfn], board_pci(&r.p.b, d->name));
    }
    assert_non_null(r.p.b.pic);
    assert_null(board_find(&r.p.b, "floppy"));
}

/* PCI interrupts are level-triggered and shareable (PCI 2.3, 2.2.6): the
 * line firmware reports in INTERRUPT_LINE is set level in the ELCR. */
static void inta_is_routed_and_level_triggered(void **state)
{
    struct pci_device *nic = board_pci(&r.p.b, "e1000");
    assert_int_equal(nic->config[PCI_INTERRUPT_LINE], PCI_E1000_IRQ);
    assert_int_equal(as_read(&r.p.io_as, PIC_ELCR2, 1), 1u << (PCI_E1000_IRQ - 8));
    assert_int_equal(as_read(&r.p.io_as, PIC_ELCR1, 1), 0);
    /* and reaches the PIC's input: its IRR shows it */
    pci_set_irq(nic, 1);
    as_write(&r.p.io_as, PIC2_CMD, PIC_OCW3_READ_IRR, 1);
    assert_true(as_read(&r.p.io_as, PIC2_CMD, 1) & 1u << (PCI_E1000_IRQ - 8));
    pci_set_irq(nic, 0);
}

static void firmware_bars_and_decoding(void **state)
{
    struct pci_device *nic = board_pci(&r.p.b, "e1000");
    assert_true(nic->bars[0].mapped);
    assert_int_equal(nic->bars[0].addr, E1000_BAR0_ADDR);
    assert_int_equal(nic->bars[1].addr, E1000_BAR1_ADDR);
    assert_false(pci_bus_master(nic));      /* the driver's to switch on */
}

struct zones { struct coalesce_zone z[COALESCE_MAX]; unsigned n; };

static int take(void *opaque, uint64_t addr, uint64_t len, bool on)
{
    struct zones *s = opaque;
    s->z[s->n++] = (struct coalesce_zone){ addr, len };
    return 0;
}

static bool has(const struct zones *s, uint64_t addr, uint64_t len)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->z[i].addr == addr && s->z[i].len == len)
            return true;
    return false;
}

/* What the CPU may queue comes from the devices' own regions: COM1's THR
 * and CONFIG_ADDRESS in I/O space, the e1000's MTA and EERD at its BAR. */
static void queued_writes_come_from_the_devices(void **state)
{
    struct zones io = { .n = 0 }, mem = { .n = 0 };
    struct coalesce_set cur_io = { .n = 0 }, cur_mem = { .n = 0 };
    coalesce_update(&r.p.io_as, &cur_io, take, &io);
    coalesce_update(&r.p.mem_as, &cur_mem, take, &mem);
    assert_int_equal(io.n, 2);
    assert_true(has(&io, COM1_BASE + UART_THR, 1));
    assert_true(has(&io, PCI_CONFIG_ADDRESS, 4));
    assert_int_equal(mem.n, 2);
    assert_true(has(&mem, E1000_BAR0_ADDR + E1000_MTA, 4 * E1000_MTA_SIZE));
    assert_true(has(&mem, E1000_BAR0_ADDR + E1000_EERD, 4));
}

/* Newest first, as QEMU lists a bus: the last ISA entry leads. */
static void qtree_isa_bus_follows_the_entries(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    board_qtree_isa(&r.p.b, f, 0);
    fclose(f);
    assert_true(strncmp(text, "dev: isa-debug-exit, id \"\"\n  iobase = 244 (0xf4)\n", 48) == 0);
    const char *master = strstr(text, "master = true");
    assert_non_null(master);
    assert_string_equal(master, "master = true\n");   /* the first entry comes last */
    assert_non_null(strstr(text, "dev: isa-serial, id \"\"\n  index = 0 (0x0)\n"
                                 "  iobase = 1016 (0x3f8)\n  irq = 4 (0x4)\n  isa irq 4\n"));
    free(text);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(every_entry_is_on_the_board), T(inta_is_routed_and_level_triggered),
        T(firmware_bars_and_decoding), T(queued_writes_come_from_the_devices),
        T(qtree_isa_bus_follows_the_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
