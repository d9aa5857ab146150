/*
 * lexicon.c - the problem-phrase lexicon (see lexicon.h): loading and
 * checking schemas/lexicon.json, and finding its phrases in a text.
 *
 * Layout.  All strings of the file live in one pool owned by the lexicon
 * (the entries point into it).  `order` lists the entries sorted by the
 * bytes of their phrase's first two characters (their "head"), so the
 * phrases that can start at a text position are a range found by binary
 * search on the two characters found there.
 *
 * Finding.  The text is folded (tok_fold) and walked one character at a
 * time; at each position the range of phrases with that head is compared.
 * Matches contained in a longer match (same or wider span) are dropped,
 * then each remaining match votes (lexicon.h).
 */
#include "lexicon.h"

#include "tokenizer.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lexicon {
    struct lex_entry *e;
    int n;
    int *order;    /* entry indexes sorted by head */
    int *headlen;  /* bytes of each entry's head */
    char **strs;   /* every string allocated for the entries */
    int nstrs, scap;
};

static int utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Bytes of the first two characters of s[0..n) (fewer if s is shorter). */
static int head_bytes(const char *s, size_t n)
{
    size_t a = 0;
    for (int k = 0; k < 2 && a < n; k++)
        a += (size_t)utf8_len((unsigned char)s[a]);
    return (int)(a < n ? a : n);
}

/* Characters in s (UTF-8 lead bytes). */
static int char_count(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

__attribute__((format(printf, 3, 4))) static void lex_err(char *err, size_t errlen,
                                                          const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void lex_free(struct lexicon *lx)
{
    if (!lx)
        return;
    for (int i = 0; i < lx->nstrs; i++)
        free(lx->strs[i]);
    free(lx->strs);
    free(lx->e);
    free(lx->order);
    free(lx->headlen);
    free(lx);
}

/* Keeps s (malloc'd, may be NULL) in the lexicon; returns it, NULL on
 * out-of-memory (s is then freed). */
static char *keep_str(struct lexicon *lx, char *s)
{
    if (!s)
        return NULL;
    if (lx->nstrs == lx->scap) {
        int cap = lx->scap ? lx->scap * 2 : 256;
        char **v = realloc(lx->strs, (size_t)cap * sizeof *v);
        if (!v) {
            free(s);
            return NULL;
        }
        lx->strs = v;
        lx->scap = cap;
    }
    lx->strs[lx->nstrs++] = s;
    return s;
}

static const struct lexicon *sort_lx; /* qsort has no context argument */

static int head_cmp(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    int la = sort_lx->headlen[a], lb = sort_lx->headlen[b];
    int c = memcmp(sort_lx->e[a].phrase, sort_lx->e[b].phrase, (size_t)(la < lb ? la : lb));
    if (c)
        return c;
    return la != lb ? la - lb : a - b;
}

/* Reads entry i of the file into lx->e[i]; 0, or -1 with err written. */
static int load_entry(struct lexicon *lx, const char *path, json_t *ent, int i,
                      const char *const *codes, int ncodes, char *err, size_t errlen)
{
    struct lex_entry *e = &lx->e[i];
    json_t *ph = json_object_get(ent, "phrase"), *sc = json_object_get(ent, "scenarios");
    json_t *tm = json_object_get(ent, "terms"), *ex = json_object_get(ent, "example");
    json_t *wt = json_object_get(ent, "weight");
    if (!json_is_object(ent) || !json_is_string(ph) || !json_is_array(sc) ||
        !json_is_array(tm) || !json_is_string(ex)) {
        lex_err(err, errlen,
                "%s: entries[%d] must be an object with \"phrase\", \"scenarios\", \"terms\" "
                "and \"example\"", path, i);
        return -1;
    }
    e->phrase = keep_str(lx, tok_fold(json_string_value(ph), json_string_length(ph)));
    e->example = keep_str(lx, tok_fold(json_string_value(ex), json_string_length(ex)));
    if (!e->phrase || !e->example) {
        lex_err(err, errlen, "%s: out of memory", path);
        return -1;
    }
    if (char_count(e->phrase) < 2) {
        lex_err(err, errlen, "%s: entries[%d].phrase \"%s\" is shorter than 2 characters",
                path, i, e->phrase);
        return -1;
    }
    if (!strstr(e->example, e->phrase)) {
        lex_err(err, errlen, "%s: entries[%d].example does not contain its phrase \"%s\"", path,
                i, e->phrase);
        return -1;
    }
    size_t ns = json_array_size(sc);
    if (ns < 1 || ns > 2) {
        lex_err(err, errlen, "%s: entries[%d].scenarios must hold 1 or 2 codes", path, i);
        return -1;
    }
    for (size_t k = 0; k < ns; k++) {
        const char *code = json_string_value(json_array_get(sc, k));
        int found = -1;
        for (int c = 0; code && c < ncodes && c < LEX_MAX_SCENARIOS; c++)
            if (strcmp(codes[c], code) == 0)
                found = c;
        if (found < 0) {
            lex_err(err, errlen, "%s: entries[%d].scenarios[%zu] \"%s\" is not a scenario code",
                    path, i, k, code ? code : "(not a string)");
            return -1;
        }
        e->scenarios[k] = found;
    }
    e->nscenarios = (int)ns;
    size_t nt = json_array_size(tm);
    if (nt < 1 || nt > LEX_MAX_TERMS) {
        lex_err(err, errlen, "%s: entries[%d].terms must hold 1 to %d strings", path, i,
                LEX_MAX_TERMS);
        return -1;
    }
    for (size_t k = 0; k < nt; k++) {
        json_t *t = json_array_get(tm, k);
        if (!json_is_string(t) || json_string_length(t) == 0) {
            lex_err(err, errlen, "%s: entries[%d].terms[%zu] is not a non-empty string", path,
                    i, k);
            return -1;
        }
        if (!(e->terms[k] = keep_str(lx, strdup(json_string_value(t))))) {
            lex_err(err, errlen, "%s: out of memory", path);
            return -1;
        }
    }
    e->nterms = (int)nt;
    e->weight = 1.0;
    if (wt) {
        double w = json_is_number(wt) ? json_number_value(wt) : -1;
        if (!(w > 0 && w <= 1)) {
            lex_err(err, errlen, "%s: entries[%d].weight must be a number in (0, 1]", path, i);
            return -1;
        }
        e->weight = w;
    }
    return 0;
}

int lex_load(const char *path, const char *const *codes, int ncodes, struct lexicon **out,
             char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *ents;
    struct lexicon *lx = NULL;
    int rc = -1;

    *out = NULL;
    if (!root) {
        lex_err(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        return -1;
    }
    ents = json_object_get(root, "entries");
    if (!json_is_object(root) || !json_is_integer(json_object_get(root, "version")) ||
        json_integer_value(json_object_get(root, "version")) != 1 || !json_is_array(ents) ||
        json_array_size(ents) == 0 || json_array_size(ents) > 100000) {
        lex_err(err, errlen, "%s: expected an object with \"version\": 1 and a non-empty array "
                "\"entries\"", path);
        goto done;
    }
    lx = calloc(1, sizeof *lx);
    size_t n = json_array_size(ents);
    if (lx) {
        lx->e = calloc(n, sizeof *lx->e);
        lx->order = malloc(n * sizeof *lx->order);
        lx->headlen = malloc(n * sizeof *lx->headlen);
    }
    if (!lx || !lx->e || !lx->order || !lx->headlen) {
        lex_err(err, errlen, "%s: out of memory", path);
        goto done;
    }
    lx->n = (int)n;
    for (int i = 0; i < lx->n; i++) {
        if (load_entry(lx, path, json_array_get(ents, (size_t)i), i, codes, ncodes, err,
                       errlen) < 0)
            goto done;
        for (int k = 0; k < i; k++)
            if (strcmp(lx->e[k].phrase, lx->e[i].phrase) == 0) {
                lex_err(err, errlen, "%s: entries[%d].phrase \"%s\" repeats entries[%d]", path,
                        i, lx->e[i].phrase, k);
                goto done;
            }
        lx->order[i] = i;
        lx->headlen[i] = head_bytes(lx->e[i].phrase, strlen(lx->e[i].phrase));
    }
    sort_lx = lx;
    qsort(lx->order, n, sizeof *lx->order, head_cmp);
    *out = lx;
    lx = NULL;
    rc = 0;
done:
    lex_free(lx);
    json_decref(root);
    return rc;
}

int lex_count(const struct lexicon *lx)
{
    return lx ? lx->n : 0;
}

const struct lex_entry *lex_entry(const struct lexicon *lx, int i)
{
    return lx && i >= 0 && i < lx->n ? &lx->e[i] : NULL;
}

/* The first position in order whose head is >= key[0..klen). */
static int lower_bound(const struct lexicon *lx, const char *key, int klen)
{
    int lo = 0, hi = lx->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2, e = lx->order[mid], hl = lx->headlen[e];
        int c = memcmp(lx->e[e].phrase, key, (size_t)(hl < klen ? hl : klen));
        if (c < 0 || (c == 0 && hl < klen))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int add_match(struct lex_result *r, int *cap, int entry, int start, int end)
{
    if (r->n == *cap) {
        int c = *cap ? *cap * 2 : 16;
        struct lex_match *v = realloc(r->m, (size_t)c * sizeof *v);
        if (!v)
            return -1;
        r->m = v;
        *cap = c;
    }
    r->m[r->n++] = (struct lex_match){entry, start, end};
    return 0;
}

int lex_infer(const struct lexicon *lx, const char *text, size_t len, struct lex_result *out)
{
    int cap = 0;
    memset(out, 0, sizeof *out);
    if (!lx || !text || !len)
        return 0;
    char *t = tok_fold(text, len);
    if (!t)
        return -1;
    size_t tl = strlen(t);
    for (size_t i = 0; i < tl; i += (size_t)utf8_len((unsigned char)t[i])) {
        int hl = head_bytes(t + i, tl - i);
        for (int k = lower_bound(lx, t + i, hl); k < lx->n; k++) {
            int e = lx->order[k];
            if (lx->headlen[e] != hl || memcmp(lx->e[e].phrase, t + i, (size_t)hl) != 0)
                break;
            size_t pl = strlen(lx->e[e].phrase);
            if (pl <= tl - i && memcmp(lx->e[e].phrase, t + i, pl) == 0 &&
                add_match(out, &cap, e, (int)i, (int)(i + pl)) < 0) {
                free(t);
                lex_result_free(out);
                return -1;
            }
        }
    }
    free(t);
    /* Drop a match that lies inside a longer one; the rest vote. */
    int kept = 0;
    for (int a = 0; a < out->n; a++) {
        const struct lex_match *m = &out->m[a];
        int inside = 0;
        for (int b = 0; b < out->n && !inside; b++) {
            const struct lex_match *o = &out->m[b];
            inside = b != a && o->start <= m->start && m->end <= o->end &&
                     o->end - o->start > m->end - m->start;
        }
        if (!inside)
            out->m[kept++] = *m;
    }
    out->n = kept;
    for (int a = 0; a < out->n; a++) {
        const struct lex_entry *e = &lx->e[out->m[a].entry];
        for (int s = 0; s < e->nscenarios; s++)
            out->votes[e->scenarios[s]] += s == 0 ? e->weight : 0.5 * e->weight;
    }
    return 0;
}

void lex_result_free(struct lex_result *r)
{
    if (!r)
        return;
    free(r->m);
    memset(r, 0, sizeof *r);
}

double lex_strength(const struct lex_result *r, int i)
{
    if (i < 0 || i >= LEX_MAX_SCENARIOS)
        return 0;
    return r->votes[i] > 1 ? 1 : r->votes[i];
}

int lex_top_scenario(const struct lex_result *r)
{
    int best = -1;
    for (int i = 0; i < LEX_MAX_SCENARIOS; i++)
        if (r->votes[i] > 0 && (best < 0 || r->votes[i] > r->votes[best]))
            best = i;
    return best;
}
