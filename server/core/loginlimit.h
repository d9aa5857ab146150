/*
 * loginlimit.h - failed logins counted per account and per address, with
 * a lockout once too many fall in one window.
 *
 * Counts live in the database (table login_failures), not in memory, so
 * every worker and every process on the file shares them: a guesser
 * cannot spread attempts over workers or restart the server to reset
 * them.  An account is locked after LOGIN_FAILS_ACCOUNT failures within
 * LOGIN_WINDOW seconds, an address after LOGIN_FAILS_ADDR (an office
 * behind one NAT makes mistakes too), each for LOGIN_LOCK seconds; the
 * answer is 429 with Retry-After and a message saying how long.  A
 * successful login clears its account's count (not the address's).  The
 * account key is the normalised login, whether or not such a user exists,
 * so the answer does not tell which logins are real.
 */
#ifndef SHUCU_LOGINLIMIT_H
#define SHUCU_LOGINLIMIT_H

#define LOGIN_WINDOW (15L * 60)
#define LOGIN_LOCK (15L * 60)
#define LOGIN_FAILS_ACCOUNT 5
#define LOGIN_FAILS_ADDR 20

struct db;

/* Seconds until login (normalised) or addr may try again: 0 when
 * neither is locked.  *by_addr says which lock holds.  -1 on error. */
long loginlimit_wait(struct db *db, const char *login, const char *addr, int *by_addr);

/* Counts one failure of login from addr (inside a write transaction or
 * on its own); 0 or -1. */
int loginlimit_fail(struct db *db, const char *login, const char *addr);

/* Clears login's count after a success; 0 or -1. */
int loginlimit_clear(struct db *db, const char *login);

#endif
