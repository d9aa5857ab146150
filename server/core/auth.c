/*
 * auth.c - API keys stored as SHA-256 hashes (see auth.h).
 *
 * SHA-256 without a salt is the right tool here: keys are 160-bit random
 * strings, not passwords, so there is nothing to brute-force and a fast
 * hash keeps authentication off the latency budget.
 */
#include "auth.h"

#include "db.h"
#include "log.h"
#include "route.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void key_hash(const char *key, unsigned char out[crypto_hash_sha256_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)key, strlen(key));
}

int auth_key_create(struct db *db, const char *org_id, int role,
                    char key[AUTH_KEY_LEN + 1], char prefix[AUTH_PREFIX_LEN + 1],
                    char created_at[32])
{
    static const char SQL[] =
        "INSERT INTO keys(prefix, hash, org_id, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
    util_now_rfc3339(created_at);
    for (int attempt = 0; attempt < 5; attempt++) {
        memcpy(key, "shk_", 4);
        util_random_base32(key + 4, AUTH_KEY_LEN - 4);
        memcpy(prefix, key, AUTH_PREFIX_LEN);
        prefix[AUTH_PREFIX_LEN] = '\0';
        unsigned char h[crypto_hash_sha256_BYTES];
        key_hash(key, h);
        sqlite3_stmt *st = db_stmt(db, SQL);
        if (!st)
            return -1;
        sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, h, sizeof h, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, org_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, role_name(role), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, created_at, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        sodium_memzero(h, sizeof h);
        if (rc == SQLITE_DONE)
            return 0;
        if (rc != SQLITE_CONSTRAINT_PRIMARYKEY) {
            log_error("key create: %s", sqlite3_errmsg(db_handle(db)));
            return -1;
        }
    }
    return -1;
}

int auth_lookup(struct db *db, const char *key, struct caller *who)
{
    static const char SQL[] =
        "SELECT k.hash, k.role, k.revoked_at IS NOT NULL, o.id, o.name,"
        " a.province_code, a.city_code, a.district_code"
        " FROM keys k JOIN orgs o ON o.id = k.org_id"
        " LEFT JOIN authorities a ON a.org_id = o.id WHERE k.prefix = ?1";
    size_t len = strlen(key);
    if (len != AUTH_KEY_LEN || strncmp(key, "shk_", 4) != 0)
        return 1;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, key, AUTH_PREFIX_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int result = 1;
    if (rc == SQLITE_ROW) {
        unsigned char h[crypto_hash_sha256_BYTES];
        key_hash(key, h);
        const void *stored = sqlite3_column_blob(st, 0);
        int match = stored && sqlite3_column_bytes(st, 0) == (int)sizeof h &&
                    sodium_memcmp(stored, h, sizeof h) == 0;
        if (match && !sqlite3_column_int(st, 2)) {
            who->role = role_parse((const char *)sqlite3_column_text(st, 1));
            snprintf(who->org_id, sizeof who->org_id, "%s", sqlite3_column_text(st, 3));
            snprintf(who->org_name, sizeof who->org_name, "%s", sqlite3_column_text(st, 4));
            memcpy(who->prefix, key, AUTH_PREFIX_LEN);
            who->prefix[AUTH_PREFIX_LEN] = '\0';
            auth_region_fill(who, st, 5);
            result = 0;
        }
    } else if (rc != SQLITE_DONE) {
        log_error("key lookup: %s", sqlite3_errmsg(db_handle(db)));
        result = -1;
    }
    sqlite3_reset(st);
    return result;
}

int auth_revoke(struct db *db, const char *prefix)
{
    static const char SQL[] =
        "UPDATE keys SET revoked_at = ?2 WHERE prefix = ?1 AND revoked_at IS NULL";
    if (strlen(prefix) < AUTH_PREFIX_LEN)
        return 0;
    char now[32];
    util_now_rfc3339(now);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, prefix, AUTH_PREFIX_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? sqlite3_changes(db_handle(db)) : -1;
}

int auth_list(struct db *db, FILE *out)
{
    static const char SQL[] =
        "SELECT k.prefix, k.role, o.name, o.id, k.created_at, k.revoked_at"
        " FROM keys k JOIN orgs o ON o.id = k.org_id ORDER BY k.created_at, k.prefix";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    fprintf(out, "%-12s  %-10s  %-8s  %-20s  %-24s  %s\n", "PREFIX", "ROLE", "STATUS",
            "CREATED", "ORG ID", "ORG");
    while (sqlite3_step(st) == SQLITE_ROW) {
        fprintf(out, "%-12s  %-10s  %-8s  %-20s  %-24s  %s\n", sqlite3_column_text(st, 0),
                sqlite3_column_text(st, 1),
                sqlite3_column_type(st, 5) == SQLITE_NULL ? "active" : "revoked",
                sqlite3_column_text(st, 4), sqlite3_column_text(st, 3),
                sqlite3_column_text(st, 2));
    }
    sqlite3_reset(st);
    return 0;
}

void auth_region_fill(struct caller *who, sqlite3_stmt *st, int col)
{
    for (int i = 0; i < 3; i++) {
        const unsigned char *c = sqlite3_column_text(st, col + i);
        snprintf(who->region[i], sizeof who->region[i], "%s", c ? (const char *)c : "");
    }
}

json_t *auth_actor_json(const struct caller *who)
{
    json_t *user = who->user_id[0]
                       ? json_pack("{s:s, s:s}", "id", who->user_id, "name", who->user_name)
                       : json_null();
    return json_pack("{s:{s:s, s:s}, s:s, s:o, s:o}", "org", "id", who->org_id, "name",
                     who->org_name, "role", role_name(who->role), "user", user, "key",
                     who->prefix[0] ? json_string(who->prefix) : json_null());
}
