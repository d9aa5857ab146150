/*
 * session.h - login sessions: the cookie a browser holds after
 * POST /v1/session, what it stands for, and its CSRF token.
 *
 * A session token is "shs_" and 32 random base32 characters (160 bits).
 * It lives in the client's cookie (SESSION_COOKIE; HttpOnly, SameSite=
 * Strict, Secure over TLS) and nowhere else: the database keeps its
 * SHA-256 (random tokens need no slow hash, as for API keys) beside a
 * public id ("ses_…") that lists and revocation use.  The token is never
 * logged.
 *
 * Every request that carries the cookie reads its row, so a revoked
 * session, a disabled user or a reset password ends a session at once, on
 * every worker and every process sharing the database file: nothing about
 * sessions is cached in memory.  A session expires SESSION_IDLE seconds
 * after it was last used (use is recorded at most every SESSION_TOUCH
 * seconds, one small write) and SESSION_MAX seconds after login.
 *
 * CSRF: a write authenticated by the cookie must carry X-CSRF-Token, a
 * value derived from the token (SHA-256 of "csrf:" and the token, 32 hex
 * characters) that GET /v1/me returns.  A page of another site can make
 * the browser send the cookie (SameSite=Strict already stops most of
 * that) but cannot read /v1/me, so it cannot know the header.  Deriving
 * it keeps nothing more in the database, and knowing it reveals nothing
 * of the token.
 */
#ifndef SHUCU_SESSION_H
#define SHUCU_SESSION_H

#include <stdint.h>

#define SESSION_COOKIE "shucu_session"
#define SESSION_TOKEN_LEN 36
#define SESSION_CSRF_LEN 32
#define SESSION_IDLE (7L * 86400)
#define SESSION_MAX (30L * 86400)
#define SESSION_TOUCH 300L

struct db;
struct caller;
struct req;

/* Starts a session for user_id: writes the token (for the cookie only),
 * its public id and the cookie's lifetime in seconds (SESSION_MAX).  Call inside a write
 * transaction.  0, or -1 on a database error (logged). */
int session_create(struct db *db, const char *user_id, const char *addr, const char *agent,
                   char token[SESSION_TOKEN_LEN + 1], char id[40], long *max_age);

/* 0 and *who filled (user, organisation, role, session id, CSRF token)
 * when token names a live session of an enabled user; 1 when it does not
 * (unknown, revoked, expired, user disabled); -1 on a database error.
 * Records the use when the last one is older than SESSION_TOUCH. */
int session_lookup(struct db *db, const char *token, struct caller *who);

/* The CSRF token of a session token (see above). */
void session_csrf(const char *token, char out[SESSION_CSRF_LEN + 1]);

/* The session token in a Cookie header value, copied into out; 0 when
 * there is none (or it is not shaped like a token). */
int session_cookie_token(const char *cookie, char out[SESSION_TOKEN_LEN + 1]);

/* Revokes session id (of user_id when user_id is not NULL).  Returns 1
 * when one was revoked, 0 when none matched, -1 on error. */
int session_revoke(struct db *db, const char *id, const char *user_id, const char *now);
/* Revokes every live session of user_id but `except` (may be NULL).
 * Returns the number revoked or -1. */
int session_revoke_user(struct db *db, const char *user_id, const char *except, const char *now);

/*
 * The router's half of sessions (router.c calls it when a request has no
 * Authorization header): reads the cookie, fills r->who from a live
 * session, and for a write to a non-public route checks X-CSRF-Token
 * (403 without it or with a wrong one).  A stale cookie on a public route
 * is dropped (the request goes on anonymous, and the reply clears the
 * cookie); on a private route it is 401.  0 to go on, -1 after answering.
 */
int session_authenticate(struct req *r);

/* The Set-Cookie value for token (max_age seconds; 0 clears it), Secure
 * when the request came over TLS (X-Forwarded-Proto: https from a proxy
 * in front).  Writes it on r's reply. */
void session_set_cookie(struct req *r, const char *token, long max_age);

#endif
