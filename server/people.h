/*
 * people.h - the command line's side of users (user.h): `shucud users
 * create | list`, and the demo users `shucud seed` makes.
 *
 * The web console manages users day to day; these verbs exist for the
 * first administrator of a new installation and for scripts.  A password
 * is read from --password, or made up and printed once; it is never
 * stored or logged in clear (password.h).
 */
#ifndef SHUCU_PEOPLE_H
#define SHUCU_PEOPLE_H

#include <jansson.h>
#include <stdio.h>

struct config;
struct db;

/* `shucud users ...` (rest as main.c hands it over).  The exit status. */
int people_cli(const struct config *cfg, char **rest);

/*
 * The demo users of `shucud seed`: one user for each role in the first
 * organisation of that role (firsts: role -> {"name"}), and a second,
 * non-administrator user in the first enterprise, each with a random
 * password.  Prints one line per user to out:
 *     user  <role> <login> <password> <organisation>
 * (login an e-mail address, `<role>@demo.shucu.cn`).  0, or -1.
 */
int people_seed_demo(struct db *db, json_t *firsts, FILE *out);

#endif
