/*
 * org.h - organisations: enterprises, providers, centers and admins all
 * belong to one.  A provider's profile (name, description, industries,
 * regions) is also what makes it searchable as kind "provider".
 */
#ifndef SHUCU_ORG_H
#define SHUCU_ORG_H

#include "validate.h"

#include <jansson.h>

struct db;

/* Finds the organisation named name, creating it when new.  Writes its
 * id; returns 0, or -1 on a database error. */
int org_ensure(struct db *db, const char *name, char id[40]);

/* Finds the organisation named name, compared by name key (names.h: a
 * trailing space, an invisible character or full-width letters name the
 * same one): 0 with its id written, 1 when there is none, -1 on a
 * database error. */
int org_find(struct db *db, const char *name, char id[40]);

/* The public JSON of an organisation, or NULL when there is none. */
json_t *org_get(struct db *db, const char *id);

/* Creates an organisation from a validated profile object.  Returns 0,
 * 1 when the name is taken, -1 on error. */
int org_create(struct db *db, json_t *profile, char id[40]);


/* An organisation's contact ({name, title, phone, email, address}, issue
 * 21) is private: the organisation itself, centers, admins, and an
 * enterprise that accepted one of its responses see it
 * (org_contact_visible); org_get() never includes it.  org_contact()
 * returns it (new reference) or NULL; org_set_contact() stores it (NULL
 * or {} clears it), inside the caller's transaction. */
struct caller;
json_t *org_contact(struct db *db, const char *id);
int org_set_contact(struct db *db, const char *id, const json_t *contact);
int org_contact_visible(struct db *db, const char *org_id, const struct caller *who);

/* The fields of a profile (validate.h). */
extern const struct vfield ORG_FIELDS[];
/* v dumped as compact JSON, or a copy of dflt when v is NULL (to free). */
char *org_dump_or(json_t *v, const char *dflt);

/* 1 when another organisation than except_id (may be NULL) has name key
 * key (names.h), 0 when none, -1 on a database error. */
int org_name_taken(struct db *db, const char *key, const char *except_id);

#endif
