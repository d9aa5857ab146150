/*
 * corpus.c - what search and matching share about the resource pool (see
 * corpus.h): its size and document frequencies, read once per data
 * generation per worker, and the hit as both show it.
 */
#include "corpus.h"

#include "bm25.h"
#include "db.h"
#include "dfcache.h"
#include "util.h"
#include "worker.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct corpus {
    long ndocs;      /* published resources, refreshed every second */
    double ndocs_at; /* util_monotonic() of the last count; 0: never */
    struct dfcache *df;
    struct dfcache *hits; /* rows per quoted phrase (corpus_phrase_hits) */
    /* corpus_lengths(): len[rid] = length in tokens + 1 (0: unknown) for
     * rids up to len_max, valid at len_version with the length log
     * (migration 13) read up to len_seq */
    uint32_t *len;
    int64_t len_cap, len_max, len_seq;
    long long len_version, len_identity;
};

static struct corpus *corpus_of(struct worker *w)
{
    if (!w->corpus) {
        w->corpus = xcalloc(1, sizeof *w->corpus);
        w->corpus->df = dfcache_new();
        w->corpus->hits = dfcache_new();
        w->corpus->len_version = -1;
        if (!w->corpus->df || !w->corpus->hits)
            abort(); /* out of memory, as xmalloc */
    }
    return w->corpus;
}

void corpus_free(struct corpus *c)
{
    if (!c)
        return;
    dfcache_free(c->df);
    dfcache_free(c->hits);
    free(c->len);
    free(c);
}

long corpus_ndocs(struct worker *w)
{
    static const char SQL[] = "SELECT count(*) FROM resources_hot";
    struct corpus *c = corpus_of(w);
    double now = util_monotonic();
    if (c->ndocs_at && now - c->ndocs_at < 1.0)
        return c->ndocs;
    sqlite3_stmt *st = db_stmt(w->db, SQL);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        c->ndocs = (long)sqlite3_column_int64(st, 0);
        c->ndocs_at = now;
    }
    if (st)
        sqlite3_reset(st);
    return c->ndocs;
}

long corpus_df(void *worker, const char *token, int len)
{
    static const char SQL[] = "SELECT doc FROM resources_vocab WHERE term = ?1";
    struct worker *w = worker;
    sqlite3_stmt *st = db_stmt(w->db, SQL);
    if (!st)
        return 0;
    long long gen = db_generation(w->db);
    /* One number for (identity, generation): a restored file whose
     * generation matches the old one still empties the table. */
    long long version = gen < 0 ? -1 : (gen ^ db_identity(w->db)) & INT64_MAX;
    return dfcache_get(corpus_of(w)->df, version, st, token, len);
}

/* The generation and identity as one number (gen < 0: unknown). */
static long long data_version(struct worker *w)
{
    long long gen = db_generation(w->db);
    return gen < 0 ? -1 : (gen ^ db_identity(w->db)) & INT64_MAX;
}

long corpus_phrase_hits(void *worker, const char *phrase, int len)
{
    static const char SQL[] = "SELECT count(*) FROM resources_fts WHERE resources_fts MATCH ?1";
    struct worker *w = worker;
    sqlite3_stmt *st = db_stmt(w->db, SQL);
    if (!st)
        return -1; /* shucu_rank counts it itself */
    return dfcache_get(corpus_of(w)->hits, data_version(w), st, phrase, len);
}

/* Sets the length of rid from its docsize blob (st's columns 0, 1). */
static void len_set(struct corpus *c, sqlite3_stmt *st)
{
    int64_t rid = sqlite3_column_int64(st, 0);
    if (rid < 0 || rid > INT32_MAX)
        return;
    if (rid >= c->len_cap) {
        int64_t cap = c->len_cap ? c->len_cap : 4096;
        while (cap <= rid)
            cap *= 2;
        c->len = xrealloc(c->len, (size_t)cap * sizeof *c->len);
        memset(c->len + c->len_cap, 0, (size_t)(cap - c->len_cap) * sizeof *c->len);
        c->len_cap = cap;
    }
    double n = bm25_docsize_tokens(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1),
                                   CORPUS_FTS_COLUMNS);
    c->len[rid] = n >= 0 && n < UINT32_MAX - 1 ? (uint32_t)n + 1 : 0;
    if (rid > c->len_max)
        c->len_max = rid;
}

/* Reads the lengths of rows above c->len_max (all of them after a reset);
 * 0 or -1. */
static int len_read_new(struct worker *w, struct corpus *c)
{
    static const char SQL[] = "SELECT id, sz FROM resources_fts_docsize WHERE id > ?1";
    sqlite3_stmt *st = db_stmt(w->db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, c->len_max);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        len_set(c, st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Forgets every length; the next read starts from the first row. */
static void len_reset(struct corpus *c)
{
    if (c->len)
        memset(c->len, 0, (size_t)c->len_cap * sizeof *c->len);
    c->len_max = -1;
}

/* Applies the log entries after c->len_seq: a named row is read again
 * (unknown when it is gone), -1 resets everything.  0 or -1. */
static int len_apply_log(struct worker *w, struct corpus *c)
{
    static const char SQL_LOG[] = "SELECT seq, rid FROM resources_len_log WHERE seq > ?1 ORDER BY seq";
    static const char SQL_ONE[] = "SELECT id, sz FROM resources_fts_docsize WHERE id = ?1";
    sqlite3_stmt *lg = db_stmt(w->db, SQL_LOG), *one = db_stmt(w->db, SQL_ONE);
    if (!lg || !one)
        return -1;
    sqlite3_bind_int64(lg, 1, c->len_seq);
    int rc;
    while ((rc = sqlite3_step(lg)) == SQLITE_ROW) {
        c->len_seq = sqlite3_column_int64(lg, 0);
        int64_t rid = sqlite3_column_int64(lg, 1);
        if (rid < 0) {
            len_reset(c);
            continue;
        }
        if (rid < c->len_cap)
            c->len[rid] = 0;
        sqlite3_bind_int64(one, 1, rid);
        if (sqlite3_step(one) == SQLITE_ROW)
            len_set(c, one);
        sqlite3_reset(one);
    }
    sqlite3_reset(lg);
    return rc == SQLITE_DONE ? 0 : -1;
}

const uint32_t *corpus_lengths(struct worker *w, int64_t *n)
{
    struct corpus *c = corpus_of(w);
    long long ver = data_version(w), id = db_identity(w->db);
    *n = 0;
    if (ver < 0)
        return NULL;
    if (ver != c->len_version) {
        int ok;
        if (c->len_version < 0 || id != c->len_identity) { /* first use, or another file */
            static const char SQL_SEQ[] = "SELECT coalesce(max(seq), 0) FROM resources_len_log";
            sqlite3_stmt *st = db_stmt(w->db, SQL_SEQ);
            len_reset(c);
            ok = st && sqlite3_step(st) == SQLITE_ROW;
            if (ok)
                c->len_seq = sqlite3_column_int64(st, 0);
            if (st)
                sqlite3_reset(st);
        } else {
            ok = len_apply_log(w, c) == 0;
        }
        ok = ok && len_read_new(w, c) == 0;
        c->len_version = ok ? ver : -1;
        c->len_identity = id;
        if (!ok)
            return NULL;
    }
    *n = c->len_max + 1 < c->len_cap ? c->len_max + 1 : c->len_cap;
    return c->len;
}

json_t *corpus_marked(const char *s)
{
    size_t cap = strlen(s) * 6 + 1, n = 0;
    char *out = xmalloc(cap + 16);
    for (const char *p = s; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\x01': rep = "<mark>"; break;
        case '\x02': rep = "</mark>"; break;
        default: break;
        }
        if (rep) {
            size_t l = strlen(rep);
            if (n + l > cap) {
                cap = (n + l) * 2;
                out = xrealloc(out, cap + 16);
            }
            memcpy(out + n, rep, l);
            n += l;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    json_t *j = json_string(out);
    free(out);
    return j ? j : json_string("");
}

json_t *corpus_hit_json(json_t *res)
{
    static const char *const KEEP[] = {"id", "kind", "title", "summary", "provider",
                                       "industries", "scenarios", "regions", "tags",
                                       "delivery", "levels", "deploy_days", "rating"};
    json_t *hit = json_object();
    for (size_t i = 0; i < sizeof KEEP / sizeof KEEP[0]; i++) {
        json_t *v = json_object_get(res, KEEP[i]);
        if (v)
            json_object_set(hit, KEEP[i], v);
    }
    json_t *price = json_object_get(res, "price");
    if (price) {
        json_t *mn = json_object_get(price, "min"), *mx = json_object_get(price, "max");
        json_t *p = json_pack("{s:O, s:O}", "min", mn ? mn : mx, "max", mx ? mx : mn);
        if (json_object_get(price, "unit"))
            json_object_set(p, "unit", json_object_get(price, "unit"));
        if (mn || mx)
            json_object_set_new(hit, "price", p);
        else
            json_decref(p);
    }
    return hit;
}

