/* PCI: configuration mechanism #1, configuration space semantics, BAR
 * sizing and decode enables mapping BAR regions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "core/log.h"
#include "hw/e1000.h"
#include "hw/pci_host.h"
#include "hw/piix3.h"
#include "pci_rig.h"

struct rig {
    struct pci_rig p;
    struct e1000 *nic;
    int irq_level, irq_changes;
};

static void irq_set_cb(void *opaque, int n, int level)
{
    struct rig *r = opaque;
    r->irq_level = level;
    r->irq_changes++;
}

static void quiet(void *opaque, const char *line) { }

static int setup(void **state)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    log_capture(quiet, NULL);
    pci_rig_init(&r.p);
    r.p.b.irq[PCI_E1000_IRQ] = (struct irq_line){ irq_set_cb, &r, PCI_E1000_IRQ };
    pci_rig_add(&r.p, "piix3", false);
    r.nic = pci_rig_add(&r.p, "e1000", false);
    *state = &r;
    return 0;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    board_destroy(&r->p.b);
    log_capture(NULL, NULL);
    return 0;
}

static void sel(struct rig *r, int dev, int fn, int reg)
{
    as_write(&r->p.io_as, PCI_CONFIG_ADDRESS, PCI_CONFIG_ADDR(0, dev, fn, reg), 4);
}

static uint32_t cfg_read(struct rig *r, int dev, int fn, int reg, unsigned len)
{
    sel(r, dev, fn, reg);
    return (uint32_t)as_read(&r->p.io_as, PCI_CONFIG_DATA + (reg & 3), len);
}

static void cfg_write(struct rig *r, int dev, int fn, int reg, uint32_t v, unsigned len)
{
    sel(r, dev, fn, reg);
    as_write(&r->p.io_as, PCI_CONFIG_DATA + (reg & 3), v, len);
}

static void ids_at_every_width_and_offset(void **state)
{
    struct rig *r = *state;
    assert_int_equal(cfg_read(r, 0, 0, 0, 4), 0x12378086);
    assert_int_equal(cfg_read(r, 3, 0, 0, 4), 0x100e8086);
    assert_int_equal(cfg_read(r, 3, 0, 0, 2), 0x8086);
    assert_int_equal(cfg_read(r, 3, 0, 2, 2), 0x100e);
    assert_int_equal(cfg_read(r, 3, 0, 0, 1), 0x86);
    assert_int_equal(cfg_read(r, 3, 0, 1, 1), 0x80);
    assert_int_equal(cfg_read(r, 3, 0, 2, 1), 0x0e);
    assert_int_equal(cfg_read(r, 3, 0, 3, 1), 0x10);
    assert_int_equal(cfg_read(r, 3, 0, 1, 2), 0x0e80);   /* unaligned word */
    assert_int_equal(cfg_read(r, 3, 0, 0x0a, 2), PCI_CLASS_NETWORK_ETHERNET);
    assert_int_equal(cfg_read(r, 3, 0, 0x2c, 4), 0x11001af4);
    assert_int_equal(cfg_read(r, 1, 0, 0x0a, 2), PCI_CLASS_BRIDGE_ISA);
    assert_int_equal(cfg_read(r, 1, 0, PCI_HEADER_TYPE, 1), 0x80);
    assert_int_equal(cfg_read(r, 0, 0, 0x0a, 2), PCI_CLASS_BRIDGE_HOST);
}

static void absent_and_disabled_read_all_ones(void **state)
{
    struct rig *r = *state;
    assert_int_equal(cfg_read(r, 2, 0, 0, 4), 0xffffffff);
    assert_int_equal(cfg_read(r, 1, 1, 0, 2), 0xffff);     /* PIIX3 has no .1 */
    assert_int_equal(cfg_read(r, 31, 7, 0, 4), 0xffffffff);
    /* bus 1 does not exist */
    as_write(&r->p.io_as, PCI_CONFIG_ADDRESS, PCI_CONFIG_ADDR(1, 3, 0, 0), 4);
    assert_int_equal(as_read(&r->p.io_as, PCI_CONFIG_DATA, 4), 0xffffffff);
    /* enable bit clear */
    as_write(&r->p.io_as, PCI_CONFIG_ADDRESS, 3u << 11, 4);
    assert_int_equal(as_read(&r->p.io_as, PCI_CONFIG_DATA, 4), 0xffffffff);
    /* writes to an absent function go nowhere, and don't crash */
    cfg_write(r, 5, 0, 0x3c, 0x12, 1);
    assert_int_equal(cfg_read(r, 5, 0, 0x3c, 1), 0xff);
}

static void config_address_only_on_dword_access(void **state)
{
    struct rig *r = *state;
    sel(r, 3, 0, 0);
    assert_int_equal(as_read(&r->p.io_as, PCI_CONFIG_ADDRESS, 4), PCI_CONFIG_ADDR(0, 3, 0, 0));
    as_write(&r->p.io_as, PCI_CONFIG_ADDRESS + 3, 0x01, 1);      /* ignored */
    as_write(&r->p.io_as, PCI_CONFIG_ADDRESS, 0x1234, 2);        /* ignored */
    assert_int_equal(as_read(&r->p.io_as, PCI_CONFIG_ADDRESS, 4), PCI_CONFIG_ADDR(0, 3, 0, 0));
    /* the low two bits never stick */
    as_write(&r->p.io_as, PCI_CONFIG_ADDRESS, PCI_CONFIG_ADDR(0, 3, 0, 0) | 3, 4);
    assert_int_equal(as_read(&r->p.io_as, PCI_CONFIG_ADDRESS, 4), PCI_CONFIG_ADDR(0, 3, 0, 0));
}

static void read_only_fields_ignore_writes(void **state)
{
    struct rig *r = *state;
    cfg_write(r, 3, 0, 0, 0xdeadbeef, 4);
    assert_int_equal(cfg_read(r, 3, 0, 0, 4), 0x100e8086);
    cfg_write(r, 3, 0, 0x08, 0xffffffff, 4);              /* revision and class */
    assert_int_equal(cfg_read(r, 3, 0, 0x0a, 2), PCI_CLASS_NETWORK_ETHERNET);
    cfg_write(r, 3, 0, PCI_INTERRUPT_PIN, 4, 1);
    assert_int_equal(cfg_read(r, 3, 0, PCI_INTERRUPT_PIN, 1), 1);
    cfg_write(r, 3, 0, PCI_INTERRUPT_LINE, 9, 1);
    assert_int_equal(cfg_read(r, 3, 0, PCI_INTERRUPT_LINE, 1), 9);
    cfg_write(r, 3, 0, PCI_HEADER_TYPE, 0x80, 1);
    assert_int_equal(cfg_read(r, 3, 0, PCI_HEADER_TYPE, 1), 0);
}

/* Byte and word writes land on the bytes they name inside the dword,
 * and leave the others as they were. */
static void narrow_writes_at_every_offset(void **state)
{
    struct rig *r = *state;
    uint32_t cmd = cfg_read(r, 3, 0, PCI_COMMAND, 2);
    /* the command register's high byte, at 0xcfd: INTx disable */
    cfg_write(r, 3, 0, PCI_COMMAND + 1, PCI_COMMAND_INTX_DISABLE >> 8, 1);
    assert_int_equal(cfg_read(r, 3, 0, PCI_COMMAND, 2), cmd | PCI_COMMAND_INTX_DISABLE);
    assert_int_equal(cfg_read(r, 3, 0, PCI_COMMAND, 1), cmd & 0xff);
    cfg_write(r, 3, 0, PCI_COMMAND + 1, 0, 1);
    assert_int_equal(cfg_read(r, 3, 0, PCI_COMMAND, 2), cmd);
    /* dword 0x0c: cache line size, latency timer, header type, BIST */
    uint32_t d0c = cfg_read(r, 3, 0, PCI_CACHE_LINE_SIZE, 4);
    cfg_write(r, 3, 0, PCI_LATENCY_TIMER, 0x40, 1);             /* byte 1, at 0xcfd */
    assert_int_equal(cfg_read(r, 3, 0, PCI_CACHE_LINE_SIZE, 4), (d0c & ~0xff00u) | 0x4000);
    cfg_write(r, 3, 0, PCI_CACHE_LINE_SIZE, 0x1008, 2);         /* both, at 0xcfc */
    assert_int_equal(cfg_read(r, 3, 0, PCI_CACHE_LINE_SIZE, 4), (d0c & ~0xffffu) | 0x1008);
    assert_int_equal(cfg_read(r, 3, 0, PCI_LATENCY_TIMER, 1), 0x10);
    assert_int_equal(cfg_read(r, 3, 0, PCI_HEADER_TYPE, 1), 0);  /* byte 2 untouched */
    /* a word at offset 2 of the dword (0xcfe): the status register, whose
     * bits clear only where a 1 is written; the command word stays */
    cfg_write(r, 3, 0, PCI_STATUS, 0, 2);
    assert_int_equal(cfg_read(r, 3, 0, PCI_COMMAND, 2), cmd);
    /* a byte at offset 3 (0xcff) of dword 0x3c: max latency, read-only */
    uint32_t d3c = cfg_read(r, 3, 0, PCI_INTERRUPT_LINE, 4);
    cfg_write(r, 3, 0, PCI_INTERRUPT_LINE + 3, 0x5a, 1);
    assert_int_equal(cfg_read(r, 3, 0, PCI_INTERRUPT_LINE, 4), d3c);
}

static void bar_sizing(void **state)
{
    struct rig *r = *state;
    cfg_write(r, 3, 0, 0x10, 0xffffffff, 4);
    assert_int_equal(cfg_read(r, 3, 0, 0x10, 4), 0xfffe0000);   /* 128 KiB, mem32 */
    cfg_write(r, 3, 0, 0x14, 0xffffffff, 4);
    assert_int_equal(cfg_read(r, 3, 0, 0x14, 4), 0xffffffc1);   /* 64 B, I/O */
    for (int bar = 2; bar < 6; bar++) {
        cfg_write(r, 3, 0, 0x10 + 4 * bar, 0xffffffff, 4);
        assert_int_equal(cfg_read(r, 3, 0, 0x10 + 4 * bar, 4), 0);   /* unimplemented */
    }
    cfg_write(r, 3, 0, 0x10, 0xfebc0123, 4);
    assert_int_equal(cfg_read(r, 3, 0, 0x10, 4), 0xfebc0000);
}

static void decode_enable_maps_and_unmaps(void **state)
{
    struct rig *r = *state;
    cfg_write(r, 3, 0, 0x10, 0xfebc0000, 4);
    cfg_write(r, 3, 0, 0x14, 0xc000, 4);
    uint64_t off;
    /* decode off: nothing there */
    assert_null(address_space_lookup(&r->p.mem_as, 0xfebc0008, &off));
    assert_null(address_space_lookup(&r->p.io_as, 0xc000, &off));

    cfg_write(r, 3, 0, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    struct region *hit = address_space_lookup(&r->p.mem_as, 0xfebc0008, &off);
    assert_non_null(hit);
    assert_string_equal(hit->name, "e1000-mmio");
    assert_int_equal(off, 8);
    assert_null(address_space_lookup(&r->p.io_as, 0xc000, &off));

    cfg_write(r, 3, 0, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
    hit = address_space_lookup(&r->p.io_as, 0xc004, &off);
    assert_non_null(hit);
    assert_string_equal(hit->name, "e1000-io");

    /* sizing while decoding unmaps; restoring maps again */
    cfg_write(r, 3, 0, 0x10, 0xffffffff, 4);
    assert_null(address_space_lookup(&r->p.mem_as, 0xfebc0008, &off));
    cfg_write(r, 3, 0, 0x10, 0xfebc0000, 4);
    assert_non_null(address_space_lookup(&r->p.mem_as, 0xfebc0008, &off));

    /* moving the BAR moves the region */
    cfg_write(r, 3, 0, 0x10, 0xf0000000, 4);
    assert_null(address_space_lookup(&r->p.mem_as, 0xfebc0008, &off));
    hit = address_space_lookup(&r->p.mem_as, 0xf0000010, &off);
    assert_non_null(hit);
    assert_int_equal(off, 0x10);

    cfg_write(r, 3, 0, PCI_COMMAND, 0, 2);
    assert_null(address_space_lookup(&r->p.mem_as, 0xf0000010, &off));
    assert_null(address_space_lookup(&r->p.io_as, 0xc004, &off));
    /* RAM below is untouched by any of it */
    assert_non_null(address_space_lookup(&r->p.mem_as, 0x100, &off));
}

static void status_bits_write_one_to_clear(void **state)
{
    struct rig *r = *state;
    struct pci_device *d = e1000dev_pci(r->nic);
    pci_set_word(d->config + PCI_STATUS, pci_get_word(d->config + PCI_STATUS) |
                 PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_DETECTED_PARITY);
    uint16_t before = (uint16_t)cfg_read(r, 3, 0, PCI_STATUS, 2);
    cfg_write(r, 3, 0, PCI_STATUS, PCI_STATUS_REC_MASTER_ABORT, 2);
    uint16_t after = (uint16_t)cfg_read(r, 3, 0, PCI_STATUS, 2);
    assert_int_equal(after, before & ~PCI_STATUS_REC_MASTER_ABORT);
    assert_true(after & PCI_STATUS_DETECTED_PARITY);
    cfg_write(r, 3, 0, PCI_STATUS, 0xffff, 2);
    assert_int_equal(cfg_read(r, 3, 0, PCI_STATUS, 2) & PCI_STATUS_W1C, 0);
}

static void intx_and_disable_bit(void **state)
{
    struct rig *r = *state;
    struct pci_device *d = e1000dev_pci(r->nic);
    pci_set_irq(d, 1);
    assert_int_equal(r->irq_level, 1);
    assert_true(cfg_read(r, 3, 0, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    cfg_write(r, 3, 0, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    assert_int_equal(r->irq_level, 0);
    assert_true(cfg_read(r, 3, 0, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    cfg_write(r, 3, 0, PCI_COMMAND, 0, 2);
    assert_int_equal(r->irq_level, 1);
    pci_set_irq(d, 0);
    assert_int_equal(r->irq_level, 0);
    assert_false(cfg_read(r, 3, 0, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
}

static void bus_master_gates_dma(void **state)
{
    struct rig *r = *state;
    struct pci_device *d = e1000dev_pci(r->nic);
    uint8_t buf[4] = { 1, 2, 3, 4 };
    assert_false(pci_dma_write(d, 0x10, buf, 4));
    assert_int_equal(r->p.ram[0x10], 0);
    cfg_write(r, 3, 0, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    assert_true(pci_dma_write(d, 0x10, buf, 4));
    assert_memory_equal(r->p.ram + 0x10, buf, 4);
    /* outside RAM is refused even with mastering on */
    assert_false(pci_dma_read(d, sizeof r->p.ram - 2, buf, 4));
    assert_false(pci_dma_read(d, 0xfebc0000, buf, 4));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(ids_at_every_width_and_offset),
        T(absent_and_disabled_read_all_ones),
        T(config_address_only_on_dword_access),
        T(read_only_fields_ignore_writes),
        T(narrow_writes_at_every_offset),
        T(bar_sizing),
        T(decode_enable_maps_and_unmaps),
        T(status_bits_write_one_to_clear),
        T(intx_and_disable_bit),
        T(bus_master_gates_dma),
    };
    return cmocka_run_group_tests_name("pci", tests, NULL, NULL);
}
