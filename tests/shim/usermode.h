/* The contract tests' stand-in for guest/include/usermode.h: the driver
 * code runs in one host process at one level, so kcall is a call. */
#ifndef GUEST_USERMODE_H
#define GUEST_USERMODE_H

#include <stdint.h>

static inline unsigned current_cpl(void) { return 0; }
static inline uint64_t kcall(uint64_t (*fn)(uint64_t), uint64_t arg) { return fn(arg); }

#endif
