/*
 * enterprise.h - enterprise files (建档立卡): the record an enterprise
 * organisation keeps with its center, shared by the handler files
 * (enterprises.c, enterprises_bulk.c) and by assessments, gaps and
 * matching, which read the file's industry, region, size and level.
 *
 * Fields (API.md "Enterprise files"): uscc (the check character of GB
 * 32100-2015 verified), province/city/district (GB/T 2260, by name or
 * code, stored as names with their codes beside), industry, gbt4754,
 * size, above_scale, employees, revenue, specialized, certificates,
 * contact.  The server adds org, *_code, level, assessed_at,
 * assessment_id, assessments, version, created_at, updated_at; those are
 * ignored when sent (a file read, edited and put back round-trips).
 *
 * An organisation is an enterprise to the API when it has a file.  Every
 * organisation with an enterprise key gets an empty one (migration 6); a
 * center may open one for an organisation with no key of another role.
 * Visibility: the enterprise itself, centers and admins read a file; the
 * contact is shown to those same callers only (as a need's is).
 */
#ifndef SHUCU_ENTERPRISE_H
#define SHUCU_ENTERPRISE_H

#include "validate.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

struct db;

/* The indexed columns of a validated file. */
struct file_cols {
    char uscc[20];       /* "" when absent */
    char province_code[8], city_code[8], district_code[8];
    const char *industry, *size; /* borrowed from the document; NULL when absent */
    int above_scale;             /* -1 when absent */
};

/*
 * Validates doc as a whole file (PUT, an import line after its "name"),
 * in place: the server's own members are dropped, the USCC upper-cased,
 * the regions resolved to names.  Fills *c.  0, or -1 with e naming the
 * field ("uscc", "district", "certificates[1].year").
 */
int enterprise_file_validate(json_t *doc, struct file_cols *c, struct verr *e);

/* What an organisation is to the file routes. */
enum ent_kind {
    ENT_NONE = 0,  /* no such organisation */
    ENT_FILE = 1,  /* it has a file: an enterprise */
    ENT_FREE = 2,  /* no file, no key of another role: may be given one */
    ENT_OTHER = 3, /* a provider's, center's or admin's organisation */
};
/* The kind of org_id, its name in name (if not NULL); -1 on error. */
int enterprise_kind(struct db *db, const char *org_id, char name[256]);

/* Outcomes of enterprise_file_store. */
#define ENT_STORED 0
#define ENT_VERSION_MISMATCH 1
#define ENT_USCC_TAKEN 2

/*
 * Writes the validated doc as org_id's file (creating it), inside the
 * caller's transaction: ENT_STORED with *version the new version,
 * ENT_VERSION_MISMATCH when want (0: any) is not the current version,
 * ENT_USCC_TAKEN when another file has the USCC, -1 on a database error.
 */
int enterprise_file_store(struct db *db, const char *org_id, json_t *doc,
                          const struct file_cols *c, int64_t want, int64_t *version);

/* Makes sure org_id has a file (an empty one), inside the caller's
 * transaction; 0 or -1. */
int enterprise_file_ensure(struct db *db, const char *org_id, const char *now);

/* Records a verified assessment as the file's level; 0 or -1. */
int enterprise_file_set_level(struct db *db, const char *org_id, int level, const char *at,
                              const char *assessment_id);

/* The columns enterprise_row_json reads, of enterprise_files f joined to
 * enterprise_file_docs d; the org's name and assessment count are
 * sub-selects, evaluated for the rows shown only. */
#define FILE_COLS                                                                          \
    "f.org_id, (SELECT name FROM orgs WHERE id = f.org_id), f.province_code, f.city_code," \
    " f.district_code, f.level, d.assessed_at, d.assessment_id, d.version, d.created_at,"  \
    " d.updated_at, d.doc, (SELECT count(*) FROM assessments a WHERE a.org_id = f.org_id)"

/* The file JSON of the row at st's position (FILE_COLS at col0), without
 * contact unless show_contact (new reference). */
json_t *enterprise_row_json(sqlite3_stmt *st, int col0, int show_contact);

/* org_id's file (new reference): 0 and *out, 1 when it has none, -1 on a
 * database error. */
int enterprise_file_json(struct db *db, const char *org_id, int show_contact, json_t **out);

/* The facts of a file that needs and gaps are made from (borrowed from
 * *doc, which the caller frees with json_decref): 0, 1 when org_id has
 * no file, -1 on error. */
int enterprise_file_doc(struct db *db, const char *org_id, json_t **doc);

/*
 * Matching's level: when need has no current_level and its enterprise
 * org_id has a verified assessment, sets current_level to the lowest
 * verified step among the need's scenarios that are scenes of that
 * assessment's instrument (the assessment's level when none is), at
 * least 1 (step 0 is below the scale) and at most target_level.  0 (set
 * or nothing to do) or -1 on a database error.
 */
int enterprise_fill_level(struct db *db, const char *org_id, json_t *need);

/* ------------------------------------------------------------ import */

struct outcome;

/*
 * Imports one NDJSON line (a file plus "name", the organisation's name)
 * inside the caller's transaction.  The organisation is the one whose
 * file has the line's uscc, else the one with its name, else a new one;
 * the line's members replace those of its stored file.  Nothing is
 * written unless the merged file is valid.  0 a file was created, 1 one
 * was updated, -2 the line is refused (o says why and names the field),
 * -1 a database error.
 */
int enterprise_import_line(struct db *db, json_t *line, struct outcome *o);

/* What enterprise_import_ndjson did: counts, and the refused lines as
 * [{"line": n, "error": {code, message, field?}}] (the first max_errors). */
struct ent_import {
    long created, updated, failed;
    json_t *errors;
    long max_errors;
    long line; /* the line a database failure stopped at */
    int zh;    /* 1: the messages in Chinese (zh.h), for a client that asks */
};

/*
 * Imports text[0..len), NDJSON, batch lines per transaction; a bad line
 * never stops the good ones.  0, or -1 when the database failed (the
 * batches before rep->line's are saved).  rep->errors is created here;
 * the caller frees it.
 */
int enterprise_import_ndjson(struct db *db, const char *text, size_t len, int batch,
                             struct ent_import *rep);

#endif
