/*
 * bm25.c - the shucu_bm25() auxiliary function (see bm25.h).
 */
#include "bm25.h"

#include "tokenizer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define K1 1.2
#define B 0.75

/* Per query: the average row length, each phrase's IDF and each
 * column's weight, computed on the first row and kept as the query's
 * auxiliary data (bm25() too reads its weights once). */
struct bm25_query {
    int nphrase;
    double avgdl;
    double *idf;    /* [nphrase], times the phrase's weight (bm25.h) */
    double *freq;   /* [nphrase], scratch for the current row */
    double *weight; /* [ncol], 1.0 where the call gives none */
};

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fc, void *arg)
{
    (void)api;
    (void)fc;
    ++*(sqlite3_int64 *)arg;
    return SQLITE_OK;
}

/*
 * Applies the phrase weights spec (bm25.h: "1 0.5<1 ...") to idf[0..np):
 * item i sets idf[i] = w * idf[i - back].  Items past np, malformed items
 * and backward references out of range are ignored (weight 1, own IDF).
 */
static void apply_phrase_weights(double *idf, int np, const char *spec)
{
    double *raw = malloc((size_t)(np > 0 ? np : 1) * sizeof *raw);
    if (!raw)
        return;
    memcpy(raw, idf, (size_t)np * sizeof *raw);
    const char *p = spec;
    for (int i = 0; i < np && p && *p; i++) {
        char *end;
        while (*p == ' ')
            p++;
        double w = strtod(p, &end);
        if (end == p)
            break;
        long back = 0;
        if (*end == '<') {
            p = end + 1;
            back = strtol(p, &end, 10);
        }
        p = end;
        if (!(w >= 0 && w <= 16))
            w = 1;
        if (back < 0 || back > i)
            back = 0;
        idf[i] = w * raw[i - back];
    }
    free(raw);
}

static struct bm25_query *query_data(const Fts5ExtensionApi *api, Fts5Context *fc,
                                     int nweight, sqlite3_value **weights, int *rc)
{
    struct bm25_query *q = api->xGetAuxdata(fc, 0);
    if (q)
        return q;
    int np = api->xPhraseCount(fc), ncol = api->xColumnCount(fc);
    q = sqlite3_malloc64(sizeof *q + (2 * (size_t)np + (size_t)ncol + 1) * sizeof(double));
    if (!q) {
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    q->nphrase = np;
    q->idf = (double *)(q + 1);
    q->freq = q->idf + np;
    q->weight = q->freq + np;
    /* Column weights are numbers; a text argument after them is the
     * phrase weights spec. */
    const char *spec = NULL;
    int ncolw = 0;
    for (int i = 0; i < nweight; i++) {
        int t = sqlite3_value_type(weights[i]);
        if (t == SQLITE_TEXT)
            spec = (const char *)sqlite3_value_text(weights[i]);
        else if (!spec && (t == SQLITE_INTEGER || t == SQLITE_FLOAT))
            ncolw = i + 1;
    }
    for (int i = 0; i < ncol; i++)
        q->weight[i] = i < ncolw ? sqlite3_value_double(weights[i]) : 1.0;
    sqlite3_int64 rows = 0, tokens = 0;
    *rc = api->xRowCount(fc, &rows);
    if (*rc == SQLITE_OK)
        *rc = api->xColumnTotalSize(fc, -1, &tokens);
    q->avgdl = rows > 0 ? (double)tokens / (double)rows : 1.0;
    if (q->avgdl <= 0)
        q->avgdl = 1.0;
    for (int i = 0; *rc == SQLITE_OK && i < np; i++) {
        sqlite3_int64 hits = 0;
        *rc = api->xQueryPhrase(fc, i, &hits, count_row);
        double idf = log(((double)rows - (double)hits + 0.5) / ((double)hits + 0.5));
        q->idf[i] = idf > 0 ? idf : 1e-6;
    }
    if (*rc == SQLITE_OK && spec && *spec)
        apply_phrase_weights(q->idf, np, spec);
    if (*rc == SQLITE_OK)
        *rc = api->xSetAuxdata(fc, q, sqlite3_free);
    else
        sqlite3_free(q);
    return *rc == SQLITE_OK ? q : NULL;
}

/* The row's length from its %_docsize blob: one SQLite varint per column.
 * -1 when the blob does not hold exactly ncol of them. */
static double docsize_tokens(sqlite3_value *v, int ncol)
{
    if (sqlite3_value_type(v) != SQLITE_BLOB)
        return -1;
    return bm25_docsize_tokens(sqlite3_value_blob(v), sqlite3_value_bytes(v), ncol);
}

double bm25_docsize_tokens(const void *blob, int n, int ncol)
{
    const unsigned char *p = blob;
    int at = 0, cols = 0;
    double total = 0;
    while (at < n) {
        unsigned long x = 0;
        int len = 0;
        do { /* counts fit in 4 bytes; 5 allows any 32-bit value */
            if (at >= n || len == 5)
                return -1;
            x = (x << 7) | (p[at] & 0x7f);
            len++;
        } while (p[at++] & 0x80);
        total += (double)x;
        cols++;
    }
    return cols == ncol ? total : -1;
}

static void bm25_func(const Fts5ExtensionApi *api, Fts5Context *fc, sqlite3_context *ctx,
                      int nval, sqlite3_value **val)
{
    if (nval < 1) {
        sqlite3_result_error(ctx, "shucu_bm25(table, docsize, weight, ...)", -1);
        return;
    }
    int rc = SQLITE_OK, ninst = 0;
    struct bm25_query *q = query_data(api, fc, nval - 1, val + 1, &rc);
    if (q)
        rc = api->xInstCount(fc, &ninst);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    memset(q->freq, 0, (size_t)q->nphrase * sizeof(double));
    for (int i = 0; i < ninst; i++) {
        int phrase, col, off;
        if ((rc = api->xInst(fc, i, &phrase, &col, &off)) != SQLITE_OK) {
            sqlite3_result_error_code(ctx, rc);
            return;
        }
        q->freq[phrase] += q->weight[col];
    }
    double len = docsize_tokens(val[0], api->xColumnCount(fc));
    if (len < 0) {
        int ntok = 0;
        if ((rc = api->xColumnSize(fc, -1, &ntok)) != SQLITE_OK) {
            sqlite3_result_error_code(ctx, rc);
            return;
        }
        len = ntok;
    }
    double score = 0;
    for (int i = 0; i < q->nphrase; i++)
        score += q->idf[i] * ((q->freq[i] * (K1 + 1.0)) /
                              (q->freq[i] + K1 * (1 - B + B * len / q->avgdl)));
    sqlite3_result_double(ctx, -1.0 * score);
}

/* The IDFs of r's phrases, computed on the first row of the first
 * statement that uses r and kept in r for the next ones. */
static int rank_prepare(const Fts5ExtensionApi *api, Fts5Context *fc, struct bm25_rank *r)
{
    if (r->ready)
        return SQLITE_OK;
    if (r->off < 0 || r->n < 0 || r->n > BM25_RANK_MAX || r->off + r->n > api->xPhraseCount(fc))
        return SQLITE_ERROR;
    sqlite3_int64 rows = 0, tokens = 0;
    int rc = api->xRowCount(fc, &rows);
    if (rc == SQLITE_OK)
        rc = api->xColumnTotalSize(fc, -1, &tokens);
    if (rc != SQLITE_OK)
        return rc;
    r->avgdl = rows > 0 ? (double)tokens / (double)rows : 1.0;
    if (r->avgdl <= 0)
        r->avgdl = 1.0;
    for (int i = 0; i < r->n; i++) {
        sqlite3_int64 hits = r->hits[i];
        if (hits < 0) { /* not given: counted as bm25() counts it */
            hits = 0;
            if ((rc = api->xQueryPhrase(fc, r->off + i, &hits, count_row)) != SQLITE_OK)
                return rc;
            r->hits[i] = (long)hits;
        }
        double idf = log(((double)rows - (double)hits + 0.5) / ((double)hits + 0.5));
        r->idf[i] = idf > 0 ? idf : 1e-6;
    }
    if (r->spec && *r->spec)
        apply_phrase_weights(r->idf, r->n, r->spec);
    for (int i = 0; i < r->ncol && i < BM25_RANK_COLS; i++)
        r->colw[i] = r->colw_in && i < r->ncolw ? r->colw_in[i] : 1.0;
    r->rows = (long)rows;
    r->ready = 1;
    return SQLITE_OK;
}

static void rank_func(const Fts5ExtensionApi *api, Fts5Context *fc, sqlite3_context *ctx,
                      int nval, sqlite3_value **val)
{
    struct bm25_rank *r = nval == 2 ? sqlite3_value_pointer(val[1], BM25_RANK_PTR) : NULL;
    if (!r) {
        sqlite3_result_error(ctx, "shucu_rank(table, docsize, ctx)", -1);
        return;
    }
    int ncol = api->xColumnCount(fc);
    r->ncol = ncol;
    int rc = ncol <= BM25_RANK_COLS ? rank_prepare(api, fc, r) : SQLITE_ERROR;
    double freq[BM25_RANK_MAX];
    for (int i = 0; rc == SQLITE_OK && i < r->n; i++) {
        Fts5PhraseIter it;
        int col = 0, off = 0;
        double f = 0;
        rc = api->xPhraseFirst(fc, r->off + i, &it, &col, &off);
        for (; rc == SQLITE_OK && col >= 0; api->xPhraseNext(fc, &it, &col, &off))
            f += r->colw[col];
        freq[i] = f;
    }
    double len = -1;
    if (rc == SQLITE_OK && r->lens) {
        sqlite3_int64 rowid = api->xRowid(fc);
        if (rowid >= 0 && rowid < r->nlens && r->lens[rowid])
            len = (double)(r->lens[rowid] - 1);
    }
    if (rc == SQLITE_OK && len < 0)
        len = docsize_tokens(val[0], ncol);
    if (rc == SQLITE_OK && len < 0) {
        int ntok = 0;
        rc = api->xColumnSize(fc, -1, &ntok);
        len = ntok;
    }
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    /* bm25_func's sum, phrase by phrase in the same order: the same double */
    double score = 0;
    for (int i = 0; i < r->n; i++)
        score += r->idf[i] * ((freq[i] * (K1 + 1.0)) / (freq[i] + K1 * (1 - B + B * len / r->avgdl)));
    r->rows_scored++;
    sqlite3_result_double(ctx, -1.0 * score);
}

int bm25_phrases(const char *expr, int (*at)[2], int max)
{
    int n = 0;
    const char *p = expr;
    while (*p) {
        if (*p == ' ' || *p == '(' || *p == ')') {
            p++;
        } else if (*p == '"') {
            const char *s = p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    p += 2;
                    continue;
                }
                if (*p++ == '"')
                    break;
            }
            if (*p == '*')
                p++;
            if (n < max) {
                at[n][0] = (int)(s - expr);
                at[n][1] = (int)(p - s);
            }
            n++;
        } else if (strncmp(p, "AND", 3) == 0 || strncmp(p, "NOT", 3) == 0) {
            p += 3;
        } else if (strncmp(p, "OR", 2) == 0) {
            p += 2;
        } else {
            return -1;
        }
    }
    return n;
}

double bm25_rank_bound(const struct bm25_rank *r, int i)
{
    return r->ready && i >= 0 && i < r->n ? r->idf[i] * (K1 + 1.0) : HUGE_VAL;
}

int bm25_register(sqlite3 *db)
{
    fts5_api *api = tok_fts5_api(db);
    if (!api)
        return SQLITE_ERROR;
    int rc = api->xCreateFunction(api, "shucu_bm25", NULL, bm25_func, NULL);
    if (rc == SQLITE_OK)
        rc = api->xCreateFunction(api, "shucu_rank", NULL, rank_func, NULL);
    return rc;
}
