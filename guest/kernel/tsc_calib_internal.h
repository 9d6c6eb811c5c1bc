/* tsc_calib.c's limits that its host unit test holds it to. */
#ifndef GUEST_TSC_CALIB_INTERNAL_H
#define GUEST_TSC_CALIB_INTERNAL_H

#define SPAN_READS (1u << 18)       /* a counter that does not count: give up */

#endif
