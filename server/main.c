/*
 * main.c - shucud's verbs: serve, keys, import, seed, reindex, migrate.
 *
 * Every verb that touches the database opens it through db_open, so the
 * file is created and migrated by whichever verb runs first.  Verbs that
 * validate records (import, seed) load the taxonomy first.
 */
#include "auth.h"
#include "config.h"
#include "db.h"
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
            "  shucud keys list   [--db PATH]\n"
            "  shucud keys revoke PREFIX [--db PATH]\n"
            "  shucud import --provider ORG FILE.ndjson [--create-org] [--batch N] [--db PATH]\n"
            "  shucud users create --org NAME --role ROLE --name NAME --login PHONE|EMAIL [--password PW]\n"
            "  shucud users list  [--db PATH]\n"
            "  shucud seed   --dir data/demo [--db PATH]   load demo data and print demo keys\n"
            "  shucud reindex [--db PATH]                  rebuild the full-text and derived indexes\n"
            "  shucud migrate [--db PATH]                  create or upgrade the database\n"
            "  shucud backup  [--db PATH] DEST             online backup (while serving), checked\n"
            "  shucud restore [--db PATH] SRC              replace the database (stop the server first)\n"
            "  shucud check   [--db PATH]                  integrity of the database and its indexes\n"
            "  shucud version\n\n");
    config_usage();
}

/* Takes "--name value" or "--name=value" out of the verb's arguments. */
static const char *arg_value(char **rest, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; rest[i]; i++) {
        if (strcmp(rest[i], name) == 0 && rest[i + 1])
            return rest[i + 1];
        if (strncmp(rest[i], name, n) == 0 && rest[i][n] == '=')
            return rest[i] + n + 1;
    }
    return NULL;
}

/* The i-th positional argument after the verb words, skipping flags. */
static const char *positional(char **rest, int skip, int index)
{
    int k = 0;
    for (int i = skip; rest[i]; i++) {
        if (strncmp(rest[i], "--", 2) == 0) {
            /* a flag takes the next word as its value, but for the
             * switches that take none */
            if (!strchr(rest[i], '=') && rest[i + 1] && strcmp(rest[i], "--create-org") != 0)
                i++;
            continue;
        }
        if (k++ == index)
            return rest[i];
    }
    return NULL;
}

static void ensure_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return;
    char *dir = xstrndup(path, (size_t)(slash - path));
    mkdir(dir, 0755);
    free(dir);
}

static struct db *open_db(const struct config *cfg)
{
    ensure_parent_dir(cfg->db);
    return db_open(cfg->db);
}

static int load_taxonomy(const struct config *cfg)
{
    char err[512];
    if (tax_load(cfg->schemas, err, sizeof err) < 0) {
        fprintf(stderr, "shucud: %s\n", err);
        return -1;
    }
    return 0;
}

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
            fprintf(stderr, "shucud keys create: needs --role enterprise|provider|center|admin and --org NAME\n");
            rc = 2;
            goto out;
        }
        if (util_utf8_len(org, strlen(org)) > 120 || !util_utf8_valid(org, strlen(org))) {
            fprintf(stderr, "shucud keys create: --org must be 1 to 120 characters of UTF-8\n");
            rc = 2;
            goto out;
        }
        char org_id[40], key[AUTH_KEY_LEN + 1], prefix[AUTH_PREFIX_LEN + 1], created[32];
        if (db_begin(db) < 0 || org_ensure(db, org, org_id) < 0 ||
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

struct import_stats {
    long created, updated, failed, lines;
};

static void progress(long done, long total_bytes, long pos, int tty)
{
    if (!tty)
        return;
    int pct = total_bytes > 0 ? (int)(100.0 * (double)pos / (double)total_bytes) : 100;
    int bar = pct / 4;
    fprintf(stderr, "\r[%-25.*s] %3d%%  %ld lines", bar, "#########################", pct, done);
    fflush(stderr);
}

/*
 * The import is a two-stage pipeline: a reader thread reads, parses and
 * validates lines (Jansson and the validator are a third of the work)
 * while this thread writes what it hands over to SQLite.  Lines pass
 * through a bounded FIFO in file order, bad ones as a message, so the
 * report reads exactly as a one-thread import's would.
 */
#define IMPORT_QUEUE 1024

/* Lines per import transaction by default (--batch N changes it).  Each commit rewrites every index page
 * its rows touched (the random ids land all over the id index) and may
 * checkpoint, so bigger batches write less: 100k resources import in
 * ~13.5 s with 10,000 against ~18 s with 1,000 (docs/benchmarks.md).
 * A batch stays in the in-memory staging table until it commits, a few
 * tens of MB at most. */
#define IMPORT_BATCH 10000
#define IMPORT_BATCH_MAX 100000

struct import_item {
    long lineno;   /* 1-based line of the file */
    long pos;      /* file offset after the line, for the progress bar */
    json_t *doc;   /* validated document, NULL when msg says why not */
    char *dumped;  /* doc as stored: json_dumps(doc, JSON_COMPACT) */
    char *pname;   /* provider named by the line (provider_field mode) */
    char msg[512]; /* what was wrong with the line */
};

struct import_pipe {
    FILE *f;
    const char *path;
    int provider_field;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    struct import_item q[IMPORT_QUEUE];
    int head, count;
    int reader_waits; /* the reader sleeps on not_full */
    int writer_waits; /* the writer sleeps on not_empty */
    int done;     /* the reader has reached the end of the file */
    int stop;     /* the writer gave up: the reader stops early */
    long lines;   /* lines read, blank ones included */
    int read_err; /* errno of a failed read, 0 at a clean end */
};

/* Parses and validates one line into it; 0 when the line is blank. */
static int import_prepare(struct import_pipe *p, char *line, ssize_t len, struct import_item *it)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
                       line[len - 1] == '\t'))
        line[--len] = '\0';
    if (strspn(line, " \t") == (size_t)len)
        return 0; /* blank lines are skipped, as by the HTTP bulk import */
    json_error_t jerr;
    json_t *doc = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        snprintf(it->msg, sizeof it->msg, "bad JSON: %s", jerr.text);
        return 1;
    }
    if (p->provider_field) {
        const char *pn = json_string_value(json_object_get(doc, "provider"));
        if (!pn || !*pn) {
            snprintf(it->msg, sizeof it->msg, "\"provider\" must name the provider organisation");
            json_decref(doc);
            return 1;
        }
        it->pname = xstrdup(pn);
        json_object_del(doc, "provider");
    }
    struct verr e;
    if (resource_validate(doc, &e) < 0) {
        snprintf(it->msg, sizeof it->msg, "%s (field %s)", e.msg, e.field);
        json_decref(doc);
        free(it->pname);
        it->pname = NULL;
        return 1;
    }
    it->doc = doc;
    it->dumped = json_dumps(doc, JSON_COMPACT);
    return 1;
}

static void *import_reader(void *arg)
{
    struct import_pipe *p = arg;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    errno = 0;
    while ((len = getline(&line, &cap, p->f)) >= 0) {
        struct import_item it = {.lineno = ++lineno};
        if (!import_prepare(p, line, len, &it))
            continue;
        it.pos = ftell(p->f);
        pthread_mutex_lock(&p->mu);
        while (p->count == IMPORT_QUEUE && !p->stop) {
            p->reader_waits = 1;
            pthread_cond_wait(&p->not_full, &p->mu);
            p->reader_waits = 0;
        }
        if (p->stop) {
            pthread_mutex_unlock(&p->mu);
            json_decref(it.doc);
            free(it.dumped);
            free(it.pname);
            break;
        }
        p->q[(p->head + p->count) % IMPORT_QUEUE] = it;
        p->count++;
        if (p->writer_waits)
            pthread_cond_signal(&p->not_empty);
        pthread_mutex_unlock(&p->mu);
        errno = 0;
    }
    int err = ferror(p->f) ? (errno ? errno : EIO) : 0;
    free(line);
    pthread_mutex_lock(&p->mu);
    p->lines = lineno;
    p->read_err = err;
    p->done = 1;
    pthread_cond_signal(&p->not_empty);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* The next line in file order; 0 at the end of the file. */
static int import_next(struct import_pipe *p, struct import_item *it)
{
    pthread_mutex_lock(&p->mu);
    while (p->count == 0 && !p->done) {
        p->writer_waits = 1;
        pthread_cond_wait(&p->not_empty, &p->mu);
        p->writer_waits = 0;
    }
    int got = p->count > 0;
    if (got) {
        *it = p->q[p->head];
        p->head = (p->head + 1) % IMPORT_QUEUE;
        p->count--;
        /* Wake a waiting reader only once half the queue is free, so the
         * two threads hand over in runs rather than line by line. */
        if (p->reader_waits && p->count <= IMPORT_QUEUE / 2)
            pthread_cond_signal(&p->not_full);
    }
    pthread_mutex_unlock(&p->mu);
    return got;
}

/*
 * Imports one NDJSON file for provider org_id: one transaction per
 * batch_lines lines, a bad line reported with its number and skipped.  When
 * provider_field is set, each line names its provider in a "provider"
 * member (used by seed) instead.
 */
static int import_file(struct db *db, const char *path, const char *org_id, const char *org_name,
                       int provider_field, int batch_lines, struct import_stats *s)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "shucud import: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    long total = fstat(fileno(f), &sb) == 0 ? (long)sb.st_size : 0;
    int tty = isatty(STDERR_FILENO);
    const char *clear = tty ? "\r\033[K" : "";
    int in_tx = 0, batch = 0, rc = 0;
    double t0 = util_monotonic();
    struct import_pipe *p = xcalloc(1, sizeof *p);
    p->f = f;
    p->path = path;
    p->provider_field = provider_field;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->not_empty, NULL);
    pthread_cond_init(&p->not_full, NULL);
    pthread_t reader;
    if (pthread_create(&reader, NULL, import_reader, p) != 0) {
        fprintf(stderr, "shucud import: cannot start the reader thread\n");
        free(p);
        if (f != stdin)
            fclose(f);
        return -1;
    }
    struct import_item it;
    while (import_next(p, &it)) {
        char pid[40];
        const char *pname = provider_field ? it.pname : org_name;
        if (!it.doc) {
            fprintf(stderr, "%s%s:%ld: %s\n", clear, path, it.lineno, it.msg);
            s->failed++;
            continue;
        }
        if (!in_tx) {
            if (db_begin(db) < 0 || resource_stage_begin(db) < 0) {
                json_decref(it.doc);
                free(it.dumped);
                free(it.pname);
                rc = -1;
                break;
            }
            in_tx = 1;
        }
        int r = -1;
        if (provider_field && org_ensure(db, pname, pid) < 0) {
            fprintf(stderr, "%s%s:%ld: \"provider\" must name the provider organisation\n", clear,
                    path, it.lineno);
            s->failed++;
            r = 0;
        } else {
            char id[48];
            if (!provider_field)
                snprintf(pid, sizeof pid, "%s", org_id);
            r = resource_store(db, pid, pname, it.doc, it.dumped, RES_UPSERT | RES_STAGED, id);
            if (r == RES_CREATED)
                s->created++;
            else if (r == RES_UPDATED)
                s->updated++;
            else if (r == RES_CONFLICT_EXTERNAL) {
                fprintf(stderr, "%s%s:%ld: external_id conflicts with another resource\n", clear,
                        path, it.lineno);
                s->failed++;
            } else
                r = -1;
        }
        json_decref(it.doc);
        free(it.dumped);
        free(it.pname);
        if (r < 0) {
            rc = -1;
            break;
        }
        if (++batch >= batch_lines) {
            if (resource_stage_flush(db) < 0) {
                rc = -1; /* rolled back below */
                break;
            }
            if (db_commit(db) < 0) {
                rc = -1;
                in_tx = 0;
                break;
            }
            in_tx = batch = 0;
            progress(it.lineno, total, it.pos, tty);
        }
    }
    /* Stop the reader (it may be waiting on a full queue) and drop what
     * it had read ahead, when the writer gave up early. */
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->not_full);
    pthread_mutex_unlock(&p->mu);
    pthread_join(reader, NULL);
    while (p->count > 0) {
        struct import_item *left = &p->q[p->head];
        json_decref(left->doc);
        free(left->dumped);
        free(left->pname);
        p->head = (p->head + 1) % IMPORT_QUEUE;
        p->count--;
    }
    s->lines += p->lines;
    if (p->read_err && rc == 0) {
        fprintf(stderr, "%sshucud import: reading %s: %s\n", clear, path, strerror(p->read_err));
        rc = -1;
    }
    if (in_tx && (rc < 0 || resource_stage_flush(db) < 0 || db_commit(db) < 0)) {
        db_rollback(db);
        rc = -1;
    }
    pthread_cond_destroy(&p->not_empty);
    pthread_cond_destroy(&p->not_full);
    pthread_mutex_destroy(&p->mu);
    long lines = p->lines;
    free(p);
    progress(lines, total, total, tty);
    if (tty)
        fputc('\n', stderr);
    double dt = util_monotonic() - t0;
    fprintf(stderr, "%s: %ld created, %ld updated, %ld failed in %.1fs (%.0f lines/s)\n", path,
            s->created, s->updated, s->failed, dt, dt > 0 ? (double)lines / dt : 0.0);
    if (f != stdin)
        fclose(f);
    return rc;
}

static void fts_optimize(struct db *db)
{
    db_exec(db, "INSERT INTO resources_fts(resources_fts) VALUES('optimize')");
}

static int cmd_import(const struct config *cfg, char **rest)
{
    const char *org = arg_value(rest, "--provider");
    const char *file = positional(rest, 1, 0);
    if (!org || !file) {
        fprintf(stderr, "shucud import: needs --provider ORG and a file (or - for stdin)\n");
        return 2;
    }
    int batch = IMPORT_BATCH;
    const char *bs = arg_value(rest, "--batch");
    if (bs) {
        char *end;
        errno = 0;
        long v = strtol(bs, &end, 10);
        if (errno || end == bs || *end || v < 1 || v > IMPORT_BATCH_MAX) {
            fprintf(stderr, "shucud import: --batch must be a number of lines from 1 to %d\n",
                    IMPORT_BATCH_MAX);
            return 2;
        }
        batch = (int)v;
    }
    if (strcmp(file, "-") != 0 && access(file, R_OK) != 0) {
        /* as `shucu resources import`: a file that cannot be read is 2 */
        fprintf(stderr, "shucud import: cannot read %s: %s\n", file, strerror(errno));
        return 2;
    }
    if (load_taxonomy(cfg) < 0)
        return 1;
    struct db *db = open_db(cfg);
    if (!db)
        return 1;
    char org_id[40];
    struct import_stats s = {0};
    int rc = 1;
    /* A name that matches no organisation is most often a typo: refused
     * unless --create-org says a new one is meant (exit 2, as for usage). */
    int create = 0;
    for (int i = 0; rest[i]; i++)
        if (strcmp(rest[i], "--create-org") == 0)
            create = 1;
    if (!create) {
        int found = org_find(db, org, org_id);
        if (found != 0) {
            if (found > 0)
                fprintf(stderr, "shucud import: no organisation is named \"%s\"; check the name"
                                " (shucud keys list shows them) or add --create-org\n", org);
            rc = found > 0 ? 2 : 1;
            goto out;
        }
    }
    if (db_begin(db) < 0 || org_ensure(db, org, org_id) < 0 || db_commit(db) < 0) {
        db_rollback(db);
        goto out;
    }
    rc = import_file(db, file, org_id, org, 0, batch, &s) < 0 ? 1 : 0;
    if (s.created + s.updated > 0)
        fts_optimize(db);
    if (!rc && s.failed)
        rc = 4; /* some lines failed; the good ones are saved (as `shucu resources import`) */
out:
    db_close(db);
    tax_free();
    return rc;
}

/* Loads orgs.ndjson (profiles) from dir. */
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
    if (irc < 0 || seed_needs(db, dir) < 0)
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
    tax_free();
    return rc;
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
    /* No allocation statistics: they take a global mutex on every malloc
     * SQLite makes, which showed up as 4 % of a match's profile. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
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
