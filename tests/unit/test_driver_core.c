/* The guest's driver core, compiled for the host: ID-table matching,
 * binding at registration, probe refusals, unbind and rebind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "pci.h"

static int probes_a, removes_a, probes_b, refuse_b;
static const struct pci_device_id *last_id;

static int probe_a(struct pci_dev *d, const struct pci_device_id *id)
{
    probes_a++;
    last_id = id;
    assert_ptr_not_equal(d->driver, NULL);      /* visible during probe */
    d->driver_data = &probes_a;
    return 0;
}

static void remove_a(struct pci_dev *d) { removes_a++; }

static int probe_b(struct pci_dev *d, const struct pci_device_id *id)
{
    probes_b++;
    return refuse_b ? -1 : 0;
}

static const struct pci_device_id ids_a[] = {
    { 0x8086, 0x100e, 0, 0 },
    { 0x8086, 0x100f, 0, 0 },
    { 0, 0, 0, 0 },
};
/* any Ethernet controller, by class alone */
static const struct pci_device_id ids_b[] = {
    { PCI_ANY_ID, PCI_ANY_ID, 0x020000, 0xffff00 },
    { 0, 0, 0, 0 },
};
static const struct pci_driver drv_a = { "a", ids_a, probe_a, remove_a };
static const struct pci_driver drv_b = { "b", ids_b, probe_b, NULL };

static struct pci_dev host, nic, other_nic;

static int setup(void **state)
{
    pci_core_reset();
    probes_a = removes_a = probes_b = refuse_b = 0;
    host = (struct pci_dev){ .dev = 0, .vendor = 0x8086, .device = 0x1237, .class_code = 0x0600 };
    nic = (struct pci_dev){ .dev = 3, .vendor = 0x8086, .device = 0x100e, .class_code = 0x0200 };
    other_nic = (struct pci_dev){ .dev = 4, .vendor = 0x10ec, .device = 0x8139,
                                  .class_code = 0x0200 };
    pci_add_device(&host);
    pci_add_device(&nic);
    pci_add_device(&other_nic);
    return 0;
}

static void matching(void **state)
{
    assert_ptr_equal(pci_match_id(ids_a, &nic), &ids_a[0]);
    assert_null(pci_match_id(ids_a, &host));
    assert_null(pci_match_id(ids_a, &other_nic));
    assert_ptr_equal(pci_match_id(ids_b, &other_nic), &ids_b[0]);
    assert_null(pci_match_id(ids_b, &host));
    nic.prog_if = 0x01;                          /* masked out by ffff00 */
    assert_non_null(pci_match_id(ids_b, &nic));
    assert_null(pci_match_id(NULL, &nic));
}

static void register_binds_matching_functions(void **state)
{
    assert_int_equal(pci_register_driver(&drv_a), 1);
    assert_int_equal(probes_a, 1);
    assert_ptr_equal(last_id, &ids_a[0]);
    assert_ptr_equal(nic.driver, &drv_a);
    assert_ptr_equal(nic.driver_data, &probes_a);
    assert_null(host.driver);
    /* a second driver only gets what is still free */
    assert_int_equal(pci_register_driver(&drv_b), 1);
    assert_ptr_equal(other_nic.driver, &drv_b);
    assert_ptr_equal(nic.driver, &drv_a);
    assert_int_equal(probes_b, 1);
}

static void refused_probe_leaves_unbound(void **state)
{
    refuse_b = 1;
    assert_int_equal(pci_register_driver(&drv_b), 0);
    assert_null(other_nic.driver);
    assert_null(other_nic.driver_data);
    assert_int_equal(pci_bind(&other_nic), -1);
    refuse_b = 0;
    assert_int_equal(pci_bind(&other_nic), 0);
    assert_ptr_equal(other_nic.driver, &drv_b);
}

static void unbind_and_rebind_call_each_once(void **state)
{
    pci_register_driver(&drv_a);
    pci_unbind(&nic);
    assert_int_equal(removes_a, 1);
    assert_null(nic.driver);
    assert_null(nic.driver_data);
    pci_unbind(&nic);                            /* unbinding twice does nothing */
    assert_int_equal(removes_a, 1);
    assert_int_equal(pci_bind(&nic), 0);
    assert_int_equal(probes_a, 2);
    assert_int_equal(pci_bind(&nic), 0);         /* already bound: no new probe */
    assert_int_equal(probes_a, 2);
    assert_int_equal(pci_bind(&host), -1);
}

static void lookup(void **state)
{
    assert_ptr_equal(pci_find(0, 3, 0), &nic);
    assert_null(pci_find(0, 5, 0));
    int n = 0;
    for (struct pci_dev *d = pci_devices(); d; d = d->next)
        n++;
    assert_int_equal(n, 3);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
    const struct CMUnitTest tests[] = {
        T(matching), T(register_binds_matching_functions), T(refused_probe_leaves_unbound),
        T(unbind_and_rebind_call_each_once), T(lookup),
    };
    return cmocka_run_group_tests_name("driver_core", tests, NULL, NULL);
}
