/*
 * verbs.h - what the command-line verbs of shucud (main.c, import.c)
 * share: reading their arguments and opening the database and the
 * vocabularies they need.
 */
#ifndef SHUCU_VERBS_H
#define SHUCU_VERBS_H

struct config;
struct db;

/* The value after --name in rest (NULL-terminated), or NULL. */
const char *arg_value(char **rest, const char *name);
/* The index-th argument that is not an option, skipping `skip` first. */
const char *positional(char **rest, int skip, int index);
/* Makes the directory a database file will live in. */
void ensure_parent_dir(const char *path);
/* Opens (and migrates) cfg->db; NULL after saying why. */
struct db *open_db(const struct config *cfg);
/* Loads the taxonomy and the reference data a verb validates against;
 * 0, or -1 after saying why.  unload_reference() frees them. */
int load_taxonomy(const struct config *cfg);
void unload_reference(void);

/* An authority's region from the command line (issue 20): with spec
 * ("湖北省/武汉市[/江岸区]") records it for org_id, inside the caller's
 * transaction; without, checks that org_id has one.  0, or -1 after
 * saying why on stderr (verb names the command). */
int authority_cli_region(const struct config *cfg, struct db *db, const char *org_id,
                         const char *spec, const char *verb);

/* shucud import ... */
#define IMPORT_BATCH 10000 /* lines a transaction, unless --batch */
struct import_stats {
    long created, updated, failed, lines;
};
/* Imports the NDJSON resources of path (- for stdin) for provider
 * org_id/org_name, or, with provider_field, for the provider each line
 * names (the demo data), batch_lines a transaction; counts in *s.  0, or
 * -1 when the database failed. */
int import_file(struct db *db, const char *path, const char *org_id, const char *org_name,
                int provider_field, int batch_lines, struct import_stats *s);
/* Merges the full-text index's segments (after a large import). */
void fts_optimize(struct db *db);
int cmd_import(const struct config *cfg, char **rest);

#endif
