/*
 * dfcache.h - the document-frequency look-up of server/search.c
 * (search_df), for the bench tools: SELECT doc FROM resources_vocab,
 * remembered in a direct-mapped table of the same size as the server's
 * per-worker one.  The benchmark database does not change while a tool
 * runs, so the table is never cleared: the first pass over the queries
 * pays the look-ups, the later ones mostly hit, as a server answering the
 * same queries does.  dfcache_lookups counts the calls that went to SQLite.
 */
#ifndef SHUCU_BENCH_DFCACHE_H
#define SHUCU_BENCH_DFCACHE_H

#include <sqlite3.h>
#include <string.h>

#define DFC_SLOTS 8192 /* DF_SLOTS in server/search.c */
#define DFC_KEY 48     /* DF_KEY */

static struct {
    char key[DFC_KEY];
    long df;
} dfc_v[DFC_SLOTS];
static long dfcache_lookups;

static long dfcache_get(sqlite3_stmt *st, const char *token, int len)
{
    unsigned h = 2166136261u;
    for (int i = 0; i < len; i++)
        h = (h ^ (unsigned char)token[i]) * 16777619u;
    unsigned slot = h % DFC_SLOTS;
    int cacheable = len > 0 && len < DFC_KEY;
    if (cacheable && strncmp(dfc_v[slot].key, token, (size_t)len) == 0 && dfc_v[slot].key[len] == '\0')
        return dfc_v[slot].df;
    long n = 0;
    dfcache_lookups++;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, token, len, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (cacheable) {
        memcpy(dfc_v[slot].key, token, (size_t)len);
        dfc_v[slot].key[len] = '\0';
        dfc_v[slot].df = n;
    }
    return n;
}

#endif
