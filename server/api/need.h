/*
 * need.h - enterprises' transformation needs and providers' responses.
 *
 * Visibility: a need is seen by its enterprise, by centers and admins,
 * and by providers; other enterprises get 404.  A need in status `draft`
 * (made from an assessment's gaps, not yet published by its enterprise)
 * is seen by its enterprise, centers and admins only: providers get 404,
 * and reverse matching, clusters and open counts never include it.  The contact details are
 * shown to the enterprise itself, centers and admins, and only to the
 * providers whose response the enterprise accepted.  An authority
 * (authority.h) sees the needs, never drafts, of enterprises inside its
 * region, without contacts.
 */
#ifndef SHUCU_NEED_H
#define SHUCU_NEED_H

#include "auth.h"
#include "validate.h"

#include <sqlite3.h>

struct db;

#define NEED_COLS                                                              \
    "n.nid, n.id, n.enterprise_id, n.enterprise_name, n.doc, n.status,"        \
    " n.version, n.created_at, n.updated_at,"                                  \
    " (SELECT assessment_id FROM need_assessments WHERE need_id = n.id)"

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
/* The same, in status `draft` and naming the assessment it was made
 * from. */
int need_store_draft(struct db *db, const char *ent_id, const char *ent_name, json_t *doc,
                     const char *assessment_id, char id[48]);
/* 1 when who may see a need of enterprise owner in status. */
int need_visible(const char *owner, const char *status, const struct caller *who);

/* Binds the columns derived from doc: ?1 industry_bit, ?2 scenario_mask,
 * ?3 region_bit, ?4 title, ?5 description, ?6 doc (the dumped text in
 * *text, which the caller frees after the step). */
void need_bind(sqlite3_stmt *st, json_t *doc, char **text);

/* Need id as who may see it (contact removed when who may not see it),
 * or NULL when missing or not visible; *owner (may be NULL) gets the
 * enterprise's id, to free. */
json_t *need_load(struct db *db, const char *id, const struct caller *who, char **owner);

/* Moves need id (NULL: nothing to do) from status `from` to `to`, inside
 * the caller's transaction; 0 or -1. */
int need_set_status(struct db *db, const char *id, const char *from, const char *to,
                    const char *now);
/* Gives back the needs of campaign camp_id's active participants:
 * `open`, or `closed` for accepted participants when completed is set. */
int needs_release_campaign(struct db *db, const char *camp_id, int completed, const char *now);

#endif
