/*
 * org.h - organisations: enterprises, providers, centers and admins all
 * belong to one.  A provider's profile (name, description, industries,
 * regions) is also what makes it searchable as kind "provider".
 */
#ifndef SHUCU_ORG_H
#define SHUCU_ORG_H

#include "http.h"

struct db;

/* Finds the organisation named name, creating it when new.  Writes its
 * id; returns 0, or -1 on a database error. */
int org_ensure(struct db *db, const char *name, char id[40]);

/* The public JSON of an organisation, or NULL when there is none. */
json_t *org_get(struct db *db, const char *id);

/* Creates an organisation from a validated profile object.  Returns 0,
 * 1 when the name is taken, -1 on error. */
int org_create(struct db *db, json_t *profile, char id[40]);

void h_org_create(struct req *r);
void h_org_get(struct req *r);
void h_org_patch(struct req *r);
void h_org_key_create(struct req *r);
void h_orgs_list(struct req *r);

#endif
