/*
 * ratelimit.h - token buckets per API key and per client address.
 *
 * One table shared by all workers (guarded by one mutex: the critical
 * section is a hash probe and a few arithmetic operations), so a limit
 * holds for the process whatever worker a connection lands on.  Buckets
 * refill continuously at `rate` tokens per second up to `burst`; a full
 * table evicts the bucket idle longest.  Limits are off (0) by default.
 */
#ifndef SHUCU_RATELIMIT_H
#define SHUCU_RATELIMIT_H

/* Takes one token for name (e.g. "k:shk_abcd1234" or "a:127.0.0.1").
 * Returns 0 when allowed, else the whole seconds to wait (>= 1). */
int rl_take(const char *name, double rate, double burst);

#endif
