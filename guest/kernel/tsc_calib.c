/*
 * The TSC's rate measured on PIT counter 0, which counts at 1.193182 MHz.
 *
 * A span runs from one latch of the counter to another, each stamped
 * with the middle of the two TSC reads around its latch command; the PIT
 * clocks between them are summed from the counts read on the way (mode 2
 * counts reload..1, so a count above the one before is a reload; 8254
 * datasheet, mode 2). The counter runs with its longest period (55 ms).
 *
 * A host may stop the vCPU anywhere, for milliseconds (a busy host's
 * scheduler) -- a virtual PIT keeps counting meanwhile, and so does the
 * TSC. Two places matter:
 *
 * - Inside a sample's bracket, between its TSC reads: the count belongs
 *   to one end of the stop and the stamp to its middle, so a span that
 *   ends there comes out short (or one that starts there long) by half
 *   the stop. A 20 ms stop in the last sample of a 2 ms span makes the
 *   TSC look 0.55 times its rate, and every timeout run that much fast.
 *   So a span starts and ends only at a tight sample: a bracket at most
 *   twice the narrowest seen in the span (an exit costs microseconds, a
 *   stop milliseconds). A wide one in between costs nothing: only the
 *   ends are stamped.
 *
 * - Between two samples, for a period or more: the counter may have
 *   wrapped unseen, and a period of clocks would be lost. The TSC's gap
 *   between two latches (at most from the TSC read before the first to
 *   the one after the second) is held against the rate measured so far
 *   (at the last tight sample), and a span with a gap of 3/4 of a period
 *   or more is dropped.
 *
 * Spans so measured can still differ (a stop just before the span starts
 * is harmless, one in the warm-up is not seen); three are taken, and
 * their median kept once most of them agree with it within 0.5%, else
 * three more, up to twelve.
 */
#include "contract/platform.h"
#include "tsc_calib.h"
#include "tsc_calib_internal.h"

#define SPAN_CLOCKS    (PIT_HZ / 500)    /* about 2 ms */
#define GIVE_UP_CLOCKS (PIT_HZ / 25)     /* 40 ms with no tight sample to end on */
#define WARM_UP        8                 /* samples before the start, for the narrowest bracket */
#define START_TRIES    256
#define RATE_CLOCKS    64                /* clocks measured before gaps are checked */
#define SPANS          3
#define ROUNDS         4
#define AGREE_PPM      5000

static uint64_t width(const struct pit_sample *s)
{
    return s->tsc_after - s->tsc_before;
}

static uint64_t stamp(const struct pit_sample *s)
{
    return s->tsc_before + width(s) / 2;
}

enum span { SPAN_OK, SPAN_DROPPED, SPAN_DEAD };

/* One span's rate in *hz, unless it could not be measured honestly. */
static enum span one_span(pit_sample_fn read, void *ctx, uint32_t reload, uint64_t *hz)
{
    struct pit_sample s;
    uint64_t narrow = UINT64_MAX;
    for (int i = 0; i < WARM_UP; i++) {
        read(ctx, &s);
        if (width(&s) < narrow)
            narrow = width(&s);
    }
    for (int tries = 0; width(&s) > 2 * narrow; tries++) {
        if (tries == START_TRIES)
            return SPAN_DROPPED;
        read(ctx, &s);
        if (width(&s) < narrow)
            narrow = width(&s);
    }
    uint64_t start = stamp(&s), prev_before = s.tsc_before, elapsed = 0;
    uint64_t rate_tsc = 0, rate_clocks = 0;     /* the rate so far, at a tight sample */
    uint16_t prev = s.count;
    for (uint32_t reads = 0; reads < SPAN_READS; reads++) {
        read(ctx, &s);
        /* the time between this latch and the one before is at most gap */
        uint64_t gap = s.tsc_after - prev_before;
        if (rate_clocks >= RATE_CLOCKS &&
            (unsigned __int128)gap * rate_clocks >= (unsigned __int128)rate_tsc * (reload / 4 * 3))
            return SPAN_DROPPED;
        elapsed += s.count <= prev ? (uint32_t)(prev - s.count) : prev + reload - s.count;
        prev = s.count;
        prev_before = s.tsc_before;
        if (width(&s) < narrow)
            narrow = width(&s);
        if (width(&s) <= 2 * narrow && stamp(&s) > start) {
            rate_tsc = stamp(&s) - start;
            rate_clocks = elapsed;
            if (elapsed >= SPAN_CLOCKS) {
                if (rate_tsc > UINT64_MAX / PIT_HZ)     /* hours: not a span */
                    return SPAN_DROPPED;
                *hz = rate_tsc * PIT_HZ / elapsed;
                return *hz ? SPAN_OK : SPAN_DROPPED;
            }
        }
        if (elapsed >= GIVE_UP_CLOCKS)
            return SPAN_DROPPED;
    }
    return SPAN_DEAD;
}

uint64_t tsc_calibrate(pit_sample_fn read, void *ctx, uint32_t reload)
{
    uint64_t f[SPANS * ROUNDS];
    int n = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < SPANS; i++) {
            uint64_t v;
            enum span r = one_span(read, ctx, reload, &v);
            if (r == SPAN_DEAD)
                return 0;
            if (r != SPAN_OK)
                continue;
            int j = n++;
            for (; j > 0 && f[j - 1] > v; j--)      /* kept sorted */
                f[j] = f[j - 1];
            f[j] = v;
        }
        if (!n)
            continue;
        uint64_t median = f[n / 2], tol = median / (1000000 / AGREE_PPM);
        int agree = 0;
        for (int i = 0; i < n; i++)
            agree += f[i] + tol >= median && f[i] <= median + tol;
        if (agree >= 2 && 2 * agree > n)
            return median;
    }
    return n ? f[n / 2] : 0;
}
