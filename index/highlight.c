/*
 * highlight.c - the shucu_highlight() auxiliary function (see highlight.h).
 */
#include "highlight.h"

#include "tokenizer.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct span {
    int start, end; /* bytes */
};

struct tokens {
    struct span *v;
    int n, cap;
};

static int on_token(void *ctx, int flags, const char *tok, int ntok, int start, int end)
{
    struct tokens *t = ctx;
    (void)tok;
    (void)ntok;
    if (flags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 64;
        struct span *v = realloc(t->v, (size_t)cap * sizeof *v);
        if (!v)
            return SQLITE_NOMEM;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = (struct span){start, end};
    return SQLITE_OK;
}

static int span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return x->start != y->start ? (x->start < y->start ? -1 : 1)
                                : (x->end < y->end ? -1 : x->end > y->end);
}

static void hl_func(const Fts5ExtensionApi *api, Fts5Context *fc, sqlite3_context *ctx,
                    int nval, sqlite3_value **val)
{
    if (nval != 1) {
        sqlite3_result_error(ctx, "shucu_highlight(table, column)", -1);
        return;
    }
    int col = sqlite3_value_int(val[0]);
    const char *text;
    int n;
    int rc = api->xColumnText(fc, col, &text, &n);
    if (rc != SQLITE_OK || !text) {
        sqlite3_result_error_code(ctx, rc ? rc : SQLITE_ERROR);
        return;
    }
    struct tokens t = {0};
    struct span *r = NULL;
    char *out = NULL;
    int ninst = 0, nr = 0;
    rc = api->xTokenize(fc, text, n, &t, on_token);
    if (rc == SQLITE_OK)
        rc = api->xInstCount(fc, &ninst);
    if (rc == SQLITE_OK && ninst > 0) {
        r = malloc((size_t)ninst * sizeof *r);
        if (!r)
            rc = SQLITE_NOMEM;
    }
    for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
        int phrase, icol, off;
        rc = api->xInst(fc, i, &phrase, &icol, &off);
        if (rc != SQLITE_OK || icol != col)
            continue;
        int last = off + api->xPhraseSize(fc, phrase) - 1;
        if (off < 0 || off >= t.n)
            continue;
        if (last >= t.n)
            last = t.n - 1;
        r[nr++] = (struct span){t.v[off].start, t.v[last].end};
    }
    if (rc == SQLITE_OK) {
        qsort(r, (size_t)nr, sizeof *r, span_cmp);
        out = malloc((size_t)n + 2 * (size_t)nr + 1);
        if (!out)
            rc = SQLITE_NOMEM;
    }
    if (rc == SQLITE_OK) {
        int pos = 0, o = 0;
        for (int i = 0; i < nr; i++) {
            int s = r[i].start, e = r[i].end;
            while (i + 1 < nr && r[i + 1].start <= e) { /* merge overlaps */
                if (r[i + 1].end > e)
                    e = r[i + 1].end;
                i++;
            }
            if (s < pos)
                s = pos;
            if (e <= s)
                continue;
            memcpy(out + o, text + pos, (size_t)(s - pos));
            o += s - pos;
            out[o++] = '\x01';
            memcpy(out + o, text + s, (size_t)(e - s));
            o += e - s;
            out[o++] = '\x02';
            pos = e;
        }
        memcpy(out + o, text + pos, (size_t)(n - pos));
        o += n - pos;
        sqlite3_result_text(ctx, out, o, free);
        out = NULL;
    } else {
        sqlite3_result_error_code(ctx, rc);
    }
    free(out);
    free(r);
    free(t.v);
}

int hl_register(sqlite3 *db)
{
    fts5_api *api = tok_fts5_api(db);
    if (!api)
        return SQLITE_ERROR;
    return api->xCreateFunction(api, "shucu_highlight", NULL, hl_func, NULL);
}
