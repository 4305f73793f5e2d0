/* The monotonic clock in milliseconds, for deadlines of calls that wait. */
#ifndef SLICENET_PLUGIN_UTIL_CLOCK_H
#define SLICENET_PLUGIN_UTIL_CLOCK_H

long long clock_now_ms(void);

#endif
