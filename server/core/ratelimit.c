/*
 * ratelimit.c - shared token buckets (see ratelimit.h).
 */
#include "ratelimit.h"

#include "hash.h"
#include "util.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define RL_SLOTS 8192
#define RL_PROBE 16

struct bucket {
    char name[48];
    double tokens;
    double at; /* last refill, monotonic seconds */
};

static struct bucket table[RL_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* guards table */

int rl_take(const char *name, double rate, double burst)
{
    if (rate <= 0)
        return 0;
    double now = util_monotonic();
    unsigned h = hash_fnv1a(HASH_FNV_INIT, name, strlen(name));
    int wait = 0;
    pthread_mutex_lock(&lock);
    struct bucket *b = NULL, *oldest = NULL;
    for (int i = 0; i < RL_PROBE; i++) {
        struct bucket *c = &table[(h + (unsigned)i) % RL_SLOTS];
        if (strncmp(c->name, name, sizeof c->name - 1) == 0 && c->name[0]) {
            b = c;
            break;
        }
        if (!oldest || c->at < oldest->at)
            oldest = c;
    }
    if (!b) { /* new, or evict the longest idle in the probe window */
        b = oldest;
        snprintf(b->name, sizeof b->name, "%s", name);
        b->tokens = burst;
        b->at = now;
    }
    b->tokens = fmin(burst, b->tokens + (now - b->at) * rate);
    b->at = now;
    if (b->tokens >= 1.0)
        b->tokens -= 1.0;
    else
        wait = (int)ceil((1.0 - b->tokens) / rate);
    pthread_mutex_unlock(&lock);
    return wait < 0 ? 1 : wait;
}
