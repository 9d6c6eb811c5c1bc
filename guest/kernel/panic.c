#include "contract/platform.h"
#include "kernel.h"
#include "x86.h"

void verdict(int failed)
{
    cli();
    outb(DEBUG_EXIT_PORT, failed ? VERDICT_FAIL : VERDICT_PASS);
    halt_forever();         /* where there is no debug-exit port */
}

void panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    printf("Bail out! %s\n", buf);
    verdict(1);
}
