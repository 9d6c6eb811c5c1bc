/*
 * MC146818A real-time clock (Motorola datasheet: its register
 * descriptions and tables are cited by name below; the PIIX3 datasheet's
 * RTC section for the ports).
 *
 * Nothing ticks here. The time is `secs` at `origin` (a loop time that
 * is a second boundary) plus the whole seconds since, so the update
 * cycles fall every second on origin's grid and the periodic interrupt's
 * ticks on the same divider chain. The flags of register C are gathered
 * lazily, from the last time they were looked at to now, at every access;
 * a loop timer is armed only for an enabled interrupt whose cause comes
 * next, and only while IRQ 8 is not already asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include "core/log.h"
#include "hw/rtc.h"

#define NS_PER_S 1000000000ull
#define DAY_S 86400

struct rtc {
    struct loop *loop;
    struct irq_line irq;
    struct region region;
    struct timer timer;
    uint8_t cmos[RTC_CMOS_SIZE];    /* RAM, registers A and B, the alarms, and the
                                       time registers while SET holds them */
    uint8_t index;
    bool nmi_masked;                /* kept for its own sake: no NMI sources here */
    int64_t secs;                   /* the time at origin */
    uint64_t origin;                /* loop ns */
    uint8_t flags;                  /* PF, AF, UF gathered so far */
    uint64_t checked;               /* flags are gathered up to this loop time */
    int64_t base;                   /* the time at start */
    bool started;
    bool line;                      /* IRQ 8 as driven now (IRQF) */
};

/* ---- calendar (UTC, 1970 on) ---- */

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
    static const uint8_t d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return d[m - 1] + (m == 2 && leap(y));
}

struct date { int64_t year; unsigned month, day, hour, min, sec, wday; };

static struct date to_date(int64_t t)
{
    struct date d;
    if (t < 0)
        t = 0;
    int64_t days = t / DAY_S, rest = t % DAY_S;
    d.hour = (unsigned)(rest / 3600);
    d.min = (unsigned)(rest / 60 % 60);
    d.sec = (unsigned)(rest % 60);
    d.wday = (unsigned)((days + 4) % 7) + 1;       /* 1970-01-01 was a Thursday; 1 = Sunday */
    d.year = 1970;
    while (days >= 365 + leap(d.year))
        days -= 365 + leap(d.year++);
    d.month = 1;
    while (days >= month_days(d.year, d.month))
        days -= month_days(d.year, d.month++);
    d.day = (unsigned)days + 1;
    return d;
}

static int64_t from_date(const struct date *d)
{
    int64_t days = 0;
    for (int64_t y = 1970; y < d->year; y++)
        days += 365 + leap(y);
    for (unsigned m = 1; m < d->month; m++)
        days += month_days(d->year, m);
    days += d->day - 1;
    return days * DAY_S + d->hour * 3600 + d->min * 60 + d->sec;
}

bool rtc_parse_date(const char *s, int64_t *out)
{
    struct date d = { 0 };
    int year, n = 0;
    unsigned mon, day, h = 0, mi = 0, se = 0;
    if (sscanf(s, "%4d-%2u-%2u%n", &year, &mon, &day, &n) != 3 || n != 10)
        return false;
    if (s[n]) {
        int m = 0;
        if (sscanf(s + n, "T%2u:%2u:%2u%n", &h, &mi, &se, &m) != 3 || m != 9 || s[n + m])
            return false;
    }
    if (year < 1970 || year > 2069 || mon < 1 || mon > 12 || day < 1 ||
        day > month_days(year, mon) || h > 23 || mi > 59 || se > 59)
        return false;
    d = (struct date){ year, mon, day, h, mi, se, 0 };
    *out = from_date(&d);
    return true;
}

/* ---- register encoding: BCD or binary (register B's DM), 12 or 24 hours
 * (24/12; in 12-hour mode bit 7 of the hours bytes is PM) ---- */

static uint8_t enc(const struct rtc *r, unsigned v)
{
    return r->cmos[RTC_REG_B] & RTC_B_DM ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned dec(const struct rtc *r, uint8_t v)
{
    return r->cmos[RTC_REG_B] & RTC_B_DM ? v : (v >> 4) * 10u + (v & 15);
}

static uint8_t enc_hour(const struct rtc *r, unsigned h)
{
    if (r->cmos[RTC_REG_B] & RTC_B_24H)
        return enc(r, h);
    unsigned h12 = h % 12 ? h % 12 : 12;
    return (uint8_t)(enc(r, h12) | (h >= 12 ? RTC_HOUR_PM : 0));
}

static unsigned dec_hour(const struct rtc *r, uint8_t v)
{
    if (r->cmos[RTC_REG_B] & RTC_B_24H)
        return dec(r, v);
    return dec(r, v & ~RTC_HOUR_PM) % 12 + (v & RTC_HOUR_PM ? 12 : 0);
}

/* The time registers of t, into regs[0..9] (the alarm bytes untouched). */
static void encode_time(const struct rtc *r, int64_t t, uint8_t *regs)
{
    struct date d = to_date(t);
    regs[RTC_SECONDS] = enc(r, d.sec);
    regs[RTC_MINUTES] = enc(r, d.min);
    regs[RTC_HOURS] = enc_hour(r, d.hour);
    regs[RTC_DAY_OF_WEEK] = enc(r, d.wday);
    regs[RTC_DAY_OF_MONTH] = enc(r, d.day);
    regs[RTC_MONTH] = enc(r, d.month);
    regs[RTC_YEAR] = enc(r, (unsigned)(d.year % 100));
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* What the time registers in regs say; the year is two digits, read as
 * PCs do (below 70: the 2000s). Out-of-range fields are clamped. */
static int64_t decode_time(const struct rtc *r, const uint8_t *regs)
{
    struct date d;
    unsigned yy = clamp(dec(r, regs[RTC_YEAR]), 0, 99);
    d.year = yy < 70 ? 2000 + yy : 1900 + yy;
    d.month = clamp(dec(r, regs[RTC_MONTH]), 1, 12);
    d.day = clamp(dec(r, regs[RTC_DAY_OF_MONTH]), 1, month_days(d.year, d.month));
    d.hour = clamp(dec_hour(r, regs[RTC_HOURS]), 0, 23);
    d.min = clamp(dec(r, regs[RTC_MINUTES]), 0, 59);
    d.sec = clamp(dec(r, regs[RTC_SECONDS]), 0, 59);
    return from_date(&d);
}

/* ---- the clock ---- */

static void set_time(struct rtc *r, uint64_t t, int64_t value);

void rtc_start(struct rtc *r)
{
    r->started = true;
    r->origin = r->checked = loop_now(r->loop);
    r->flags = 0;
    set_time(r, r->origin, r->base);
}

static uint64_t now(struct rtc *r)
{
    if (!r->started)
        rtc_start(r);
    uint64_t t = loop_now(r->loop);
    return t < r->origin ? r->origin : t;
}

static uint64_t whole_secs(const struct rtc *r, uint64_t t)
{
    return (t - r->origin) / NS_PER_S;
}

static int64_t time_at(const struct rtc *r, uint64_t t)
{
    return r->secs + (int64_t)whole_secs(r, t);
}

/* Sets the clock to value at loop time t, keeping the second's phase. */
static void set_time(struct rtc *r, uint64_t t, int64_t value)
{
    r->secs = value - (int64_t)whole_secs(r, t);
    struct date d = to_date(value);
    unsigned c = (unsigned)(d.year / 100);
    r->cmos[RTC_CENTURY] = (uint8_t)((c / 10) << 4 | c % 10);
}

/* Register B's SET: while it is 1 no update cycle runs and the time
 * bytes hold what the program writes. */
static bool updating(const struct rtc *r)
{
    return !(r->cmos[RTC_REG_B] & RTC_B_SET);
}

/* Periodic rate select, as Table 5 ('Periodic Interrupt Rate and
 * Square-Wave Output Frequency') has it for the 32.768 kHz time base: the
 * period is 2^k / 65536 s, k = RS for RS 3-15 (8192 Hz down to 2 Hz), and
 * 256 and 128 Hz for RS 1 and 2; RS 0 is none. */
static unsigned period_shift(unsigned rs)
{
    return rs >= 3 ? rs : rs + 7;
}

/* Periodic ticks since origin up to t: the period in ns is
 * 2^k * 1e9 / 65536 = 2^k * 1953125 / 128. */
static uint64_t ticks(const struct rtc *r, uint64_t t, unsigned rs)
{
    return (uint64_t)((unsigned __int128)(t - r->origin) * 128 /
                      (1953125ull << period_shift(rs)));
}

static uint64_t tick_time(const struct rtc *r, uint64_t n, unsigned rs)
{
    unsigned __int128 p = (unsigned __int128)n * (1953125ull << period_shift(rs));
    return r->origin + (uint64_t)((p + 127) / 128);
}

/* Which hours, minutes and seconds the alarm bytes accept: each byte
 * equal to the value as the registers would show it, or don't care (the
 * code 11XXXXXX, register B's AIE description). False when some field
 * accepts nothing (an alarm that never rings). */
static bool alarm_sets(const struct rtc *r, bool hs[24], bool ms[60], bool ss[60])
{
    const uint8_t *c = r->cmos;
    bool any_h = false, any_m = false, any_s = false;
    for (unsigned v = 0; v < 60; v++) {
        if (v < 24) {
            hs[v] = (c[RTC_HOURS_ALARM] & RTC_ALARM_ANY) == RTC_ALARM_ANY ||
                    c[RTC_HOURS_ALARM] == enc_hour(r, v);
            any_h |= hs[v];
        }
        ms[v] = (c[RTC_MINUTES_ALARM] & RTC_ALARM_ANY) == RTC_ALARM_ANY ||
                c[RTC_MINUTES_ALARM] == enc(r, v);
        ss[v] = (c[RTC_SECONDS_ALARM] & RTC_ALARM_ANY) == RTC_ALARM_ANY ||
                c[RTC_SECONDS_ALARM] == enc(r, v);
        any_m |= ms[v];
        any_s |= ss[v];
    }
    return any_h && any_m && any_s;
}

/* The first update in seconds (from, to] after origin whose new time the
 * alarm matches; UINT64_MAX if none. Hours from the current one on (the
 * current one again a day later), then minutes, then seconds: the first
 * hit is the earliest. */
static uint64_t next_alarm(const struct rtc *r, uint64_t from, uint64_t to)
{
    bool hs[24], ms[60], ss[60];
    if (to <= from || !alarm_sets(r, hs, ms, ss))
        return UINT64_MAX;
    int64_t t0 = r->secs + (int64_t)from + 1;
    unsigned tod = (unsigned)(((t0 % DAY_S) + DAY_S) % DAY_S);
    unsigned into_hour = tod % 3600;
    for (unsigned dh = 0; dh <= 24; dh++) {
        if (!hs[(tod / 3600 + dh) % 24])
            continue;
        for (unsigned m = 0; m < 60; m++) {
            if (!ms[m])
                continue;
            for (unsigned s = 0; s < 60; s++) {
                if (!ss[s] || (dh == 0 && m * 60 + s < into_hour))
                    continue;
                uint64_t k = from + 1 + dh * 3600 + m * 60 + s - into_hour;
                return k <= to ? k : UINT64_MAX;
            }
        }
    }
    return UINT64_MAX;
}

/* Gathers the flags of what happened in (checked, t]: PF for a periodic
 * tick, UF for an update, AF for an update into an alarm time. Flags are
 * set whether or not their interrupt is enabled (register C: 'PF is set
 * to a 1 independent of the state of the PIE bit'). */
static void gather(struct rtc *r, uint64_t t)
{
    if (t <= r->checked)
        return;
    unsigned rs = r->cmos[RTC_REG_A] & RTC_A_RS;
    if (rs && ticks(r, t, rs) != ticks(r, r->checked, rs))
        r->flags |= RTC_C_PF;
    if (updating(r)) {
        uint64_t k0 = whole_secs(r, r->checked), k1 = whole_secs(r, t);
        if (k1 > k0) {
            r->flags |= RTC_C_UF;
            if (!(r->flags & RTC_C_AF) && next_alarm(r, k0, k1) != UINT64_MAX)
                r->flags |= RTC_C_AF;
        }
    }
    r->checked = t;
}

/* Register C: IRQF = PF & PIE | AF & AIE | UF & UIE, and IRQ is driven
 * while it is 1. */
static bool irqf(const struct rtc *r)
{
    uint8_t b = r->cmos[RTC_REG_B];
    return ((r->flags & RTC_C_PF) && (b & RTC_B_PIE)) ||
           ((r->flags & RTC_C_AF) && (b & RTC_B_AIE)) ||
           ((r->flags & RTC_C_UF) && (b & RTC_B_UIE));
}

/* Drives IRQ 8 from IRQF and arms the timer for the next enabled cause. */
static void update(struct rtc *r)
{
    bool level = irqf(r);
    if (level != r->line) {
        r->line = level;
        irq_set(&r->irq, level);
    }
    timer_del(&r->timer);
    if (r->line)
        return;         /* nothing new to say until register C is read */
    uint8_t b = r->cmos[RTC_REG_B];
    uint64_t t = r->checked, next = UINT64_MAX;
    unsigned rs = r->cmos[RTC_REG_A] & RTC_A_RS;
    if ((b & RTC_B_PIE) && rs)
        next = tick_time(r, ticks(r, t, rs) + 1, rs);
    if (updating(r) && (b & (RTC_B_UIE | RTC_B_AIE))) {
        uint64_t k = whole_secs(r, t);
        uint64_t hit = b & RTC_B_UIE ? k + 1 : next_alarm(r, k, k + DAY_S);
        if (hit != UINT64_MAX && r->origin + hit * NS_PER_S < next)
            next = r->origin + hit * NS_PER_S;
    }
    if (next != UINT64_MAX)
        timer_mod(&r->timer, next);
}

static void timer_cb(void *opaque)
{
    struct rtc *r = opaque;
    gather(r, now(r));
    update(r);
}

int64_t rtc_time(struct rtc *r)
{
    return updating(r) ? time_at(r, now(r)) : decode_time(r, r->cmos);
}

/* ---- ports ---- */

static bool is_time_reg(unsigned i)
{
    return i <= RTC_YEAR && i != RTC_SECONDS_ALARM && i != RTC_MINUTES_ALARM &&
           i != RTC_HOURS_ALARM;
}

static uint8_t read_reg(struct rtc *r, unsigned i, uint64_t t)
{
    if (is_time_reg(i)) {
        if (!updating(r))
            return r->cmos[i];
        uint8_t regs[RTC_YEAR + 1];
        encode_time(r, time_at(r, t), regs);
        return regs[i];
    }
    switch (i) {
    case RTC_REG_A: {
        /* UIP: 1 from t_BUC (244 us, Table 6, 'Update Cycle Times')
         * before each update, and never while SET holds (register A's
         * UIP). The update itself (t_UC, 1984 us on the chip) takes no
         * time here: the bytes are never seen in transition. */
        bool uip = updating(r) && (t - r->origin) % NS_PER_S >= NS_PER_S - RTC_UIP_NS;
        return (uint8_t)(r->cmos[RTC_REG_A] | (uip ? RTC_A_UIP : 0));
    }
    case RTC_REG_C: {
        /* bits 3-0 read 0; reading C clears every flag and IRQF */
        uint8_t v = (uint8_t)(r->flags | (irqf(r) ? RTC_C_IRQF : 0));
        r->flags = 0;
        update(r);
        return v;
    }
    case RTC_REG_D:
        return RTC_D_VRT;   /* the battery is fine; bits 6-0 read 0 */
    default:
        return r->cmos[i];
    }
}

static void write_reg(struct rtc *r, unsigned i, uint8_t v, uint64_t t)
{
    if (i == RTC_SECONDS)
        v &= 0x7f;          /* bit 7 of the seconds byte is read-only, 0 */
    if (is_time_reg(i)) {
        if (updating(r)) {
            /* written while counting: that field of the time changes now */
            uint8_t regs[RTC_YEAR + 1];
            encode_time(r, time_at(r, t), regs);
            regs[i] = v;
            set_time(r, t, decode_time(r, regs));
        } else {
            r->cmos[i] = v;
        }
        update(r);
        return;
    }
    switch (i) {
    case RTC_REG_A:
        r->cmos[i] = v & ~RTC_A_UIP;    /* UIP is read-only */
        break;
    case RTC_REG_B: {
        uint8_t old = r->cmos[i];
        int64_t held = time_at(r, t);
        if ((v & RTC_B_SET) && !(old & RTC_B_SET))
            v &= ~RTC_B_UIE;    /* register B: SET going high clears UIE */
        r->cmos[i] = v;
        /* updates stop with the registers showing the time, in the mode
         * just set (a guest sets SET, the mode, then every register) */
        if ((v & RTC_B_SET) && !(old & RTC_B_SET))
            encode_time(r, held, r->cmos);
        if (!(v & RTC_B_SET) && (old & RTC_B_SET))
            set_time(r, t, decode_time(r, r->cmos));    /* in the mode now in force */
        break;
    }
    case RTC_REG_C:
    case RTC_REG_D:
        break;              /* read-only: 'they cannot be written' */
    default:
        r->cmos[i] = v;
        break;
    }
    update(r);
}

static uint64_t rtc_read(void *opaque, uint64_t off, unsigned size)
{
    struct rtc *r = opaque;
    if (off == 0)
        return 0xff;        /* the index register is write-only */
    uint64_t t = now(r);
    gather(r, t);
    return read_reg(r, r->index, t);
}

static void rtc_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct rtc *r = opaque;
    if (off == 0) {
        r->index = val & (RTC_CMOS_SIZE - 1);
        r->nmi_masked = val & RTC_NMI_MASK;
        return;
    }
    uint64_t t = now(r);
    gather(r, t);
    write_reg(r, r->index, (uint8_t)val, t);
}

static const struct region_ops rtc_ops = {
    .read = rtc_read,
    .write = rtc_write,
    .max_access = 1,
};

struct rtc *rtc_create(struct loop *loop, struct irq_line irq, int64_t base)
{
    struct rtc *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->loop = loop;
    r->irq = irq;
    r->base = base;
    r->cmos[RTC_REG_A] = RTC_A_DEFAULT;
    r->cmos[RTC_REG_B] = RTC_B_DEFAULT;
    timer_init(&r->timer, loop, timer_cb, r);
    region_init_io(&r->region, "rtc", 2, &rtc_ops, r);
    return r;
}

void rtc_destroy(struct rtc *r)
{
    if (!r)
        return;
    timer_del(&r->timer);
    free(r);
}

struct region *rtc_region(struct rtc *r)
{
    return &r->region;
}
