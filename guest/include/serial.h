/* The 16550 console on COM1. */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#include <stddef.h>

int serial_init(void);          /* 0, or -1 when no UART answers */
void serial_write(const char *s, size_t n);

#endif
