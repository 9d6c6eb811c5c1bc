/* The monitor's `info` commands, one file each. */
#ifndef HOST_DEBUG_INFO_H
#define HOST_DEBUG_INFO_H

#include <stdio.h>

struct machine;

void info_mtree(struct machine *m, const char *args, FILE *out);
void info_qtree(struct machine *m, const char *args, FILE *out);
void info_pci(struct machine *m, const char *args, FILE *out);

#endif
