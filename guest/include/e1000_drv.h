/* The guest's e1000 driver: so far it binds, enables the device and maps
 * its BARs; the register-level driver comes with the device model. */
#ifndef GUEST_E1000_DRV_H
#define GUEST_E1000_DRV_H

#include <stdint.h>
#include "pci.h"

struct e1000_nic {
    struct pci_dev *pci;
    volatile uint8_t *regs;     /* BAR0, identity-mapped */
    uint16_t io_base;           /* BAR1: IOADDR at +0, IODATA at +4 */
};

extern const struct pci_driver e1000_driver;
/* How often probe and remove ran, for the self-tests. */
extern unsigned e1000_probe_calls, e1000_remove_calls;

#endif
