/* Shared by the gdb target's files. */
#ifndef TESTS_FUZZ_GDB_FUZZ_H
#define TESTS_FUZZ_GDB_FUZZ_H

#include <stddef.h>
#include "input.h"

/* A packet payload, built from the input (packets.c). */
struct payload {
    char buf[4200];
    size_t len;
};

void build_packet(struct input *in, struct payload *p);

#endif
