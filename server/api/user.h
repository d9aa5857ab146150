/*
 * user.h - the people of an organisation: the user record, who may
 * manage whom, and logins.
 *
 * A user belongs to one organisation and acts in one role, the role its
 * organisation plays (enterprise, provider, center, admin); a user logs
 * in with a phone number or an e-mail address (each unique across users)
 * and a password (password.h).  `org_admin` marks the users who manage
 * their own organisation's users: an enterprise's owner invites
 * colleagues without asking the center.
 *
 * Who may manage (create, change, disable, reset) the users of a role is
 * one row of USER_ROLES in user.c: admins manage everyone, centers manage
 * enterprise and provider users of any organisation, and an org_admin
 * user manages users of its own role in its own organisation.  The fifth
 * role, `authority` (issue 20), is one more row there: admins manage its
 * users, and its own administrators their colleagues.
 *
 * Records are read and written inside the callers' transactions; the
 * endpoints are users.c and sessions.c.
 */
#ifndef SHUCU_USER_H
#define SHUCU_USER_H

#include "password.h"
#include "validate.h"

#include <jansson.h>
#include <stdint.h>

struct db;
struct caller;

#define USER_PHONE_MAX 16
#define USER_EMAIL_MAX 120

struct user {
    char id[40];
    char org_id[40];
    char org_name[256];
    int role;                  /* one ROLE_* bit */
    char name[128];
    char phone[USER_PHONE_MAX + 1]; /* "" when none */
    char email[USER_EMAIL_MAX + 1]; /* "" when none */
    int org_admin, must_change, disabled;
    int64_t version;
    char created_at[32], updated_at[32];
};

/* Request bodies: creation (name, phone | email, password, role,
 * org_admin), change (name, phone, email, org_admin, disabled), password
 * reset (password?), own password change (current_password, password)
 * and login (login, password). */
extern const struct vfield USER_CREATE_FIELDS[];
extern const struct vfield USER_PATCH_FIELDS[];
extern const struct vfield USER_RESET_FIELDS[];
extern const struct vfield USER_PASSWORD_FIELDS[];
extern const struct vfield LOGIN_FIELDS[];

/*
 * A login as stored: a phone number reduced to its 11 digits (spaces,
 * dashes and a leading +86 dropped) or an e-mail address in lower case.
 * Writes it into out and sets *is_email.  0, or -1 with e filled (field
 * named `field`) when it is neither.
 */
int user_login_normalise(const char *in, const char *field, char *out, size_t outlen,
                         int *is_email, struct verr *e);

/* Loads user id: 0, 1 when there is none, -1 on error. */
int user_load(struct db *db, const char *id, struct user *u);
/* Loads the user a normalised login names, and its password hash:
 * 0, 1 when none, -1 on error. */
int user_by_login(struct db *db, const char *login, int is_email, struct user *u,
                  char hash[PASSWORD_HASH_MAX]);

/* The user as JSON (new reference); never holds the password hash. */
json_t *user_json(const struct user *u);

/* 1 when who may manage users of `role` in organisation org_id. */
int user_may_manage(const struct caller *who, const char *org_id, int role);
/* The Chinese name of a role that users can have, NULL for one they
 * cannot (zh.h has the words; this is the list of roles users exist in). */
const char *user_role_zh(int role);

/* The role users of org_id take when a creation names none: the one role
 * among its live keys and users.  Returns it, 0 when the organisation has
 * none or several (*several set), -1 on error. */
int user_org_role(struct db *db, const char *org_id, int *several);

/* Inserts a user (inside a write transaction).  creator may be NULL (the
 * command line).  Returns 0, 1 when phone or email is taken (*which set
 * to "phone" or "email"), -1 on error. */
int user_insert(struct db *db, struct user *u, const char *hash, const struct caller *creator,
                const char **which);

/* Sets a user's password hash and must_change, bumps its version. 0/-1. */
int user_set_password(struct db *db, const char *id, const char *hash, int must_change,
                      const char *now);

/* Applies a validated change (name, phone, email, org_admin, disabled)
 * to u and stores it.  0, 1 when phone or email is taken (*which), -1. */
int user_update(struct db *db, struct user *u, const char *now, const char **which);

#endif
