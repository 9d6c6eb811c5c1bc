/* The contract headers compile in host code and their layouts hold
 * (the _Static_asserts do the checking; this pins a few offsets that the
 * manual's register map and descriptor pictures fix). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "contract/boot.h"
#include "contract/e1000.h"
#include "contract/pci.h"
#include "contract/platform.h"

static void e1000_layouts(void **state)
{
    assert_int_equal(offsetof(struct e1000_rx_desc, length), 8);
    assert_int_equal(offsetof(struct e1000_rx_desc, status), 12);
    assert_int_equal(offsetof(struct e1000_tx_desc, cmd), 11);
    assert_int_equal(offsetof(struct e1000_tx_desc, status), 12);
    assert_int_equal(offsetof(struct e1000_context_desc, cmd_and_length), 8);
    assert_int_equal(offsetof(struct e1000_context_desc, mss), 14);
    assert_int_equal(offsetof(struct e1000_data_desc, lower), 8);
    assert_int_equal(offsetof(struct e1000_data_desc, popts), 13);
    assert_int_equal(E1000_TDT, 0x3818);
    assert_int_equal(E1000_RAH(0), 0x5404);
    assert_int_equal(E1000_RAL(15), 0x5478);
    /* the legacy DEXT bit and the DCMD DEXT bit are the same bit */
    assert_int_equal((uint32_t)E1000_TXD_CMD_DEXT << 24, E1000_TXD_DCMD_DEXT);
    assert_int_equal((uint32_t)E1000_TXD_CMD_RS << 24, E1000_TXD_DCMD_RS);
}

static void boot_layouts(void **state)
{
    assert_int_equal(offsetof(struct pcemu_boot_info, mmap), 32);
    assert_int_equal(offsetof(struct multiboot_info, mmap_length), 44);
    assert_int_equal(offsetof(struct multiboot_info, boot_loader_name), 64);
    assert_int_equal(PCI_CONFIG_ADDR(0, 3, 0, 0x10), 0x80001810u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(e1000_layouts),
        cmocka_unit_test(boot_layouts),
    };
    return cmocka_run_group_tests_name("contract", tests, NULL, NULL);
}
