/*
 * password.h - passwords: Argon2id hashes through libsodium, and the
 * rules a new password must meet.
 *
 * A password is never stored, logged or kept longer than the request
 * that carries it: only crypto_pwhash_str()'s string is stored
 * ("$argon2id$v=19$m=65536,t=2,p=1$salt$hash", salt and parameters
 * included), so parameters can be raised later and old hashes still
 * verify (password_needs_rehash() says when to re-hash at login).
 *
 * Parameters: opslimit 2, memlimit 64 MiB, libsodium's INTERACTIVE
 * pair.  On the 2-core machine shucu is developed on one hash or verify
 * takes about 70 ms (docs/operations.md), under the 100 ms a login may
 * cost, and 64 MiB per guess makes GPU guessing expensive.  A login
 * blocks its worker thread for that long; the login rate limits
 * (loginlimit.h) bound how often that can be asked for.
 */
#ifndef SHUCU_PASSWORD_H
#define SHUCU_PASSWORD_H

#include <stddef.h>

#define PASSWORD_MIN 8
#define PASSWORD_MAX 128
/* crypto_pwhash_STRBYTES */
#define PASSWORD_HASH_MAX 128

/* Hashes pw into out.  0, or -1 when libsodium cannot (out of memory). */
int password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);

/* 0 when pw matches hash, 1 when it does not, -1 on a malformed hash. */
int password_verify(const char *hash, const char *pw);

/* Spends the time of one verification, for logins that name no account,
 * so that their answer takes as long as a wrong password's. */
void password_burn(const char *pw);

/* 1 when hash was made with other parameters than today's. */
int password_needs_rehash(const char *hash);

/* The rule pw breaks, as an English printf format taking PASSWORD_MIN
 * for its first %d when it has one (zh.h translates it), or NULL when it
 * is acceptable: PASSWORD_MIN..PASSWORD_MAX characters, not the login
 * itself, not only digits or only letters. */
const char *password_rule_broken(const char *pw, const char *login);

/* A random temporary password of 12 characters (letters and digits, no
 * look-alikes), for a reset that gives none. */
void password_random(char out[13]);

#endif
