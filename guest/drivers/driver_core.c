/*
 * The driver core: which driver a function belongs to. Matching walks a
 * driver's ID table; binding calls probe and remembers who said yes;
 * unbinding calls remove. No hardware is touched here, so the same file
 * is compiled into the host's unit tests.
 */
#include <stddef.h>
#include "pci.h"

#define MAX_DRIVERS 16

static struct pci_dev *devices;
static const struct pci_driver *drivers[MAX_DRIVERS];
static int ndrivers;

void pci_core_reset(void)
{
    devices = NULL;
    ndrivers = 0;
}

static int id_matches(const struct pci_device_id *id, const struct pci_dev *dev)
{
    uint32_t cls = (uint32_t)dev->class_code << 8 | dev->prog_if;
    return (id->vendor == PCI_ANY_ID || id->vendor == dev->vendor) &&
           (id->device == PCI_ANY_ID || id->device == dev->device) &&
           ((cls ^ id->class_code) & id->class_mask) == 0;
}

static int id_is_end(const struct pci_device_id *id)
{
    return !id->vendor && !id->device && !id->class_code && !id->class_mask;
}

const struct pci_device_id *pci_match_id(const struct pci_device_id *table,
                                         const struct pci_dev *dev)
{
    for (; table && !id_is_end(table); table++)
        if (id_matches(table, dev))
            return table;
    return NULL;
}

void pci_add_device(struct pci_dev *dev)
{
    struct pci_dev **pp = &devices;
    while (*pp)
        pp = &(*pp)->next;
    dev->next = NULL;
    *pp = dev;
}

struct pci_dev *pci_devices(void)
{
    return devices;
}

struct pci_dev *pci_find(uint8_t bus, uint8_t dev, uint8_t fn)
{
    for (struct pci_dev *d = devices; d; d = d->next)
        if (d->bus == bus && d->dev == dev && d->fn == fn)
            return d;
    return NULL;
}

static int try_driver(const struct pci_driver *drv, struct pci_dev *dev)
{
    const struct pci_device_id *id = pci_match_id(drv->id_table, dev);
    if (!id || !drv->probe)
        return -1;
    dev->driver = drv;          /* visible to probe, as in Linux */
    if (drv->probe(dev, id) != 0) {
        dev->driver = NULL;
        dev->driver_data = NULL;
        return -1;
    }
    return 0;
}

int pci_register_driver(const struct pci_driver *drv)
{
    if (ndrivers == MAX_DRIVERS)
        return 0;
    drivers[ndrivers++] = drv;
    int bound = 0;
    for (struct pci_dev *d = devices; d; d = d->next)
        if (!d->driver && try_driver(drv, d) == 0)
            bound++;
    return bound;
}

int pci_bind(struct pci_dev *dev)
{
    if (dev->driver)
        return 0;
    for (int i = 0; i < ndrivers; i++)
        if (try_driver(drivers[i], dev) == 0)
            return 0;
    return -1;
}

void pci_unbind(struct pci_dev *dev)
{
    if (!dev->driver)
        return;
    if (dev->driver->remove)
        dev->driver->remove(dev);
    dev->driver = NULL;
    dev->driver_data = NULL;
}
