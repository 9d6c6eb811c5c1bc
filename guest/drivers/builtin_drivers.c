/* The drivers linked into the kernel: each PCI_DRIVER() puts a pointer in
 * the .pci_drivers section, which the linker script brackets. Kept apart
 * from pci.c so host builds of pci.c need no such section. */
#include "pci.h"

extern const struct pci_driver *const __start_pci_drivers[], *const __stop_pci_drivers[];

void pci_register_builtin_drivers(void)
{
    for (const struct pci_driver *const *p = __start_pci_drivers; p < __stop_pci_drivers; p++)
        pci_register_driver(*p);
}
