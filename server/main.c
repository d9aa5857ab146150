/*
 * main.c - shucud's verbs: serve, keys, import, seed, reindex, migrate.
 *
 * Every verb that touches the database opens it through db_open, so the
 * file is created and migrated by whichever verb runs first.  Verbs that
 * validate records (import, seed) load the taxonomy first.
 */
#include "verbs.h"

#include "auth.h"
#include "config.h"
#include "db.h"
#include "feed.h"
#include "transfer.h"
#include "instrument.h"
#include "load.h"
#include "regions.h"
#include "route.h"
#include "server.h"
#include "log.h"
#include "maint.h"
#include "need.h"
#include "org.h"
#include "people.h"
#include "resource.h"
#include "taxonomy.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(void)
{
    fprintf(stderr,
            "shucud - the server of a 制造业数字化转型促进中心 (数促中心)\n\n"
            "Usage:\n"
            "  shucud serve   [--listen 127.0.0.1:8080] [--db PATH] [--redis URL|none] [--workers N] [--config FILE]\n"
            "  shucud keys create --role enterprise|provider|center|admin --org NAME [--db PATH]\n"
            "  shucud keys create --role authority --org NAME --region 湖北省/武汉市[/江岸区]\n"
            "  shucud keys list   [--db PATH]\n"
            "  shucud keys revoke PREFIX [--db PATH]\n"
            "  shucud import --provider ORG FILE.ndjson [--create-org] [--batch N] [--db PATH]\n"
            "  shucud import --type enterprises FILE.ndjson [--db PATH]   enterprise files, one a line\n"
            "  shucud users create --org NAME --role ROLE --name NAME --login PHONE|EMAIL [--password PW]\n"
            "  shucud users list  [--db PATH]\n"
            "  shucud seed   --dir data/demo [--db PATH]   load demo data and print demo keys\n"
            "  shucud reindex [--db PATH]                  rebuild the full-text and derived indexes\n"
            "  shucud migrate [--db PATH]                  create or upgrade the database\n"
            "  shucud backup  [--db PATH] DEST             online backup (while serving), checked\n"
            "  shucud restore [--db PATH] SRC              replace the database (stop the server first)\n"
            "  shucud check   [--db PATH]                  integrity of the database and its indexes\n"
            "  shucud export  [--db PATH] > all.ndjson     the whole database, to move it\n"
            "  shucud import --all all.ndjson --db NEW     ... into a new database\n"
            "  shucud changes trim [--days 30]             drop superseded change feed entries\n"
            "  shucud version\n\n");
    config_usage();
}

/* Takes "--name value" or "--name=value" out of the verb's arguments. */
static int cmd_keys(const struct config *cfg, char **rest)
{
    const char *sub = rest[1];
    if (!sub) {
        fprintf(stderr, "shucud keys: say create, list or revoke\n");
        return 2;
    }
    struct db *db = open_db(cfg);
    if (!db)
        return 1;
    int rc = 0;
    if (strcmp(sub, "create") == 0) {
        const char *role_s = arg_value(rest, "--role"), *org = arg_value(rest, "--org");
        int role = role_parse(role_s);
        if (!role || !org || !*org) {
            fprintf(stderr, "shucud keys create: needs --role enterprise|provider|center|admin|authority and --org NAME\n");
            rc = 2;
            goto out;
        }
        if (util_utf8_len(org, strlen(org)) > 120 || !util_utf8_valid(org, strlen(org))) {
            fprintf(stderr, "shucud keys create: --org must be 1 to 120 characters of UTF-8\n");
            rc = 2;
            goto out;
        }
        char org_id[40], key[AUTH_KEY_LEN + 1], prefix[AUTH_PREFIX_LEN + 1], created[32];
        const char *region = arg_value(rest, "--region");
        if (region && role != ROLE_AUTHORITY) {
            fprintf(stderr, "shucud keys create: --region is for --role authority only\n");
            rc = 2;
            goto out;
        }
        if (db_begin(db) < 0 || org_ensure(db, org, org_id) < 0 ||
            (role == ROLE_AUTHORITY &&
             authority_cli_region(cfg, db, org_id, region, "keys create") < 0) ||
            auth_key_create(db, org_id, role, key, prefix, created) < 0 || db_commit(db) < 0) {
            db_rollback(db);
            fprintf(stderr, "shucud keys create: failed (see the log above)\n");
            rc = 1;
            goto out;
        }
        fprintf(stderr, "created a %s key for %s (%s); it is shown once, keep it safe:\n",
                role_name(role), org, org_id);
        printf("%s\n", key);
    } else if (strcmp(sub, "list") == 0) {
        rc = auth_list(db, stdout) < 0;
    } else if (strcmp(sub, "revoke") == 0) {
        const char *prefix = positional(rest, 2, 0);
        if (!prefix) {
            fprintf(stderr, "shucud keys revoke: give the key prefix (first %d characters)\n",
                    AUTH_PREFIX_LEN);
            rc = 2;
            goto out;
        }
        int n = auth_revoke(db, prefix);
        if (n < 0)
            rc = 1;
        else if (n == 0) {
            fprintf(stderr, "shucud keys revoke: no active key with prefix %s\n", prefix);
            rc = 1;
        } else
            printf("revoked %s\n", prefix);
    } else {
        fprintf(stderr, "shucud keys: unknown subcommand \"%s\"\n", sub);
        rc = 2;
    }
out:
    db_close(db);
    return rc;
}

static int seed_orgs(struct db *db, const char *dir, json_t *firsts)
{
    char *path = xasprintf("%s/orgs.ndjson", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "shucud seed: cannot open %s: %s\n", path, strerror(errno));
        free(path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    long n = 0, ln = 0;
    int rc = db_begin(db);
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        ln++;
        json_t *o = json_loads(line, 0, NULL);
        if (!o) {
            fprintf(stderr, "%s:%ld: bad JSON\n", path, ln);
            continue;
        }
        const char *role = json_string_value(json_object_get(o, "role"));
        json_t *prof = json_deep_copy(o);
        json_object_del(prof, "role");
        char id[40];
        int c = org_create(db, prof, id);
        if (c == 0 && json_object_get(prof, "contact") &&
            org_set_contact(db, id, json_object_get(prof, "contact")) < 0)
            c = -1;
        if (c < 0) {
            fprintf(stderr, "%s:%ld: cannot create organisation\n", path, ln);
        } else {
            n++;
            if (role && !json_object_get(firsts, role))
                json_object_set_new(firsts, role,
                                    json_pack("{s:O}", "name", json_object_get(o, "name")));
        }
        json_decref(prof);
        json_decref(o);
    }
    if (rc == 0)
        rc = db_commit(db);
    free(line);
    fclose(f);
    fprintf(stderr, "%s: %ld organisations\n", path, n);
    free(path);
    return rc;
}

/* Loads needs.ndjson: each line a need plus "enterprise": org name. */
static int seed_needs(struct db *db, const char *dir)
{
    char *path = xasprintf("%s/needs.ndjson", dir);
    FILE *f = fopen(path, "r");
    if (!f) { /* optional */
        free(path);
        return 0;
    }
    char *line = NULL;
    size_t cap = 0;
    long n = 0, ln = 0, bad = 0;
    int rc = db_begin(db);
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        ln++;
        json_t *o = json_loads(line, 0, NULL);
        const char *ent = json_string_value(json_object_get(o, "enterprise"));
        char *name = ent ? xstrdup(ent) : NULL;
        char org[40], id[48];
        struct verr e;
        if (o)
            json_object_del(o, "enterprise");
        if (!o || !name || org_ensure(db, name, org) < 0) {
            fprintf(stderr, "%s:%ld: needs JSON with \"enterprise\"\n", path, ln);
            bad++;
        } else if (need_validate(o, &e) < 0) {
            fprintf(stderr, "%s:%ld: %s (field %s)\n", path, ln, e.msg, e.field);
            bad++;
        } else if (need_store(db, org, name, o, id) < 0) {
            rc = -1;
        } else {
            n++;
        }
        free(name);
        json_decref(o);
    }
    if (rc == 0)
        rc = db_commit(db);
    else
        db_rollback(db);
    free(line);
    fclose(f);
    fprintf(stderr, "%s: %ld needs, %ld failed\n", path, n, bad);
    free(path);
    return rc;
}

static int cmd_seed(const struct config *cfg, char **rest)
{
    const char *dir = arg_value(rest, "--dir");
    if (!dir)
        dir = "data/demo";
    if (load_taxonomy(cfg) < 0)
        return 1;
    struct db *db = open_db(cfg);
    if (!db)
        return 1;
    int rc = 1;
    json_t *firsts = json_object();
    if (seed_orgs(db, dir, firsts) < 0)
        goto out;
    char *path = xasprintf("%s/resources.ndjson", dir);
    struct import_stats s = {0};
    int irc = import_file(db, path, NULL, NULL, 1, IMPORT_BATCH, &s);
    free(path);
    if (irc < 0 || seed_needs(db, dir) < 0 || load_demo_assessments(db, dir) < 0)
        goto out;
    fts_optimize(db);
    /* One demo key per role; the admin gets an organisation of its own. */
    json_object_set_new(firsts, "admin", json_pack("{s:s}", "name", "数促平台运维"));
    static const char *const ROLES[] = {"admin", "center", "provider", "enterprise"};
    for (int i = 0; i < 4; i++) {
        const char *name = json_string_value(json_object_get(json_object_get(firsts, ROLES[i]), "name"));
        if (!name)
            continue;
        char org_id[40], key[AUTH_KEY_LEN + 1], prefix[AUTH_PREFIX_LEN + 1], created[32];
        if (db_begin(db) < 0 || org_ensure(db, name, org_id) < 0 ||
            auth_key_create(db, org_id, role_parse(ROLES[i]), key, prefix, created) < 0 ||
            db_commit(db) < 0) {
            db_rollback(db);
            goto out;
        }
        printf("%-10s %s  %s\n", ROLES[i], key, name);
    }
    /* and people who log in with a password (issue 21) */
    if (people_seed_demo(db, firsts, stdout) < 0)
        goto out;
    rc = 0;
out:
    json_decref(firsts);
    db_close(db);
    unload_reference();
    return rc;
}

/* shucud export: the whole database as NDJSON on stdout (transfer.h). */
static int cmd_export(const struct config *cfg)
{
    struct db *db = open_db(cfg);
    if (!db)
        return 1;
    long rows = 0;
    double t0 = util_monotonic();
    int rc = transfer_export(db, stdout, &rows);
    if (rc == 0)
        fprintf(stderr, "exported %ld rows of %s in %.1fs\n", rows, cfg->db, util_monotonic() - t0);
    else
        fprintf(stderr, "shucud export: failed (see above)\n");
    db_close(db);
    return rc < 0;
}

/* shucud changes trim [--days N]: the change feed's superseded entries
 * older than N days (30), as the server does every hour (feed.h). */
static int cmd_changes(const struct config *cfg, char **rest)
{
    const char *sub = rest[1], *days_s = arg_value(rest, "--days");
    int days = days_s ? atoi(days_s) : FEED_KEEP_DAYS;
    if (!sub || strcmp(sub, "trim") != 0 || days < 0 || (days_s && !isdigit((unsigned char)*days_s))) {
        fprintf(stderr, "shucud changes: say trim [--days N]\n");
        return 2;
    }
    struct db *db = open_db(cfg);
    if (!db)
        return 1;
    long n = feed_trim(db, days);
    if (n >= 0)
        printf("trimmed %ld change feed entries older than %d days; cursors before seq %lld are"
               " gone\n", n, days, (long long)feed_trimmed(db));
    db_close(db);
    return n < 0;
}

static int cmd_reindex(const struct config *cfg)
{
    struct db *db = open_db(cfg);
    if (!db)
        return 1;
    double t0 = util_monotonic();
    /* One transaction: a reader never sees a half-built index. */
    int rc = db_begin(db) ||
             db_exec(db, "INSERT INTO resources_fts(resources_fts) VALUES('rebuild')") ||
             db_exec(db, "INSERT INTO resources_len_log(rid) VALUES (-1)") || /* corpus.c */
             db_exec(db, "INSERT INTO orgs_fts(orgs_fts) VALUES('rebuild')") ||
             db_exec(db, "INSERT INTO needs_fts(needs_fts) VALUES('rebuild')") ||
             db_hot_rebuild(db) || db_commit(db);
    if (rc)
        db_rollback(db);
    else
        rc = db_exec(db, "INSERT INTO resources_fts(resources_fts) VALUES('optimize')");
    fprintf(stderr, "reindex %s in %.1fs\n", rc ? "failed" : "done", util_monotonic() - t0);
    db_close(db);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    util_init();
    db_configure_process();
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "version") == 0 || strcmp(verb, "--version") == 0) {
        printf("shucud 0.1.0 (schema %d, sqlite %s)\n", db_schema_version(), sqlite3_libversion());
        return 0;
    }
    struct config cfg;
    config_defaults(&cfg);
    char **rest = NULL;
    if (config_load(&cfg, argc - 1, argv + 1, &rest) < 0) {
        config_free(&cfg);
        return 2;
    }
    enum log_level lvl;
    if (log_parse_level(cfg.log_level, &lvl) < 0) {
        fprintf(stderr, "shucud: log_level must be debug, info, warn or error\n");
        return 2;
    }
    log_set_level(strcmp(verb, "serve") == 0 ? lvl : (lvl > LOG_WARN ? lvl : LOG_WARN));
    int rc;
    if (strcmp(verb, "serve") == 0) {
        for (int i = 1; rest[i]; i++)
            if (strcmp(rest[i], "--help") == 0) {
                usage();
                return 0;
            }
        if (rest[1]) {
            fprintf(stderr, "shucud serve: unknown argument \"%s\" (see shucud --help)\n", rest[1]);
            rc = 2;
        } else {
            ensure_parent_dir(cfg.db);
            rc = server_run(&cfg);
        }
    } else if (strcmp(verb, "keys") == 0)
        rc = cmd_keys(&cfg, rest);
    else if (strcmp(verb, "import") == 0)
        rc = cmd_import(&cfg, rest);
    else if (strcmp(verb, "users") == 0)
        rc = people_cli(&cfg, rest);
    else if (strcmp(verb, "seed") == 0)
        rc = cmd_seed(&cfg, rest);
    else if (strcmp(verb, "export") == 0)
        rc = cmd_export(&cfg);
    else if (strcmp(verb, "changes") == 0)
        rc = cmd_changes(&cfg, rest);
    else if (strcmp(verb, "reindex") == 0)
        rc = cmd_reindex(&cfg);
    else if (strcmp(verb, "backup") == 0 || strcmp(verb, "restore") == 0) {
        const char *file = positional(rest, 1, 0);
        if (!file) {
            fprintf(stderr, "shucud %s: give the %s file\n", verb,
                    verb[0] == 'b' ? "destination" : "source");
            rc = 2;
        } else
            rc = verb[0] == 'b' ? maint_backup(cfg.db, file) : maint_restore(cfg.db, file);
    } else if (strcmp(verb, "check") == 0)
        rc = maint_check(cfg.db);
    else if (strcmp(verb, "migrate") == 0) {
        struct db *db = open_db(&cfg);
        rc = db ? 0 : 1;
        if (db)
            printf("%s: schema version %d\n", cfg.db, db_schema_version());
        db_close(db);
    } else {
        fprintf(stderr, "shucud: unknown verb \"%s\"\n\n", verb);
        usage();
        rc = 2;
    }
    free(rest);
    config_free(&cfg);
    return rc;
}
