/* The monitor's `info` commands, one file each. */
#ifndef HOST_DEBUG_INFO_H
#define HOST_DEBUG_INFO_H

#include <stdio.h>

struct machine;

void info_mtree(struct machine *m, const char *args, FILE *out);
void info_qtree(struct machine *m, const char *args, FILE *out);
void info_pci(struct machine *m, const char *args, FILE *out);

/* "Ethernet controller" for 0x0200, or NULL when unnamed. */
const char *pci_class_name(unsigned class_code);

#endif
