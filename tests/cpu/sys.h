/* System tests: the interpreter alone, against the SDM (sys_*.c). */
#ifndef TESTS_CPU_SYS_H
#define TESTS_CPU_SYS_H

#include "rig.h"

void sys_run_all(struct rig *r);

#endif
