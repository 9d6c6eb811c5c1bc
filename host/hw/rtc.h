/*
 * The CMOS real-time clock of a PC: an MC146818A (as the PIIX3 carries
 * it) on ports 0x70 (index, bit 7 masks NMI) and 0x71 (data), IRQ 8.
 *
 * Its time is a base date plus the loop's clock, so on the interpreter
 * (where that clock is the instruction count) two runs read the same
 * dates. The date and time registers read in BCD or binary and in 12- or
 * 24-hour form as register B says; UIP is set for the 244 us before each
 * second's update; the periodic, alarm and update-ended flags and their
 * interrupts follow the datasheet. Bytes 0x0e-0x7f are plain CMOS RAM
 * (0x32, the IBM century byte, holds the base date's century).
 *
 * Not modelled: the divider bits of register A (Table 4, 'Divider
 * Configurations': the 32.768 kHz time base always runs, never held in
 * reset), daylight-saving switches (DSE is stored), the square-wave pin,
 * and a battery that could fail (register D always says VRT).
 */
#ifndef HOST_HW_RTC_H
#define HOST_HW_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include "core/irq.h"
#include "core/loop.h"
#include "core/memory.h"

#define RTC_PORT_INDEX  0x70
#define RTC_PORT_DATA   0x71
#define RTC_IRQ         8
#define RTC_NMI_MASK    0x80    /* index port: NMI disabled while set */

/* MC146818A registers */
#define RTC_SECONDS         0x00
#define RTC_SECONDS_ALARM   0x01
#define RTC_MINUTES         0x02
#define RTC_MINUTES_ALARM   0x03
#define RTC_HOURS           0x04
#define RTC_HOURS_ALARM     0x05
#define RTC_DAY_OF_WEEK     0x06    /* 1 = Sunday */
#define RTC_DAY_OF_MONTH    0x07
#define RTC_MONTH           0x08
#define RTC_YEAR            0x09    /* 0-99 */
#define RTC_REG_A           0x0a
#define RTC_REG_B           0x0b
#define RTC_REG_C           0x0c
#define RTC_REG_D           0x0d
#define RTC_CENTURY         0x32    /* IBM PC convention: CMOS RAM, BCD */
#define RTC_CMOS_SIZE       128

#define RTC_A_UIP           0x80    /* update in progress (read-only) */
#define RTC_A_DV            0x70    /* divider: 010 for a 32.768 kHz crystal */
#define RTC_A_RS            0x0f    /* periodic rate select */
#define RTC_B_SET           0x80    /* updates inhibited, time registers writable */
#define RTC_B_PIE           0x40
#define RTC_B_AIE           0x20
#define RTC_B_UIE           0x10
#define RTC_B_SQWE          0x08
#define RTC_B_DM            0x04    /* binary (1) or BCD (0) */
#define RTC_B_24H           0x02
#define RTC_B_DSE           0x01
#define RTC_C_IRQF          0x80
#define RTC_C_PF            0x40
#define RTC_C_AF            0x20
#define RTC_C_UF            0x10
#define RTC_D_VRT           0x80
#define RTC_HOUR_PM         0x80    /* 12-hour mode */
#define RTC_ALARM_ANY       0xc0    /* an alarm byte 11XXXXXX: don't care */

/* What register A and B hold at power-on as a BIOS leaves them: the
 * 32.768 kHz divider, 1024 Hz periodic rate; 24-hour BCD. */
#define RTC_A_DEFAULT       0x26
#define RTC_B_DEFAULT       0x02

/* The default base date: 2025-01-01T00:00:00 UTC (-rtc base= changes it). */
#define RTC_DEFAULT_BASE    1735689600ll

/* The update cycle: UIP is set this long before each second's update
 * (t_BUC in Table 6, 'Update Cycle Times': 8 periods of 32.768 kHz,
 * 244.140625 us). */
#define RTC_UIP_NS          244141ull

struct rtc;

/* base: seconds since 1970-01-01T00:00:00 UTC when the clock starts. */
struct rtc *rtc_create(struct loop *loop, struct irq_line irq, int64_t base);
void rtc_destroy(struct rtc *r);

/* Starts the clock at its base date now (and at the guest's first access
 * if nobody did): the machine calls it as the vcpu starts, since the
 * loop's clock is the backend's (the interpreter's instruction count)
 * only from then on. */
void rtc_start(struct rtc *r);

/* Ports 0x70-0x71. */
struct region *rtc_region(struct rtc *r);

/* The clock's time now, in seconds since the epoch (for tests). */
int64_t rtc_time(struct rtc *r);

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" (UTC, years 1970-2099) to
 * seconds since the epoch; false when it is not one. */
bool rtc_parse_date(const char *s, int64_t *out);

#endif
