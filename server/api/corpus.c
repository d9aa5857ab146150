/*
 * corpus.c - what search and matching share about the resource pool (see
 * corpus.h): its size and document frequencies, read once per data
 * generation per worker, and the hit as both show it.
 */
#include "corpus.h"

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
};

static struct corpus *corpus_of(struct worker *w)
{
    if (!w->corpus) {
        w->corpus = xcalloc(1, sizeof *w->corpus);
        w->corpus->df = dfcache_new();
        w->corpus->hits = dfcache_new();
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

