/*
 * auth.h - API keys: creation, lookup, listing, revocation.
 *
 * A key is "shk_" followed by 32 random base32 characters (160 bits).
 * Only its SHA-256 is stored, with its first AUTH_PREFIX_LEN characters
 * as a public handle (shown in lists and logs, used to revoke).  Lookup
 * finds the row by prefix and compares hashes in constant time, so the
 * full key never sits in the database, logs or memory longer than the
 * request that carried it.
 */
#ifndef SHUCU_AUTH_H
#define SHUCU_AUTH_H

#include "route.h"

#include <stdio.h>

#define AUTH_KEY_LEN 36
#define AUTH_PREFIX_LEN 12

struct db;

/* Who is calling: the organisation and role a key or a session stands
 * for.  role is one ROLE_* bit (route.h), 0 when anonymous. */
struct caller {
    int role;
    char org_id[40];
    char org_name[256];
    char prefix[16];     /* key prefix, for logs; "" for a session */
    char user_id[40];    /* the person, when a session (not a key) is used */
    char user_name[128];
    int org_admin;       /* the user administers its organisation's users */
    char session_id[40]; /* the session's public id ("ses_…"), "" for a key */
    char csrf[48];       /* the session's CSRF token (session.h), "" for a key */
    /* An authority's region (issue 20): the GB/T 2260 codes of its
     * province, city and district, "" below the level it covers (a
     * city's authority has no district).  All "" for the other roles. */
    char region[3][8];
};

/* Copies an authority's region codes from columns col..col+2 of st
 * (NULL columns give ""), as auth_lookup and session_lookup read them
 * from the authorities table (migration 11). */
#include <sqlite3.h>
void auth_region_fill(struct caller *who, sqlite3_stmt *st, int col);

/* Who did something, as every revision, sign-off and verification
 * records it (new reference): {"org": {"id", "name"}, "role", "user":
 * {"id", "name"} | null, "key": prefix | null}. */
#include <jansson.h>
json_t *auth_actor_json(const struct caller *who);

/* Creates a key for org_id with role; writes the key (shown once) and its
 * prefix.  Returns 0 or -1 (logged). */
int auth_key_create(struct db *db, const char *org_id, int role,
                    char key[AUTH_KEY_LEN + 1], char prefix[AUTH_PREFIX_LEN + 1],
                    char created_at[32]);

/* 0 and *who filled when key is valid and not revoked; 1 when unknown or
 * revoked; -1 on a database error. */
int auth_lookup(struct db *db, const char *key, struct caller *who);

/* Revokes the key(s) whose prefix is given; returns the number revoked or
 * -1.  A prefix shorter than AUTH_PREFIX_LEN matches nothing. */
int auth_revoke(struct db *db, const char *prefix);

/* Prints one line per key (prefix, role, org, created, status). */
int auth_list(struct db *db, FILE *out);

#endif
