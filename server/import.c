/*
 * import.c - `shucud import`: NDJSON resources of one provider into the
 * database, read and validated by a reader thread ahead of the SQLite
 * writer, batched (--batch lines a transaction), a bad line reported by
 * its number and never stopping the good ones; or, with --type
 * enterprises, enterprise files (load.c).  Exit codes are those of the
 * README: 0 all imported, 1 refused or a database failure, 2 usage, 4
 * some lines failed.
 */
#include "transfer.h"
#include "verbs.h"

#include "resource_batch.h"

#include "auth.h"
#include "config.h"
#include "db.h"
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

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


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

/*
 * The document as stored, from the line itself when validation changed
 * nothing in it: json_dumps of every line was a quarter of the reader
 * thread's work.  Validation changes a document in two ways only: it
 * drops members that are null (so a line with no "null" anywhere lost
 * none) and adds the default "regions" at the end (spliced in here, as
 * json_dumps would have placed it).  The line is valid JSON without
 * duplicate members (json_loadb said so), so the stored text reads back
 * as the same document; only its spacing may differ from json_dumps's.
 * NULL when the line cannot be used as it is.
 */
static char *line_as_stored(const char *line, size_t len, int added_regions)
{
    if (memmem(line, len, "null", 4) || len < 2 || line[len - 1] != '}')
        return NULL;
    static const char REGIONS[] = ",\"regions\":[\"" TAX_NATIONWIDE "\"]}";
    size_t extra = added_regions ? sizeof REGIONS - 1 : 1;
    char *out = xmalloc(len + extra);
    memcpy(out, line, len - 1);
    if (added_regions)
        memcpy(out + len - 1, REGIONS, sizeof REGIONS);
    else {
        out[len - 1] = '}';
        out[len] = '\0';
    }
    return out;
}

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
    int had_regions = json_object_get(doc, "regions") != NULL;
    struct verr e;
    if (resource_validate(doc, &e) < 0) {
        snprintf(it->msg, sizeof it->msg, "%s (field %s)", e.msg, e.field);
        json_decref(doc);
        free(it->pname);
        it->pname = NULL;
        return 1;
    }
    it->doc = doc;
    it->dumped = p->provider_field ? NULL : line_as_stored(line, (size_t)len, !had_regions);
    if (!it->dumped)
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

struct import_report {
    const char *path, *clear;
    struct import_stats *s;
};

/* A line the database did not take (resource_batch.h): said on stderr. */
static void report_line(void *ctx, long line, enum http_err err, const char *field,
                        const char *msg)
{
    struct import_report *ir = ctx;
    fprintf(stderr, "%s%s:%ld: %s%s%s\n", ir->clear, ir->path, line, field ? field : "",
            field ? ": " : "", msg);
    ir->s->failed++;
}

/*
 * Imports one NDJSON file for provider org_id: one transaction per
 * batch_lines lines, a bad line reported with its number and skipped.  When
 * provider_field is set, each line names its provider in a "provider"
 * member (used by seed) instead.
 */
int import_file(struct db *db, const char *path, const char *org_id, const char *org_name,
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
    int rc = 0;
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
    struct import_report ir = {.path = path, .clear = clear, .s = s};
    struct rbatch batch;
    rbatch_init(&batch, db, report_line, &ir);
    char pid[40] = "", last_pname[256] = "";
    while (import_next(p, &it)) {
        const char *pname = provider_field ? it.pname : org_name;
        if (!it.doc) {
            fprintf(stderr, "%s%s:%ld: %s\n", clear, path, it.lineno, it.msg);
            s->failed++;
            continue;
        }
        if (provider_field && strcmp(pname, last_pname) != 0) {
            /* The provider's organisation, made (if new) in a transaction of
             * its own: a batch replayed after a failure must find it. */
            int ok = rbatch_commit(&batch, &s->created, &s->updated) == 0 && db_begin(db) == 0;
            if (ok && org_ensure(db, pname, pid) < 0) {
                db_rollback(db);
                fprintf(stderr, "%s%s:%ld: \"provider\" must name the provider organisation\n",
                        clear, path, it.lineno);
                s->failed++;
                last_pname[0] = '\0';
                json_decref(it.doc);
                free(it.dumped);
                free(it.pname);
                continue;
            }
            if (!ok || db_commit(db) < 0) {
                json_decref(it.doc);
                free(it.dumped);
                free(it.pname);
                rc = -1;
                break;
            }
            snprintf(last_pname, sizeof last_pname, "%s", pname);
        } else if (!provider_field) {
            snprintf(pid, sizeof pid, "%s", org_id);
        }
        rbatch_add(&batch, it.doc, it.dumped, pid, pname, it.lineno); /* takes doc, dumped */
        free(it.pname);
        if ((long)rbatch_size(&batch) >= batch_lines) {
            if (rbatch_commit(&batch, &s->created, &s->updated) < 0) {
                rc = -1;
                break;
            }
            progress(it.lineno, total, it.pos, tty);
        }
    }
    if (rc == 0 && rbatch_commit(&batch, &s->created, &s->updated) < 0)
        rc = -1;
    rbatch_free(&batch);
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

void fts_optimize(struct db *db)
{
    db_exec(db, "INSERT INTO resources_fts(resources_fts) VALUES('optimize')");
}

/* shucud import --all FILE: a whole database from `shucud export`
 * (transfer.h), into a new one. */
static int import_all(const struct config *cfg, const char *file)
{
    FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (!in) {
        fprintf(stderr, "shucud import --all: cannot open %s: %s\n", file, strerror(errno));
        return 1;
    }
    struct db *db = open_db(cfg);
    long rows = 0;
    char msg[512];
    double t0 = util_monotonic();
    int rc = db ? transfer_import(db, in, &rows, msg, sizeof msg) : -1;
    if (in != stdin)
        fclose(in);
    if (db && rc < 0)
        fprintf(stderr, "shucud import --all: %s; nothing was imported\n", msg);
    else if (db)
        fprintf(stderr, "imported %ld rows into %s in %.1fs; run shucud check --db %s\n", rows,
                cfg->db, util_monotonic() - t0, cfg->db);
    db_close(db);
    return rc < 0 ? 1 : 0;
}

int cmd_import(const struct config *cfg, char **rest)
{
    const char *all = arg_value(rest, "--all");
    if (all)
        return import_all(cfg, all);
    const char *org = arg_value(rest, "--provider");
    const char *file = positional(rest, 1, 0);
    const char *type = arg_value(rest, "--type");
    if (type && strcmp(type, "enterprises") == 0) { /* enterprise files (load.h) */
        if (!file) {
            fprintf(stderr, "shucud import --type enterprises: give the file (or - for stdin)\n");
            return 2;
        }
        if (load_taxonomy(cfg) < 0)
            return 1;
        struct db *db = open_db(cfg);
        int rc = db ? load_enterprises(db, file) : 1;
        db_close(db);
        unload_reference();
        return rc;
    }
    if (type && strcmp(type, "resources") != 0) {
        fprintf(stderr, "shucud import: --type must be resources (the default) or enterprises\n");
        return 2;
    }
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
    unload_reference();
    return rc;
}

/* Loads orgs.ndjson (profiles) from dir. */
