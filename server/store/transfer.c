/*
 * transfer.c - a whole database as NDJSON and back (issue 20): `shucud
 * export` and `shucud import --all`, to move a center to a new machine
 * or a new version of shucud (see transfer.h).
 *
 * The file: a head line {"shucu_export": 1, "schema": N, "exported_at",
 * "tables": [...]}, one line {"t": table, "r": {column: value}} per row,
 * and a last line {"end": true, "rows": n} (a file without it was cut
 * short and is refused).  Values are JSON scalars; a blob (key and
 * session hashes) is {"$hex": "…"}.  The export reads one snapshot.
 *
 * What is exported: every table of the schema but the derived ones,
 * which the import's triggers and a rebuild make again: the full-text
 * indexes and their shadow tables, resources_hot, resource_is and the
 * row-length log (a new database's workers read every length).  The
 * change feed (`changes`) is exported with its numbers, so a follower's
 * cursor stays good on the new machine; the rows the import's own
 * triggers write into it are replaced by it.  meta keeps its counters
 * but not the database's identity (a new file gets its own, db.h).
 *
 * The import goes into a new, empty database, in one transaction with
 * foreign keys checked at the end (PRAGMA foreign_key_check): all or
 * nothing.  Table and column names from the file are used only when the
 * new schema has them (an older export into a newer shucud: a column the
 * new schema added takes its default; one it dropped is refused).
 */
#include "transfer.h"

#include "db.h"
#include "feed.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TABLES 96

/* Tables that are made from others: never exported. */
static int derived(sqlite3 *h, const char *name)
{
    static const char *const DERIVED[] = {"resources_hot", "resource_is", "resources_len_log",
                                          "sqlite_sequence", NULL};
    for (int i = 0; DERIVED[i]; i++)
        if (strcmp(name, DERIVED[i]) == 0)
            return 1;
    if (strncmp(name, "sqlite_", 7) == 0)
        return 1;
    /* a virtual table, or a shadow table of one (resources_fts_data, ...) */
    sqlite3_stmt *st;
    int yes = 0;
    if (sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE type = 'table'"
                              " AND sql LIKE 'CREATE VIRTUAL TABLE%'", -1, &st, NULL) != SQLITE_OK)
        return 1;
    while (!yes && sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        size_t n = strlen(v);
        yes = strcmp(name, v) == 0 || (strncmp(name, v, n) == 0 && name[n] == '_');
    }
    sqlite3_finalize(st);
    return yes;
}

/* The exported tables, in schema order with `changes` and `meta` last
 * (written into once the rest is in).  Returns how many (names to free). */
static int table_list(sqlite3 *h, char *names[MAX_TABLES])
{
    sqlite3_stmt *st;
    int n = 0;
    if (sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY"
                              " name IN ('changes', 'meta'), name = 'meta', rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW && n < MAX_TABLES) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (!derived(h, name))
            names[n++] = xstrdup(name);
    }
    sqlite3_finalize(st);
    return n;
}

static json_t *value_json(sqlite3_stmt *st, int c)
{
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, c));
    case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, c));
    case SQLITE_NULL: return json_null();
    case SQLITE_TEXT: {
        const char *s = (const char *)sqlite3_column_text(st, c);
        json_t *v = json_stringn(s, (size_t)sqlite3_column_bytes(st, c));
        if (v)
            return v;
    } /* not UTF-8: as bytes */
    /* fall through */
    default: {
        const unsigned char *b = sqlite3_column_blob(st, c);
        int n = sqlite3_column_bytes(st, c);
        char *hex = xmalloc((size_t)n * 2 + 1);
        for (int i = 0; i < n; i++)
            sprintf(hex + 2 * i, "%02x", b[i]);
        hex[2 * n] = '\0';
        json_t *v = json_pack("{s:s}", "$hex", hex);
        free(hex);
        return v;
    }
    }
}

int transfer_export(struct db *db, FILE *out, long *rows)
{
    sqlite3 *h = db_handle(db);
    char *names[MAX_TABLES];
    *rows = 0;
    if (db_read_begin(db) < 0)
        return -1;
    int n = table_list(h, names), rc = n < 0 ? -1 : 0;
    json_t *tables = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(tables, json_string(names[i]));
    char now[32];
    util_now_rfc3339(now);
    json_t *head = json_pack("{s:i, s:i, s:s, s:o}", "shucu_export", 1, "schema",
                             db_schema_version(), "exported_at", now, "tables", tables);
    json_dumpf(head, out, JSON_COMPACT);
    fputc('\n', out);
    json_decref(head);
    for (int i = 0; i < n && rc == 0; i++) {
        char *sql = xasprintf("SELECT * FROM \"%s\"", names[i]);
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "shucud export: %s: %s\n", names[i], sqlite3_errmsg(h));
            rc = -1;
        } else {
            int cols = sqlite3_column_count(st), s;
            while ((s = sqlite3_step(st)) == SQLITE_ROW) {
                json_t *r = json_object();
                for (int c = 0; c < cols; c++)
                    json_object_set_new(r, sqlite3_column_name(st, c), value_json(st, c));
                if (strcmp(names[i], "meta") == 0) {
                    const char *k = json_string_value(json_object_get(r, "k"));
                    if (k && (strcmp(k, "id") == 0 || strcmp(k, "probe") == 0)) {
                        json_decref(r);
                        continue;
                    }
                }
                json_t *line = json_pack("{s:s, s:o}", "t", names[i], "r", r);
                json_dumpf(line, out, JSON_COMPACT);
                fputc('\n', out);
                json_decref(line);
                (*rows)++;
            }
            if (s != SQLITE_DONE)
                rc = -1;
            sqlite3_finalize(st);
        }
        free(sql);
    }
    db_read_end(db);
    if (rc == 0) {
        fprintf(out, "{\"end\":true,\"rows\":%ld}\n", *rows);
        rc = fflush(out) == 0 && !ferror(out) ? 0 : -1;
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    return rc;
}

/* ------------------------------------------------------------ import */

struct itable {
    char *name;
    sqlite3_stmt *ins; /* for the column list of the first row seen */
    char *cols;        /* that list, comma-joined, to check later rows */
};

/* 1 when table t of the new schema has column c. */
static int has_column(sqlite3 *h, const char *t, const char *c)
{
    sqlite3_stmt *st;
    int yes = 0;
    if (sqlite3_prepare_v2(h, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c, -1, SQLITE_STATIC);
    yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

static int bind_value(sqlite3_stmt *st, int i, json_t *v)
{
    if (json_is_integer(v))
        return sqlite3_bind_int64(st, i, json_integer_value(v));
    if (json_is_real(v))
        return sqlite3_bind_double(st, i, json_real_value(v));
    if (json_is_string(v))
        return sqlite3_bind_text(st, i, json_string_value(v), (int)json_string_length(v),
                                 SQLITE_TRANSIENT);
    if (json_is_boolean(v))
        return sqlite3_bind_int(st, i, json_is_true(v));
    const char *hex = json_string_value(json_object_get(v, "$hex"));
    if (hex) {
        size_t n = strlen(hex) / 2;
        unsigned char *b = xmalloc(n + 1);
        for (size_t k = 0; k < n; k++) {
            unsigned x = 0;
            sscanf(hex + 2 * k, "%2x", &x);
            b[k] = (unsigned char)x;
        }
        int rc = sqlite3_bind_blob(st, i, b, (int)n, SQLITE_TRANSIENT);
        free(b);
        return rc;
    }
    return sqlite3_bind_null(st, i);
}

/* Inserts row r into table t (prepared on first use).  0, or -1 with
 * msg. */
static int insert_row(sqlite3 *h, struct itable *tabs, int *ntabs, const char *t, json_t *r,
                      char *msg, size_t msglen)
{
    struct itable *it = NULL;
    for (int i = 0; i < *ntabs; i++)
        if (strcmp(tabs[i].name, t) == 0)
            it = &tabs[i];
    /* the column list of this row */
    char *cols = xstrdup("");
    const char *k;
    json_t *v;
    json_object_foreach(r, k, v) {
        char *c = xasprintf("%s%s\"%s\"", cols, *cols ? "," : "", k);
        free(cols);
        cols = c;
    }
    if (!it) {
        if (*ntabs >= MAX_TABLES || derived(h, t) || !has_column(h, t, json_object_iter_key(json_object_iter(r)))) {
            snprintf(msg, msglen, "table %s is not one this shucud imports", t);
            free(cols);
            return -1;
        }
        json_object_foreach(r, k, v) if (strchr(k, '"') || !has_column(h, t, k)) {
            snprintf(msg, msglen, "table %s has no column %s in this version", t, k);
            free(cols);
            return -1;
        }
        it = &tabs[(*ntabs)++];
        it->name = xstrdup(t);
        it->cols = xstrdup(cols);
        char *q = xstrdup("");
        for (size_t i = 0; i < json_object_size(r); i++) {
            char *c = xasprintf("%s%s?", q, i ? "," : "");
            free(q);
            q = c;
        }
        /* Plain INSERT: an outer OR REPLACE would also turn the OR IGNORE
         * of a trigger's own inserts into REPLACE (SQLite's rule), and
         * keys' trigger would then overwrite a file imported before.
         * REPLACE only where the new database or a trigger has made the
         * row already: meta's counters, and the file a key's trigger
         * opens when an older export lists keys first. */
        int replace = strcmp(t, "meta") == 0 || strcmp(t, "enterprise_files") == 0 ||
                      strcmp(t, "enterprise_file_docs") == 0;
        char *sql = xasprintf("INSERT%s INTO \"%s\"(%s) VALUES (%s)", replace ? " OR REPLACE" : "",
                              t, cols, q);
        free(q);
        int prc = sqlite3_prepare_v2(h, sql, -1, &it->ins, NULL);
        free(sql);
        if (prc != SQLITE_OK) {
            snprintf(msg, msglen, "table %s: %s", t, sqlite3_errmsg(h));
            free(cols);
            return -1;
        }
    } else if (strcmp(cols, it->cols) != 0) {
        snprintf(msg, msglen, "table %s: rows with different columns", t);
        free(cols);
        return -1;
    }
    free(cols);
    int i = 1;
    json_object_foreach(r, k, v) bind_value(it->ins, i++, v);
    int s = sqlite3_step(it->ins);
    sqlite3_reset(it->ins);
    sqlite3_clear_bindings(it->ins);
    if (s != SQLITE_DONE) {
        snprintf(msg, msglen, "table %s: %s", t, sqlite3_errmsg(h));
        return -1;
    }
    return 0;
}

int transfer_import(struct db *db, FILE *in, long *rows, char *msg, size_t msglen)
{
    sqlite3 *h = db_handle(db);
    *rows = 0;
    msg[0] = '\0';
    sqlite3_stmt *st;
    long have = 0;
    if (sqlite3_prepare_v2(h, "SELECT (SELECT count(*) FROM orgs) + (SELECT count(*) FROM users)",
                           -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            have = (long)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (have) {
        snprintf(msg, msglen, "the database is not empty: import --all fills a new one");
        return -1;
    }
    struct itable tabs[MAX_TABLES];
    int ntabs = 0, rc = 0, ended = 0, changes_seen = 0;
    long ln = 0;
    char *line = NULL;
    size_t cap = 0;
    db_exec(db, "PRAGMA foreign_keys = OFF");
    if (db_begin(db) < 0) {
        snprintf(msg, msglen, "cannot begin a transaction");
        rc = -1;
    }
    while (rc == 0 && getline(&line, &cap, in) > 0) {
        ln++;
        json_t *o = json_loads(line, 0, NULL);
        if (!o) {
            snprintf(msg, msglen, "line %ld is not JSON", ln);
            rc = -1;
        } else if (ln == 1) {
            json_t *sv = json_object_get(o, "schema");
            if (json_integer_value(json_object_get(o, "shucu_export")) != 1 || !json_is_integer(sv)) {
                snprintf(msg, msglen, "line 1 is not a shucud export head");
                rc = -1;
            } else if (json_integer_value(sv) > db_schema_version()) {
                snprintf(msg, msglen, "the export is of schema %lld, newer than this shucud (%d)",
                         (long long)json_integer_value(sv), db_schema_version());
                rc = -1;
            }
        } else if (json_is_true(json_object_get(o, "end"))) {
            ended = json_integer_value(json_object_get(o, "rows")) == *rows;
            if (!ended) {
                snprintf(msg, msglen, "the end line counts other rows than the file holds");
                rc = -1;
            }
        } else {
            const char *t = json_string_value(json_object_get(o, "t"));
            json_t *r = json_object_get(o, "r");
            if (!t || !json_is_object(r) || !json_object_size(r)) {
                snprintf(msg, msglen, "line %ld is not {\"t\", \"r\"}", ln);
                rc = -1;
            } else {
                /* the rows the import's triggers wrote into the feed give
                 * way to the feed exported */
                if (strcmp(t, "changes") == 0 && !changes_seen++)
                    rc = db_exec(db, "DELETE FROM changes");
                if (rc == 0 && insert_row(h, tabs, &ntabs, t, r, msg, msglen) < 0) {
                    char m2[400];
                    snprintf(m2, sizeof m2, "line %ld: %s", ln, msg);
                    snprintf(msg, msglen, "%s", m2);
                    rc = -1;
                }
                (*rows)++;
            }
        }
        json_decref(o);
    }
    free(line);
    for (int i = 0; i < ntabs; i++) {
        sqlite3_finalize(tabs[i].ins);
        free(tabs[i].name);
        free(tabs[i].cols);
    }
    if (rc == 0 && !ended) {
        snprintf(msg, msglen, "the file ends before its end line: it was cut short");
        rc = -1;
    }
    /* the derived tables and indexes, from what was imported */
    if (rc == 0 && (db_exec(db, "INSERT INTO resources_fts(resources_fts) VALUES('rebuild')") ||
                    db_exec(db, "INSERT INTO resources_len_log(rid) VALUES (-1)") || /* corpus.c */
                    db_exec(db, "INSERT INTO orgs_fts(orgs_fts) VALUES('rebuild')") ||
                    db_exec(db, "INSERT INTO needs_fts(needs_fts) VALUES('rebuild')") ||
                    db_hot_rebuild(db) ||
                    db_exec(db, "DELETE FROM resource_is; INSERT OR IGNORE INTO resource_is"
                                " SELECT i.value, s.value, r.rid FROM resources r,"
                                " json_each(r.doc, '$.industries') i, json_each(r.doc, '$.scenarios') s"
                                " WHERE r.status = 'published'") ||
                    db_exec(db, "UPDATE meta SET v = v + 1 WHERE k = 'gen'") ||
                    feed_after_import(db))) { /* an export from before migration 14 */
        snprintf(msg, msglen, "rebuilding the indexes failed");
        rc = -1;
    }
    if (rc == 0 && sqlite3_prepare_v2(h, "PRAGMA foreign_key_check", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(msg, msglen, "a row of %s names a missing %s", sqlite3_column_text(st, 0),
                     sqlite3_column_text(st, 2));
            rc = -1;
        }
        sqlite3_finalize(st);
    }
    if (rc == 0)
        rc = db_commit(db);
    else
        db_rollback(db);
    db_exec(db, "PRAGMA foreign_keys = ON");
    return rc;
}
