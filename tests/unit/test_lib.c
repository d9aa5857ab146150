/*
 * test_lib.c - the small structures every layer shares: topk (a page of
 * search results), idset (matching's candidates), cursor (every list's
 * next page), hash_fnv1a and dfcache (document frequencies).
 *
 * Each structure replaced hand-rolled twins that had drifted apart (only
 * one cursor parser checked length and overflow; one candidate hash never
 * grew); these tests pin what a user would notice: the wrong page, a
 * candidate counted twice or lost, a forged cursor accepted, a stale
 * frequency after a write.
 */
#include "cursor.h"
#include "dfcache.h"
#include "hash.h"
#include "idset.h"
#include "strset.h"
#include "test.h"
#include "topk.h"

#include <sqlite3.h>
#include <stdint.h>

/* The top k of a stream equals sorting everything and cutting at k, ties
 * broken by the larger id first (newer rows first). */
TEST(topk_equals_sort_and_cut)
{
    enum { N = 5000, K = 37 };
    static struct topk_item all[N];
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        all[i] = (struct topk_item){.key = (double)(x % 100), .score = i, .id = i + 1};
    }
    struct topk t;
    topk_init(&t, K);
    for (int i = 0; i < N; i++)
        topk_push(&t, all[i]);
    topk_sort(&t);
    ASSERT_EQ(t.n, K);
    /* selection by brute force: the best remaining item, K times */
    static char used[N];
    for (int k = 0; k < K; k++) {
        int best = -1;
        for (int i = 0; i < N; i++) {
            if (used[i])
                continue;
            if (best < 0 || all[i].key < all[best].key ||
                (all[i].key == all[best].key && all[i].id > all[best].id))
                best = i;
        }
        used[best] = 1;
        ASSERT_EQ(t.v[k].id, all[best].id);
    }
    topk_free(&t);
}

TEST(topk_of_zero_and_of_fewer_than_k)
{
    struct topk t;
    topk_init(&t, 0);
    topk_push(&t, (struct topk_item){.key = 1, .id = 1});
    ASSERT_EQ(t.n, 0);
    topk_free(&t);
    topk_init(&t, 10);
    for (int i = 3; i >= 1; i--)
        topk_push(&t, (struct topk_item){.key = i, .id = i});
    topk_sort(&t);
    ASSERT_EQ(t.n, 3);
    ASSERT_EQ(t.v[0].id, 1);
    ASSERT_EQ(t.v[2].id, 3);
    topk_free(&t);
}

/* Each id once, indexes in first-seen order, across many growths (the
 * old candidate table had a fixed 4,096 slots and would have looped for
 * ever on the 4,097th). */
TEST(idset_keeps_first_seen_order_and_grows)
{
    struct idset s = {0};
    enum { N = 20000 };
    for (int i = 0; i < N; i++) {
        int added;
        size_t k = idset_add(&s, (int64_t)i * 7919 + 1, &added);
        ASSERT_EQ(k, i);
        ASSERT_EQ(added, 1);
    }
    for (int i = N - 1; i >= 0; i -= 3) {
        int added;
        ASSERT_EQ(idset_add(&s, (int64_t)i * 7919 + 1, &added), i);
        ASSERT_EQ(added, 0);
    }
    ASSERT_EQ(s.n, N);
    ASSERT_EQ(s.ids[N - 1], (int64_t)(N - 1) * 7919 + 1);
    idset_free(&s);
    ASSERT_EQ(s.n, 0);
}

/* Each string once, indexes in first-seen order across growths; a key
 * that is a prefix of another, or the same bytes with a different
 * length, is a key of its own; find never adds. */
TEST(strset_keeps_first_seen_order_and_tells_prefixes_apart)
{
    struct strset s = {0};
    ASSERT_EQ(strset_find(&s, "a", 1), SIZE_MAX);
    enum { N = 30000 };
    char k[32];
    for (int i = 0; i < N; i++) {
        int added, n = snprintf(k, sizeof k, "org_%d", i * 7919);
        ASSERT_EQ(strset_add(&s, k, (size_t)n, &added), i);
        ASSERT_EQ(added, 1);
    }
    for (int i = N - 1; i >= 0; i -= 7) {
        int added, n = snprintf(k, sizeof k, "org_%d", i * 7919);
        ASSERT_EQ(strset_add(&s, k, (size_t)n, &added), i);
        ASSERT_EQ(added, 0);
        ASSERT_EQ(strset_find(&s, k, (size_t)n), i);
    }
    ASSERT_EQ(strset_find(&s, "org_7", 5), SIZE_MAX);     /* org_79190 is in, org_7 is not */
    ASSERT_EQ(strset_find(&s, "org_79190x", 9), 10);       /* the length decides, not the NUL */
    ASSERT_EQ(s.n, N);
    ASSERT_STR_EQ(strset_key(&s, 1), "org_7919");
    ASSERT_EQ(strset_add(&s, "", 0, NULL), N);             /* the empty string is a key */
    ASSERT_EQ(strset_find(&s, "", 0), N);
    strset_free(&s);
    ASSERT_EQ(s.n, 0);
    ASSERT_EQ(strset_find(&s, "org_0", 5), SIZE_MAX);
}

TEST(cursor_round_trip_and_refusals)
{
    char c[CURSOR_MAX];
    int64_t id = 0;
    int64_t samples[] = {1, 255, 123456789, INT64_MAX};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        cursor_format(c, samples[i]);
        ASSERT_EQ(cursor_parse(c, &id), 0);
        ASSERT_EQ(id, samples[i]);
    }
    const char *bad[] = {"", "c1", "c2ff", "c1-1", "c1 ff", "c10", "c1FF", "c1ffz",
                         "c18000000000000000", /* INT64_MAX + 1 */
                         "c1fffffffffffffffff", /* too long */ "ff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (cursor_parse(bad[i], &id) == 0)
            TEST_FAIL_("cursor \"%s\" was accepted", bad[i]);
    ASSERT(cursor_parse(NULL, &id) < 0);
}

TEST(fnv1a_known_values_and_continuation)
{
    /* FNV-1a 32-bit test vectors */
    ASSERT_EQ(hash_fnv1a(HASH_FNV_INIT, "", 0), 0x811c9dc5u);
    ASSERT_EQ(hash_fnv1a(HASH_FNV_INIT, "a", 1), 0xe40c292cu);
    ASSERT_EQ(hash_fnv1a(HASH_FNV_INIT, "foobar", 6), 0xbf9cf968u);
    ASSERT_EQ(hash_fnv1a(hash_fnv1a(HASH_FNV_INIT, "foo", 3), "bar", 3), 0xbf9cf968u);
}

/* A frequency is read from SQLite once per generation; a new generation
 * (a write) reads it again. */
TEST(dfcache_remembers_per_generation)
{
    sqlite3 *db;
    ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE v(term TEXT PRIMARY KEY, doc INT);"
                               "INSERT INTO v VALUES('质检', 7), ('排产', 3);",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_stmt *st;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT doc FROM v WHERE term = ?1", -1, &st, NULL),
              SQLITE_OK);
    struct dfcache *c = dfcache_new();
    ASSERT(c != NULL);
    ASSERT_EQ(dfcache_get(c, 1, st, "质检", 6), 7);
    ASSERT_EQ(dfcache_get(c, 1, st, "质检", 6), 7);
    ASSERT_EQ(dfcache_lookups(c), 1);
    ASSERT_EQ(dfcache_get(c, 1, st, "没有", 6), 0);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE v SET doc = 9 WHERE term = '质检'", NULL, NULL, NULL),
              SQLITE_OK);
    ASSERT_EQ(dfcache_get(c, 1, st, "质检", 6), 7); /* same generation: remembered */
    ASSERT_EQ(dfcache_get(c, 2, st, "质检", 6), 9); /* a write moved it on */
    long before = dfcache_lookups(c);
    ASSERT_EQ(dfcache_get(c, -1, st, "排产", 6), 3); /* unknown generation */
    ASSERT_EQ(dfcache_get(c, -1, st, "排产", 6), 3);
    ASSERT_EQ(dfcache_lookups(c), before + 2);      /* never remembered */
    dfcache_free(c);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

TEST_MAIN(T(topk_equals_sort_and_cut), T(topk_of_zero_and_of_fewer_than_k),
          T(idset_keeps_first_seen_order_and_grows),
          T(strset_keeps_first_seen_order_and_tells_prefixes_apart), T(cursor_round_trip_and_refusals),
          T(fnv1a_known_values_and_continuation), T(dfcache_remembers_per_generation))
