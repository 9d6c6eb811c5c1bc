/* Random instruction sequences, run on both sides (gen.c). */
#ifndef TESTS_CPU_GEN_H
#define TESTS_CPU_GEN_H

#include <stdint.h>
#include "rig.h"

void gen_run(struct rig *r, uint64_t seed, unsigned count);

#endif
