/* Loads the guest kernel into RAM and fills the vcpu's start state. */
#ifndef HOST_BOOT_LOADER_H
#define HOST_BOOT_LOADER_H

#include "cpu/cpu.h"

struct machine;

/* On failure prints `pcemu: <kernel>: <why>` and returns -1. */
int boot_load(struct machine *m, struct cpu_state *st);

#endif
