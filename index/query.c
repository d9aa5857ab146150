/*
 * query.c - synonym dictionary and MATCH-expression builder (see query.h).
 *
 * Units.  The text is first turned into units with tok_run: one unit per
 * Latin word, one per Han character (recovered from the bigrams: the
 * first bigram of a run gives two characters, every later one gives its
 * second).  Units keep their run number and original byte offsets.  A
 * unit's text is what the tokenizer produced, so Han units of one run sit
 * next to each other in the unit text buffer.
 *
 * Keys.  Dictionary terms are stored under a canonical key built from
 * their units: the units' text concatenated, with one space between two
 * adjacent Latin words ("opc ua", "5g专网", "制造执行系统").  The same key
 * is built from the query's units, so case, width and spacing never
 * matter.  Every proper prefix of a key is stored too (as SYN_PREFIX), so
 * the greedy longest match at one position stops as soon as no term can
 * continue: segmentation is linear in the text times the length of the
 * longest match, never quadratic.
 *
 * The key is also the phrase that goes inside the quotes of the MATCH
 * expression: FTS5 runs the shucu tokenizer on it and gets the same
 * tokens as the document had.  Keys hold only tokenizer output (Han
 * characters, a-z, 0-9, spaces), so quoting them is always safe; the
 * quoting still doubles '"' so that it stays safe if that ever changes.
 *
 * Segmentation is forward maximum matching over units; a match may span
 * a space or a change of script (OPC UA, 5G专网, MES系统), since the
 * phrase of the matched term is what is searched.
 *
 * Filler words (QUERY_FILLERS_*) are segmented like dictionary words and
 * then dropped unless nothing else is left.  They are the words a factory
 * owner wraps a request in (我们想找一套...软件), not the request.
 *
 * Memory: every allocation is checked; failures return -ENOMEM and the
 * builder frees everything through one cleanup path.
 */
#include "qtext.h"

#include "hash.h"

#include "pinyin.h"
#include "tokenizer.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

/* Single characters that are dropped from the edges of an unknown Han
 * phrase and drop a phrase made only of them (想上). */
const char16_t QUERY_FILLER_CHARS[] =
    u"想要找上买做用的了和与及在给把个套款家请我你他她它有是吗呢吧啊么等或之";

/* Particles: an unknown Han phrase is cut at them (便宜的能耗 -> 便宜, 能耗)
 * and QUERY_ANY builds no bigram that contains one (的质, 量的).  Each is
 * also in QUERY_FILLER_CHARS. */
const char16_t QUERY_PARTICLES[] = u"的了吗呢吧啊么之和与及或";

/* ---- the builder --------------------------------------------------------- */

/* Appends "key" (with '"' doubled) and a * for a single Han character. */
int render_phrase(struct buf *b, const char *key, int klen)
{
    int rc = buf_add(b, "\"", 1);
    for (int i = 0, j = 0; rc == 0 && i <= klen; i++) {
        if (i < klen && key[i] != '"')
            continue;
        rc = buf_add(b, key + j, (size_t)(i - j));
        if (rc == 0 && i < klen)
            rc = buf_add(b, "\"\"", 2);
        j = i + 1;
    }
    if (rc == 0)
        rc = buf_str(b, key_is_char(key, klen) ? "\"*" : "\"");
    return rc;
}

/* The key of dictionary term t; its length goes to *klen. */
const char *term_key(const struct builder *b, int t, int *klen)
{
    *klen = b->syn->terms[t].klen;
    return b->syn->map.pool.p + b->syn->terms[t].key;
}

/* Calls back one token at a time to find the rarest token of a phrase. */
struct df_min {
    const struct query_opts *o;
    long min;
};

static int df_on_token(void *ctx, int run, const char *tok, int len, int start,
                       int end)
{
    struct df_min *d = ctx;
    long df = d->o->df(d->o->df_ctx, tok, len);
    if (df < 0)
        df = 0;
    if (d->min < 0 || df < d->min)
        d->min = df;
    return d->min == 0;
}

/* Estimated df of one phrase (its rarest token's); -1 when unknown (a
 * single Han character, searched as a prefix). */
long phrase_df(const struct query_opts *o, const char *key, int klen)
{
    struct df_min d = {o, -1};
    if (key_is_char(key, klen))
        return -1;
    tok_run(key, klen, df_on_token, &d);
    return d.min;
}

/* Estimated df of a term with its synonyms: the largest of its phrases'
 * (synonyms mostly occur together, so the union is close to the largest). */
long term_df(const struct builder *b, int term, const char *key, int klen)
{
    const struct syn *s = b->syn;
    long best = -1;

    if (term < 0)
        return phrase_df(b->o, key, klen);
    for (int a = 0; a < s->terms[term].nalts; a++) {
        int t = s->alts[s->terms[term].alt0 + a];
        long df = phrase_df(b->o, s->map.pool.p + s->terms[t].key, s->terms[t].klen);
        best = df > best ? df : best;
    }
    return best;
}

/*
 * Stores in order[] the terms whose phrases stand for term: itself first,
 * then its synonyms, at most QUERY_MAX_ALTS.
 * Returns how many.
 */
int term_order(const struct syn *s, int term, int order[QUERY_MAX_ALTS])
{
    const int *alts = s->alts + s->terms[term].alt0;
    int n = 0, nalts = s->terms[term].nalts;

    /* The term the user typed always stands first, even when a shorter
     * synonym covers it: highlight() then marks the whole typed word. */
    order[n++] = term;
    for (int a = 0; a < nalts && n < QUERY_MAX_ALTS; a++)
        if (alts[a] != term)
            order[n++] = alts[a];
    return n;
}

/* Renders term (or the plain phrase key when term < 0) into b->piece:
 * one phrase, or a parenthesised OR group when the term has synonyms. */
int render_term(struct builder *b, int term, const char *key, int klen, double w)
{
    int order[QUERY_MAX_ALTS], n, rc = 0;

    b->piece.len = 0;
    b->pw[0] = (struct phrase_w){w, 0};
    b->npw = 1;
    if (term < 0)
        return render_phrase(&b->piece, key, klen);
    n = term_order(b->syn, term, order);
    for (int i = 1; i < n; i++)
        b->pw[i] = (struct phrase_w){w * QUERY_SYN_WEIGHT, i};
    b->npw = n;
    if (n > 1)
        rc = buf_add(&b->piece, "(", 1);
    for (int i = 0; rc == 0 && i < n; i++) {
        int tl;
        const char *tk = term_key(b, order[i], &tl);
        if (i > 0)
            rc = buf_add(&b->piece, " OR ", 4);
        rc = rc ? rc : render_phrase(&b->piece, tk, tl);
    }
    return rc == 0 && n > 1 ? buf_add(&b->piece, ")", 1) : rc;
}

/* Writes the phrase weights of b->piece (b->pw) into b->pwts as text:
 * "1 0.5<1 0.5<2" (bm25.h). */
static int piece_weights(struct builder *b)
{
    char item[48];
    b->pwts.len = 0;
    for (int i = 0; i < b->npw; i++) {
        int n = b->pw[i].back > 0
                    ? snprintf(item, sizeof item, "%s%.4g<%d", i ? " " : "", b->pw[i].w,
                               b->pw[i].back)
                    : snprintf(item, sizeof item, "%s%.4g", i ? " " : "", b->pw[i].w);
        if (buf_add(&b->pwts, item, (size_t)n) != 0)
            return -ENOMEM;
    }
    return 0;
}

/* Appends b->piece to the expression after sep unless it is already there
 * or would make it longer than QUERY_MAX_EXPR; its phrase weights (b->pw)
 * go to b->wts.  Returns 2 if appended, 1 if already there, 0 if skipped,
 * -ENOMEM. */
int expr_append(struct builder *b, const char *sep)
{
    size_t seplen = b->expr.len ? strlen(sep) : 0;
    uint32_t h = hash_fnv1a(HASH_FNV_INIT, b->piece.p, b->piece.len);
    int slot, rc;

    if (map_find(&b->seen, b->piece.p, (int)b->piece.len, h) >= 0)
        return 1;
    if (b->expr.len + seplen + b->piece.len > QUERY_MAX_EXPR)
        return 0;
    if ((rc = map_put(&b->seen, b->piece.p, (int)b->piece.len, h, 0, &slot)) < 0)
        return rc;
    if (buf_add(&b->expr, sep, seplen) != 0 ||
        buf_add(&b->expr, b->piece.p, b->piece.len) != 0 || piece_weights(b) != 0 ||
        (b->wts.len && buf_add(&b->wts, " ", 1) != 0) ||
        buf_add(&b->wts, b->pwts.p, b->pwts.len) != 0)
        return -ENOMEM;
    b->nphrase += b->npw;
    return 2;
}

/* Adds a term to the answer's terms, with its IDF (0 when unknown). */
int terms_add(struct builder *b, const char *key, int klen, double idf)
{
    json_t *v = json_stringn(key, (size_t)klen);
    if (v == NULL || json_array_append_new(b->terms, v) != 0 ||
        array_grow(&b->idf, &b->icap, b->nidf + 1, sizeof *b->idf) != 0)
        return -ENOMEM;
    b->idf[b->nidf++] = idf;
    return 0;
}

/* IDF of a document frequency as the builder scores terms. */
double idf_of(const struct query_opts *o, long df)
{
    if (o->df == NULL || o->ndocs <= 0)
        return 0;
    double d = df < 0 ? 1 : df > o->ndocs ? (double)o->ndocs : (double)df;
    return log(1.0 + ((double)o->ndocs - d + 0.5) / (d + 0.5));
}

/* ---- QUERY_ALL ----------------------------------------------------------- */

/* 1 if dictionary terms a and b have the same synonyms (MES, 制造执行系统). */
static int syn_same(const struct syn *s, int a, int b)
{
    if (a < 0 || b < 0 || s->terms[a].nalts != s->terms[b].nalts)
        return 0;
    return memcmp(s->alts + s->terms[a].alt0, s->alts + s->terms[b].alt0,
                  (size_t)s->terms[a].nalts * sizeof *s->alts) == 0;
}

/* Adds the segment of units [u0, u0 + nu) unless one with the same key or
 * the same synonyms exists. */
static int seg_add(struct builder *b, int u0, int nu, int term, int filler)
{
    char key[KEY_MAX];
    int klen;

    if (term >= 0) {
        const char *tk = term_key(b, term, &klen);
        memcpy(key, tk, (size_t)klen);
    } else {
        klen = key_build(key, &b->u, u0, nu < QUERY_PHRASE_MAX ? nu : QUERY_PHRASE_MAX);
    }
    for (int i = 0; i < b->nsegs; i++)
        if ((b->segs[i].klen == klen &&
             memcmp(b->keys.p + b->segs[i].key, key, (size_t)klen) == 0) ||
            syn_same(b->syn, b->segs[i].term, term))
            return 0;
    if (array_grow(&b->segs, &b->scap, b->nsegs + 1, sizeof *b->segs) != 0)
        return -ENOMEM;
    b->segs[b->nsegs++] =
        (struct seg){u0, nu, term, filler, (int)b->keys.len, klen, -1, 1};
    return buf_add(&b->keys, key, (size_t)klen);
}

/* Adds units [a, e) as phrases after stripping filler characters from its
 * edges while two characters remain; cuts it into phrases of at most
 * QUERY_PHRASE_MAX characters of about equal length. */
static int seg_add_piece(struct builder *b, int a, int e)
{
    int rc = 0;

    while (e - a > 2 && unit_in(&b->u, a, QUERY_FILLER_CHARS))
        a++;
    while (e - a > 2 && unit_in(&b->u, e - 1, QUERY_FILLER_CHARS))
        e--;
    int pieces = (e - a + QUERY_PHRASE_MAX - 1) / QUERY_PHRASE_MAX;
    int size = (e - a + pieces - 1) / pieces;
    for (int p = a; rc == 0 && p < e; p += size)
        rc = seg_add(b, p, e - p < size ? e - p : size, -1, 0);
    return rc;
}

/* Characters of units [a, e) that are not filler characters. */
static int plain_chars(const struct units *u, int a, int e)
{
    int n = 0;
    for (int i = a; i < e; i++)
        n += !unit_in(u, i, QUERY_FILLER_CHARS);
    return n;
}

/*
 * Adds the unknown Han stretch of units [a, e) (one run).  Made only of
 * filler characters (想上), it is kept as a filler.  Otherwise it is cut
 * at particles (便宜的能耗 -> 便宜, 能耗); pieces made only of filler
 * characters are dropped, and so is a piece of one character when a
 * longer piece is kept (else it is searched as a prefix).  Something is
 * always kept.
 */
static int seg_add_phrase(struct builder *b, int a, int e)
{
    int longer = 0, rc = 0;

    if (a >= e)
        return 0;
    if (plain_chars(&b->u, a, e) == 0)
        return seg_add(b, a, e - a, -1, FILL_STOP);
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (int p = a, q; rc == 0 && p < e; p = q + 1) {
            for (q = p; q < e && !unit_in(&b->u, q, QUERY_PARTICLES); q++)
                ;
            if (plain_chars(&b->u, p, q) == 0)
                continue;
            if (pass == 0)
                longer |= q - p >= 2;
            else if (q - p >= 2 || !longer)
                rc = seg_add_piece(b, p, q);
        }
    }
    return rc;
}

/*
 * The filler word (length returned, its kind in *fill) and the dictionary
 * term (length in *ld, term in *term) that start at unit i.  A protected
 * word (keep_len) longer than both is marked in the units and extends
 * *kend, the end of the protected span: no filler word starts inside it.
 */
int seg_lookup(struct builder *b, int i, int *kend, int *ld, int *term, int *fill)
{
    struct units *u = &b->u;
    int stop, lf, lk;

    *ld = dict_len(b->syn, u, i, term);
    if (i < *kend) {
        *fill = 0;
        return 0;
    }
    lf = filler_len(u, i, &stop);
    lk = keep_len(u, i);
    if (lk > *ld && lk > lf) {
        for (int k = i; k < i + lk; k++)
            u->v[k].keep = 1;
        *kend = i + lk;
        *fill = 0;
        return 0;
    }
    *fill = stop ? FILL_STOP : FILL_GENERIC;
    return lf;
}

/* Greedy longest-match segmentation of the units into b->segs. */
static int all_segment(struct builder *b)
{
    const struct units *u = &b->u;
    int rem = -1, rc = 0, kend = 0;

    for (int i = 0; rc == 0 && i < u->n;) {
        int term, ld, fill, lf = seg_lookup(b, i, &kend, &ld, &term, &fill);
        int han = u->v[i].kind == UNIT_HAN;
        if (rem >= 0 && (ld > 0 || lf > 0 || !han || u->v[i].run != u->v[rem].run)) {
            rc = seg_add_phrase(b, rem, i);
            rem = -1;
        }
        if (rc != 0)
            break;
        if (ld > 0 && ld >= lf) {
            rc = seg_add(b, i, ld, term, ld == lf ? fill : 0);
            i += ld;
        } else if (lf > 0) {
            rc = seg_add(b, i, lf, -1, fill);
            i += lf;
        } else if (!han) {
            rc = seg_add(b, i, 1, -1, 0);
            i++;
        } else {
            rem = rem < 0 ? i : rem;
            i++;
        }
    }
    if (rc == 0 && rem >= 0)
        rc = seg_add_phrase(b, rem, u->n);
    return rc;
}

#define ALIKE_MAX 256 /* characters that sound like one, at most */

/*
 * Corrects segment s, an unknown Han phrase of 2 to 4 characters that no
 * document holds (df 0), to the phrase one character away that sounds
 * alike (py_alike) with the largest df, if that is at least
 * max(1, correct_min_df): its key, df and dictionary term replace the
 * segment's, and b->corr_from/corr_to remember it.  One correction per
 * query.  0 or -ENOMEM.
 */
static int seg_correct(struct builder *b, struct seg *s)
{
    const struct query_opts *o = b->o;
    const struct units *u = &b->u;
    char cand[KEY_MAX], best[KEY_MAX];
    uint32_t alike[ALIKE_MAX];
    long best_df = 0, min_df = o->correct_min_df > 1 ? o->correct_min_df : 1;
    int blen = 0;

    if (!o->py || b->corr_from || s->term >= 0 || s->df != 0 || s->nu < 2 || s->nu > 4)
        return 0;
    for (int k = 0; k < s->nu; k++)
        if (u->v[s->u0 + k].kind != UNIT_HAN)
            return 0;
    for (int p = 0; p < s->nu; p++) {
        int n = py_alike(o->py, u->v[s->u0 + p].cp, alike, ALIKE_MAX);
        for (int a = 0; a < n; a++) {
            int clen = 0;
            for (int k = 0; k < s->nu; k++) {
                const struct unit *x = &u->v[s->u0 + k];
                if (k != p) {
                    memcpy(cand + clen, unit_text(u, s->u0 + k), (size_t)x->len);
                    clen += x->len;
                    continue;
                }
                uint32_t c = alike[a]; /* a Han character: 3 or 4 bytes */
                if (c < 0x10000) {
                    cand[clen++] = (char)(0xE0 | (c >> 12));
                } else {
                    cand[clen++] = (char)(0xF0 | (c >> 18));
                    cand[clen++] = (char)(0x80 | ((c >> 12) & 0x3F));
                }
                cand[clen++] = (char)(0x80 | ((c >> 6) & 0x3F));
                cand[clen++] = (char)(0x80 | (c & 0x3F));
            }
            long df = phrase_df(o, cand, clen);
            if (df > best_df) {
                best_df = df;
                memcpy(best, cand, (size_t)clen);
                blen = clen;
            }
        }
    }
    if (best_df < min_df)
        return 0;
    b->corr_from = strndup(b->keys.p + s->key, (size_t)s->klen);
    b->corr_to = strndup(best, (size_t)blen);
    if (!b->corr_from || !b->corr_to)
        return -ENOMEM;
    s->key = (int)b->keys.len;
    s->klen = blen;
    s->df = best_df;
    s->term = -1;
    if (b->syn) {
        int slot = map_find(&b->syn->map, best, blen, hash_fnv1a(HASH_FNV_INIT, best, (size_t)blen));
        if (slot >= 0 && b->syn->map.slots[slot].val != SYN_PREFIX)
            s->term = b->syn->map.slots[slot].val;
    }
    return buf_add(&b->keys, best, (size_t)blen);
}

static int seg_by_df(const void *pa, const void *pb)
{
    const struct seg *a = *(struct seg *const *)pa, *c = *(struct seg *const *)pb;
    long da = a->df < 0 ? 0 : a->df, dc = c->df < 0 ? 0 : c->df;
    if (da != dc)
        return da < dc ? -1 : 1;
    return a->u0 < c->u0 ? -1 : a->u0 > c->u0;
}

/* Drops fillers, too-common segments and segments past max_terms, never
 * all of them.  With no real word, generic fillers are searched (系统),
 * and with none of those either the stopwords are, and stop_only says so. */
static int all_select(struct builder *b, int max_terms)
{
    const struct query_opts *o = b->o;
    int real = 0, generic = 0, kept = 0, usedf = o->df != NULL && o->ndocs > 0;
    struct seg **v = NULL;

    for (int i = 0; i < b->nsegs; i++) {
        real += !b->segs[i].filler;
        generic += b->segs[i].filler == FILL_GENERIC;
    }
    b->stop_only = b->nsegs > 0 && !real && !generic;
    for (int i = 0; i < b->nsegs; i++) {
        struct seg *s = &b->segs[i];
        s->keep = real ? !s->filler : generic ? s->filler == FILL_GENERIC : 1;
        if (s->keep && usedf)
            s->df = term_df(b, s->term, b->keys.p + s->key, s->klen);
        if (s->keep && usedf && !s->filler && seg_correct(b, s) < 0)
            return -ENOMEM;
    }
    if (usedf && o->max_df_ratio > 0) {
        struct seg *rarest = NULL;
        for (int i = 0; i < b->nsegs; i++) {
            struct seg *s = &b->segs[i];
            if (!s->keep || s->df < 0 || s->df <= o->max_df_ratio * (double)o->ndocs)
                continue;
            if (rarest == NULL || s->df < rarest->df)
                rarest = s;
            s->keep = 0;
        }
        for (int i = 0; i < b->nsegs; i++)
            kept += b->segs[i].keep;
        if (kept == 0 && rarest != NULL)
            rarest->keep = 1;
    }
    kept = 0;
    for (int i = 0; i < b->nsegs; i++)
        kept += b->segs[i].keep;
    if (kept <= max_terms)
        return 0;
    if ((v = malloc((size_t)kept * sizeof *v)) == NULL)
        return -ENOMEM;
    kept = 0;
    for (int i = 0; i < b->nsegs; i++)
        if (b->segs[i].keep)
            v[kept++] = &b->segs[i];
    if (usedf)
        qsort(v, (size_t)kept, sizeof *v, seg_by_df);
    for (int i = max_terms; i < kept; i++)
        v[i]->keep = 0;
    free(v);
    return 0;
}

/* Keeps the piece just appended as one part of a QUERY_ALL query. */
static int part_add(struct builder *b, const char *key, int klen, long df, int dict)
{
    struct query_part *p;
    if (array_grow(&b->parts, &b->pcap, b->nparts + 1, sizeof *b->parts) != 0)
        return -ENOMEM;
    p = &b->parts[b->nparts];
    p->term = strndup(key, (size_t)klen);
    p->match = strndup(b->piece.p, b->piece.len);
    p->weights = strndup(b->pwts.p ? b->pwts.p : "", b->pwts.len);
    p->df = df;
    p->dict = dict;
    b->nparts++;
    return p->term && p->match && p->weights ? 0 : -ENOMEM;
}

static int query_all(struct builder *b, int max_terms)
{
    int rc;

    if ((rc = all_segment(b)) != 0 || (rc = all_select(b, max_terms)) != 0)
        return rc;
    for (int i = 0; i < b->nsegs; i++) {
        struct seg *s = &b->segs[i];
        if (!s->keep)
            continue;
        if ((rc = render_term(b, s->term, b->keys.p + s->key, s->klen, 1.0)) != 0)
            return rc;
        if ((rc = expr_append(b, " AND ")) < 0)
            return rc;
        if (rc == 2 && ((rc = terms_add(b, b->keys.p + s->key, s->klen, idf_of(b->o, s->df))) != 0 ||
                        (rc = part_add(b, b->keys.p + s->key, s->klen, s->df, s->term >= 0)) != 0))
            return rc;
    }
    return 0;
}

/* ---- entry points -------------------------------------------------------- */

int query_build(const char *text, size_t len, const struct query_opts *o,
                struct query *out)
{
    struct builder b = {0};
    int rc, max_terms;

    if (out == NULL)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    if (o == NULL || (text == NULL && len > 0))
        return -EINVAL;
    b.o = o;
    b.syn = o->syn;
    max_terms = o->max_terms > 0 ? o->max_terms : o->mode == QUERY_ANY ? 32 : 16;
    max_terms = max_terms < QUERY_MAX_TERMS ? max_terms : QUERY_MAX_TERMS;
    if ((b.terms = json_array()) == NULL) {
        rc = -ENOMEM;
        goto cleanup;
    }
    rc = units_collect(&b.u, text, len,
                       o->mode == QUERY_ANY ? QUERY_ANY_MAX_UNITS : QUERY_ALL_MAX_UNITS);
    if (rc != 0)
        goto cleanup;
    rc = o->mode == QUERY_ANY ? query_any(&b, max_terms) : query_all(&b, max_terms);
    if (rc != 0)
        goto cleanup;
    if (b.expr.len > 0) {
        out->match = b.expr.p;
        b.expr.p = NULL;
        out->weights = b.wts.p ? b.wts.p : strdup("");
        b.wts.p = NULL;
        if (out->weights == NULL) {
            rc = -ENOMEM;
            goto cleanup;
        }
    }
    out->terms = b.terms;
    b.terms = NULL;
    out->idf = b.idf;
    b.idf = NULL;
    out->nown = o->mode == QUERY_ANY ? b.nown : b.nidf;
    out->parts = b.parts;
    out->nparts = b.nparts;
    b.parts = NULL;
    b.nparts = 0;
    out->stop_only = b.stop_only;
    out->corrected_from = b.corr_from;
    out->corrected_to = b.corr_to;
    b.corr_from = b.corr_to = NULL;

cleanup:
    if (rc != 0)
        query_free(out);
    json_decref(b.terms);
    free(b.idf);
    for (int i = 0; i < b.nparts; i++) {
        free(b.parts[i].term);
        free(b.parts[i].match);
        free(b.parts[i].weights);
    }
    free(b.parts);
    free(b.wts.p);
    free(b.pwts.p);
    free(b.corr_from);
    free(b.corr_to);
    free(b.u.v);
    free(b.u.text.p);
    free(b.segs);
    free(b.keys.p);
    free(b.cands);
    map_free(&b.cmap);
    map_free(&b.seen);
    free(b.expr.p);
    free(b.piece.p);
    return rc;
}

void query_free(struct query *q)
{
    if (q == NULL)
        return;
    free(q->match);
    free(q->weights);
    json_decref(q->terms);
    free(q->idf);
    for (int i = 0; i < q->nparts; i++) {
        free(q->parts[i].term);
        free(q->parts[i].match);
        free(q->parts[i].weights);
    }
    free(q->parts);
    free(q->corrected_from);
    free(q->corrected_to);
    memset(q, 0, sizeof *q);
}

int query_join(const struct query *q, uint64_t keep, const char *op, char **match,
               char **weights)
{
    struct buf m = {0}, w = {0};
    int n = 0;

    *match = *weights = NULL;
    for (int i = 0; i < q->nparts && i < 64; i++) {
        if (!(keep & ((uint64_t)1 << i)))
            continue;
        if ((n && (buf_str(&m, op) != 0 || buf_add(&w, " ", 1) != 0)) ||
            buf_str(&m, q->parts[i].match) != 0 || buf_str(&w, q->parts[i].weights) != 0) {
            free(m.p);
            free(w.p);
            return -ENOMEM;
        }
        n++;
    }
    *match = m.p;
    *weights = w.p;
    return n;
}

