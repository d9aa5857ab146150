/*
 * need.h - enterprises' transformation needs and providers' responses.
 *
 * Visibility: a need is seen by its enterprise, by centers and admins,
 * and by providers; other enterprises get 404.  The contact details are
 * shown to the enterprise itself, centers and admins, and only to the
 * providers whose response the enterprise accepted.
 */
#ifndef SHUCU_NEED_H
#define SHUCU_NEED_H

#include "http.h"
#include "validate.h"

#include <sqlite3.h>

struct db;

#define NEED_COLS                                                              \
    "n.nid, n.id, n.enterprise_id, n.enterprise_name, n.doc, n.status,"        \
    " n.version, n.created_at, n.updated_at"

/* Validates a need body; 0 or -1 with e set. */
int need_validate(json_t *doc, struct verr *e);

/* The need JSON of the row at st's position (columns NEED_COLS at col0),
 * with contact removed unless show_contact. */
json_t *need_row_json(sqlite3_stmt *st, int col0, int show_contact);

/* 1 when caller may see the contact details of need (id, owner). */
int need_contact_visible(struct db *db, const char *need_id, const char *owner,
                         const struct caller *who);

/* Inserts a validated need for enterprise (id, name) inside the caller's
 * transaction; writes the new id.  0 or -1 (logged). */
int need_store(struct db *db, const char *ent_id, const char *ent_name, json_t *doc,
               char id[48]);

void h_need_create(struct req *r);
void h_need_get(struct req *r);
void h_need_patch(struct req *r);
void h_needs_list(struct req *r);
void h_response_create(struct req *r);
void h_responses_list(struct req *r);
void h_response_accept(struct req *r);

#endif
