/*
 * Character backends for the UART: stdio, file:PATH, none. Input (stdio
 * only) is buffered here and handed to the front end as it has room.
 */
#ifndef HOST_CORE_CHARDEV_H
#define HOST_CORE_CHARDEV_H

#include <stddef.h>
#include <stdint.h>
#include "core/loop.h"

struct chardev;

struct chardev_frontend {
    size_t (*can_receive)(void *opaque);
    void (*receive)(void *opaque, const uint8_t *buf, size_t len);
    void *opaque;
};

/* spec as -serial takes it; NULL and *why set on error. */
struct chardev *chardev_open(struct loop *l, const char *spec, char *why, size_t whylen);
void chardev_attach(struct chardev *c, const struct chardev_frontend *fe);
void chardev_write(struct chardev *c, const uint8_t *buf, size_t len);
void chardev_close(struct chardev *c);

#endif
