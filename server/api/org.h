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

/* The public JSON of an organisation, or NULL when there is none. */
json_t *org_get(struct db *db, const char *id);

/* Creates an organisation from a validated profile object.  Returns 0,
 * 1 when the name is taken, -1 on error. */
int org_create(struct db *db, json_t *profile, char id[40]);


/* The fields of a profile (validate.h). */
extern const struct vfield ORG_FIELDS[];
/* v dumped as compact JSON, or a copy of dflt when v is NULL (to free). */
char *org_dump_or(json_t *v, const char *dflt);

#endif
