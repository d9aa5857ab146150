/*
 * dfcache.c - a direct-mapped memo of document frequencies (dfcache.h).
 */
#include "dfcache.h"

#include "hash.h"

#include <stdlib.h>
#include <string.h>

struct dfcache {
    long long gen;
    long lookups;
    struct {
        char key[DFCACHE_KEY]; /* NUL-terminated; "" when empty */
        long df;
    } v[DFCACHE_SLOTS];
};

struct dfcache *dfcache_new(void)
{
    struct dfcache *c = calloc(1, sizeof *c);
    if (c)
        c->gen = -1;
    return c;
}

void dfcache_free(struct dfcache *c)
{
    free(c);
}

long dfcache_lookups(const struct dfcache *c)
{
    return c ? c->lookups : 0;
}

long dfcache_get(struct dfcache *c, long long gen, sqlite3_stmt *st, const char *token, int len)
{
    if (gen != c->gen) {
        memset(c->v, 0, sizeof c->v);
        c->gen = gen;
    }
    int cacheable = len > 0 && len < DFCACHE_KEY && gen >= 0;
    unsigned slot = hash_fnv1a(HASH_FNV_INIT, token, (size_t)(len > 0 ? len : 0)) % DFCACHE_SLOTS;
    if (cacheable && strncmp(c->v[slot].key, token, (size_t)len) == 0 &&
        c->v[slot].key[len] == '\0')
        return c->v[slot].df;
    long n = 0;
    c->lookups++;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, token, len, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (cacheable) {
        memcpy(c->v[slot].key, token, (size_t)len);
        c->v[slot].key[len] = '\0';
        c->v[slot].df = n;
    }
    return n;
}
