/*
 * Unit tests of auth.c: keys are random, stored only as hashes, found by
 * prefix, and refused once revoked.
 */
#include "auth.h"
#include "db.h"
#include "org.h"
#include "test.h"
#include "util.h"

#include <sodium.h>
#include <unistd.h>

static struct db *fresh(char *path)
{
    snprintf(path, 64, "/tmp/shucu-test-auth-%d.db", (int)getpid());
    unlink(path);
    return db_open(path);
}

static void cleanup_db(struct db *db, const char *path)
{
    db_close(db);
    unlink(path);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

TEST(key_roundtrip_and_hash_only)
{
    util_init();
    char path[64];
    struct db *db = fresh(path);
    ASSERT(db != NULL);
    char org[40], key[AUTH_KEY_LEN + 1], prefix[AUTH_PREFIX_LEN + 1], created[32];
    ASSERT_EQ(org_ensure(db, "华中智造科技", org), 0);
    ASSERT_EQ(auth_key_create(db, org, ROLE_PROVIDER, key, prefix, created), 0);
    ASSERT_EQ(strlen(key), AUTH_KEY_LEN);
    ASSERT_EQ(strncmp(key, "shk_", 4), 0);
    ASSERT_EQ(strncmp(key, prefix, AUTH_PREFIX_LEN), 0);

    struct caller who = {0};
    ASSERT_EQ(auth_lookup(db, key, &who), 0);
    ASSERT_EQ(who.role, ROLE_PROVIDER);
    ASSERT_STR_EQ(who.org_id, org);
    ASSERT_STR_EQ(who.org_name, "华中智造科技");
    ASSERT_STR_EQ(who.prefix, prefix);

    /* The key itself is nowhere in the database: only its SHA-256. */
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db_handle(db), "SELECT hash FROM keys", -1, &st, NULL);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
    ASSERT_EQ(sqlite3_column_bytes(st, 0), (int)sizeof h);
    ASSERT_MEM_EQ(sqlite3_column_blob(st, 0), h, sizeof h);
    sqlite3_finalize(st);

    /* A key with the right prefix but a wrong tail is refused. */
    char wrong[AUTH_KEY_LEN + 1];
    memcpy(wrong, key, sizeof wrong);
    wrong[AUTH_KEY_LEN - 1] = wrong[AUTH_KEY_LEN - 1] == 'a' ? 'b' : 'a';
    ASSERT_EQ(auth_lookup(db, wrong, &who), 1);
    ASSERT_EQ(auth_lookup(db, "shk_short", &who), 1);
    ASSERT_EQ(auth_lookup(db, "", &who), 1);

    ASSERT_EQ(auth_revoke(db, "shk_"), 0); /* too short to name a key */
    ASSERT_EQ(auth_revoke(db, prefix), 1);
    ASSERT_EQ(auth_lookup(db, key, &who), 1);
    cleanup_db(db, path);
}

TEST(keys_are_distinct)
{
    util_init();
    char path[64];
    struct db *db = fresh(path);
    char org[40], a[AUTH_KEY_LEN + 1], b[AUTH_KEY_LEN + 1], p[AUTH_PREFIX_LEN + 1], c[32];
    ASSERT_EQ(org_ensure(db, "某中心", org), 0);
    ASSERT_EQ(auth_key_create(db, org, ROLE_CENTER, a, p, c), 0);
    ASSERT_EQ(auth_key_create(db, org, ROLE_CENTER, b, p, c), 0);
    ASSERT(strcmp(a, b) != 0);
    cleanup_db(db, path);
}

TEST_MAIN(T(key_roundtrip_and_hash_only), T(keys_are_distinct))
