/* CPU features a test needs, asked of the host and of the interpreter. */
#ifndef TESTS_CPU_NEED_H
#define TESTS_CPU_NEED_H

#include <stdint.h>
#include "rig.h"

/* the NEED_* bits of cases.inc */
#define NEED_LZCNT   0x01
#define NEED_POPCNT  0x02
#define NEED_BMI1    0x04
#define NEED_CX16    0x08
#define NEED_MOVBE   0x10
#define NEED_BMI2    0x20
#define NEED_ADX     0x40
#define NEED_SSE2    0x80
#define NEED_CLFSH   0x100
#define NEED_INTEL   0x200      /* Intel's behaviour where AMD's differs: both
                                 * must say GenuineIntel */

uint32_t host_features(void);
uint32_t interp_features(struct rig *r);
/* "lzcnt popcnt" for the bits in need */
const char *feature_names(uint32_t need);

#endif
