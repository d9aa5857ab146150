/*
 * load.c - enterprise files and assessments from NDJSON files (see
 * load.h).  A file is read whole (100,000 files are a few tens of MB)
 * and handed to enterprise_import_ndjson, the code behind
 * POST /v1/enterprises:bulk, 10,000 lines per transaction.
 */
#include "load.h"

#include "assessment.h"
#include "db.h"
#include "enterprise.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOAD_BATCH 10000

/* The whole of path ("-": stdin) in *out (to free); 0 or -1 (errno). */
static int slurp(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    *out = NULL;
    *len = 0;
    if (!f)
        return -1;
    size_t cap = 1 << 16;
    char *buf = xmalloc(cap);
    size_t n;
    while ((n = fread(buf + *len, 1, cap - *len, f)) > 0) {
        *len += n;
        if (*len == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    int err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (err) {
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

int load_enterprises(struct db *db, const char *path)
{
    char *text;
    size_t len;
    if (slurp(path, &text, &len) < 0) {
        fprintf(stderr, "shucud import: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    double t0 = util_monotonic();
    struct ent_import rep = {.max_errors = 1L << 30};
    int rc = enterprise_import_ndjson(db, text, len, LOAD_BATCH, &rep);
    free(text);
    size_t i;
    json_t *e;
    json_array_foreach(rep.errors, i, e) {
        json_t *err = json_object_get(e, "error");
        const char *field = json_string_value(json_object_get(err, "field"));
        fprintf(stderr, "%s:%lld: %s%s%s%s\n", path,
                (long long)json_integer_value(json_object_get(e, "line")),
                json_string_value(json_object_get(err, "message")), field ? " (field " : "",
                field ? field : "", field ? ")" : "");
    }
    json_decref(rep.errors);
    if (rc < 0) {
        fprintf(stderr, "shucud import: the database failed at line %ld\n", rep.line);
        return 1;
    }
    fprintf(stderr, "%s: %ld created, %ld updated, %ld failed in %.1fs\n", path, rep.created,
            rep.updated, rep.failed, util_monotonic() - t0);
    return rep.failed ? 3 : 0;
}

int load_demo_assessments(struct db *db, const char *dir)
{
    char *path = xasprintf("%s/files.ndjson", dir);
    char *text = NULL;
    size_t len;
    int rc = 0;
    if (slurp(path, &text, &len) == 0) {
        struct ent_import rep = {0};
        rc = enterprise_import_ndjson(db, text, len, LOAD_BATCH, &rep);
        fprintf(stderr, "%s: %ld files, %ld failed\n", path, rep.created + rep.updated, rep.failed);
        size_t i;
        json_t *e;
        json_array_foreach(rep.errors, i, e) {
            char *s = json_dumps(e, JSON_COMPACT | JSON_ENSURE_ASCII);
            fprintf(stderr, "%s: %s\n", path, s);
            free(s);
        }
        json_decref(rep.errors);
        free(text);
    }
    free(path);
    path = xasprintf("%s/assessments.ndjson", dir);
    if (rc == 0 && slurp(path, &text, &len) == 0) {
        long n = 0, bad = 0, ln = 0;
        rc = db_begin(db);
        for (char *p = text, *end = text + len; rc == 0 && p < end;) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
            ln++;
            json_t *line = json_loadb(p, l, 0, NULL);
            p += l + 1;
            if (!line)
                continue;
            char msg[512];
            int k = assessment_seed(db, line, msg, sizeof msg);
            json_decref(line);
            if (k < 0)
                rc = -1;
            else if (k > 0) {
                fprintf(stderr, "%s:%ld: %s\n", path, ln, msg);
                bad++;
            } else
                n++;
        }
        if (rc == 0)
            rc = db_commit(db);
        else
            db_rollback(db);
        fprintf(stderr, "%s: %ld assessments, %ld failed\n", path, n, bad);
        free(text);
    }
    free(path);
    return rc;
}
