/*
 * The human monitor: `info mtree`, `info qtree`, `info pci`, `cont`,
 * `quit`, reached through -monitor stdio or a unix socket. Output uses
 * QEMU's formats so that what people know from QEMU reads the same here.
 */
#ifndef HOST_DEBUG_MONITOR_H
#define HOST_DEBUG_MONITOR_H

#include <stdio.h>

struct machine;
struct monitor;

/* spec: "stdio", "unix:PATH,server,nowait" or "none". NULL + *why on error. */
struct monitor *monitor_open(struct machine *m, const char *spec, char *why, size_t whylen);
void monitor_close(struct monitor *mon);

/* Runs one command line, writing its output to out (also used by gdb's
 * `monitor` command and by tests). */
void monitor_execute(struct machine *m, const char *line, FILE *out);

#endif
