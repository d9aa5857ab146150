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
static const char16_t QUERY_FILLER_CHARS[] =
    u"想要找上买做用的了和与及在给把个套款家请我你他她它有是吗呢吧啊么等或之";

/* Particles: an unknown Han phrase is cut at them (便宜的能耗 -> 便宜, 能耗)
 * and QUERY_ANY builds no bigram that contains one (的质, 量的).  Each is
 * also in QUERY_FILLER_CHARS. */
static const char16_t QUERY_PARTICLES[] = u"的了吗呢吧啊么之和与及或";

/* ---- the builder --------------------------------------------------------- */

struct seg {
    int u0, nu;  /* units */
    int term;    /* dictionary term, -1 none */
    int filler;  /* 0 a real word, FILL_GENERIC or FILL_STOP */
    int key, klen; /* text in builder.keys */
    long df;     /* estimated document frequency, -1 unknown */
    int keep;
};

enum { FILL_GENERIC = 1, FILL_STOP = 2 };

struct cand {
    int key, klen; /* text in builder.cmap.pool */
    int term;
    int tf, first;
    long df;
    double score;
    double weight; /* 1 for the text's own words; an extra term's weight */
};

/* The weight of one phrase of a piece: w times the IDF of the phrase
 * back phrases earlier (0: its own).  See bm25.h for the spec. */
struct phrase_w {
    double w;
    int back;
};

struct builder {
    const struct query_opts *o;
    int nown;
    const struct syn *syn;
    struct units u;
    struct seg *segs; /* QUERY_ALL */
    int nsegs, scap;
    struct buf keys;
    struct cand *cands; /* QUERY_ANY */
    int ncands, ccap;
    struct map cmap; /* cand key -> index */
    struct map seen; /* rendered phrases or pieces already in the expression */
    struct buf expr;
    struct buf piece;
    struct phrase_w pw[QUERY_MAX_ALTS]; /* the phrases of piece */
    int npw;
    struct buf wts;   /* phrase weights of expr (bm25.h) */
    int nphrase;      /* phrases in expr */
    struct buf pwts;  /* phrase weights of piece, as text */
    json_t *terms;
    struct query_part *parts; /* QUERY_ALL */
    int nparts, pcap;
    double *idf;      /* per term of terms */
    int nidf, icap;
    int stop_only;
};

/* Appends "key" (with '"' doubled) and a * for a single Han character. */
static int render_phrase(struct buf *b, const char *key, int klen)
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
static const char *term_key(const struct builder *b, int t, int *klen)
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
static long phrase_df(const struct query_opts *o, const char *key, int klen)
{
    struct df_min d = {o, -1};
    if (key_is_char(key, klen))
        return -1;
    tok_run(key, klen, df_on_token, &d);
    return d.min;
}

/* Estimated df of a term with its synonyms: the largest of its phrases'
 * (synonyms mostly occur together, so the union is close to the largest). */
static long term_df(const struct builder *b, int term, const char *key, int klen)
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
static int term_order(const struct syn *s, int term, int order[QUERY_MAX_ALTS])
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
static int render_term(struct builder *b, int term, const char *key, int klen, double w)
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
static int expr_append(struct builder *b, const char *sep)
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
static int terms_add(struct builder *b, const char *key, int klen, double idf)
{
    json_t *v = json_stringn(key, (size_t)klen);
    if (v == NULL || json_array_append_new(b->terms, v) != 0 ||
        array_grow(&b->idf, &b->icap, b->nidf + 1, sizeof *b->idf) != 0)
        return -ENOMEM;
    b->idf[b->nidf++] = idf;
    return 0;
}

/* IDF of a document frequency as the builder scores terms. */
static double idf_of(const struct query_opts *o, long df)
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
static int seg_lookup(struct builder *b, int i, int *kend, int *ld, int *term, int *fill)
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
static int part_add(struct builder *b, const char *key, int klen, long df)
{
    struct query_part *p;
    if (array_grow(&b->parts, &b->pcap, b->nparts + 1, sizeof *b->parts) != 0)
        return -ENOMEM;
    p = &b->parts[b->nparts];
    p->term = strndup(key, (size_t)klen);
    p->match = strndup(b->piece.p, b->piece.len);
    p->weights = strndup(b->pwts.p ? b->pwts.p : "", b->pwts.len);
    p->df = df;
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
                        (rc = part_add(b, b->keys.p + s->key, s->klen, s->df)) != 0))
            return rc;
    }
    return 0;
}

/* ---- QUERY_ANY ----------------------------------------------------------- */

/* Counts one occurrence of the candidate key (term: its dictionary term). */
static int cand_add(struct builder *b, const char *key, int klen, int term, int pos)
{
    uint32_t h = hash_fnv1a(HASH_FNV_INIT, key, (size_t)klen);
    int slot, rc = map_put(&b->cmap, key, klen, h, b->ncands, &slot);

    if (rc < 0)
        return rc;
    if (rc == 0) {
        b->cands[b->cmap.slots[slot].val].tf++;
        return 0;
    }
    if (array_grow(&b->cands, &b->ccap, b->ncands + 1, sizeof *b->cands) != 0)
        return -ENOMEM;
    b->cands[b->ncands++] =
        (struct cand){b->cmap.slots[slot].key, klen, term, 1, pos, -1, 0, 1.0};
    return 0;
}

/* Adds the bigrams of the unknown Han stretch [a, e) that hold no particle
 * and are not made of two filler characters (想找); a stretch of one
 * character is added as itself (searched as a prefix) unless it is a
 * filler character and fillers is 0. */
static int any_bigrams(struct builder *b, int a, int e, int fillers)
{
    const struct units *u = &b->u;
    int rc = 0;

    /* A lone Han character is a prefix query matching every bigram that
     * starts with it (万, 台, 年 from "5.4万", "34台", "年底"): in a long
     * text it only adds noise, so it is kept only in the last-resort pass,
     * when nothing else was found. */
    if (e - a == 1)
        return fillers ? cand_add(b, unit_text(u, a), u->v[a].len, -1, a) : 0;
    for (int i = a; rc == 0 && i + 1 < e; i++) {
        if (unit_in(u, i, QUERY_PARTICLES) || unit_in(u, i + 1, QUERY_PARTICLES) ||
            (unit_in(u, i, QUERY_FILLER_CHARS) && unit_in(u, i + 1, QUERY_FILLER_CHARS)))
            continue;
        rc = cand_add(b, unit_text(u, i), u->v[i].len + u->v[i + 1].len, -1, i);
    }
    return rc;
}

/* Collects the candidates of QUERY_ANY; filler words count only when
 * fillers is set (the second pass, when the first found nothing). */
static int any_collect(struct builder *b, int fillers)
{
    const struct units *u = &b->u;
    int rem = -1, rc = 0, kend = 0;

    for (int i = 0; rc == 0 && i < u->n;) {
        int term, ld, fill, lf = seg_lookup(b, i, &kend, &ld, &term, &fill);
        int han = u->v[i].kind == UNIT_HAN;
        if (rem >= 0 && (ld > 0 || lf > 0 || !han || u->v[i].run != u->v[rem].run)) {
            rc = any_bigrams(b, rem, i, fillers);
            rem = -1;
        }
        if (rc != 0)
            break;
        if (ld > 0 && ld >= lf) {
            int klen;
            const char *tk = term_key(b, term, &klen);
            rc = ld == lf && !fillers ? 0 : cand_add(b, tk, klen, term, i);
            i += ld;
        } else if (lf > 0) {
            char key[KEY_MAX];
            rc = fillers ? cand_add(b, key, key_build(key, u, i, lf), -1, i) : 0;
            i += lf;
        } else if (!han) {
            rc = cand_add(b, unit_text(u, i), u->v[i].len, -1, i);
            i++;
        } else {
            rem = rem < 0 ? i : rem;
            i++;
        }
    }
    if (rc == 0 && rem >= 0)
        rc = any_bigrams(b, rem, u->n, fillers);
    return rc;
}

/* Orders score, then tf, descending; then first occurrence. */
static int cand_by_score(const void *pa, const void *pb)
{
    const struct cand *a = *(struct cand *const *)pa, *c = *(struct cand *const *)pb;
    if (a->score != c->score)
        return a->score > c->score ? -1 : 1;
    if (a->tf != c->tf)
        return a->tf > c->tf ? -1 : 1;
    return a->first < c->first ? -1 : a->first > c->first;
}

/* Fills v with the candidates by tf, descending, ties in order of first
 * occurrence (the order they were created in): a counting sort, linear
 * where qsort of 20,000 bigrams was the slowest step.  Sets score = tf. */
static int cand_sort_by_tf(struct builder *b, struct cand **v)
{
    int maxtf = 0, *start;

    for (int i = 0; i < b->ncands; i++)
        maxtf = b->cands[i].tf > maxtf ? b->cands[i].tf : maxtf;
    if ((start = calloc((size_t)maxtf + 2, sizeof *start)) == NULL)
        return -ENOMEM;
    for (int i = 0; i < b->ncands; i++)
        start[maxtf - b->cands[i].tf + 1]++;
    for (int t = 1; t <= maxtf + 1; t++)
        start[t] += start[t - 1];
    for (int i = 0; i < b->ncands; i++) {
        struct cand *c = &b->cands[i];
        c->score = c->tf;
        v[start[maxtf - c->tf]++] = c;
    }
    free(start);
    return 0;
}

/* Appends candidate c (a phrase, or its dictionary term and synonyms,
 * each OR-ed) with weight c->weight; adds it to the terms when any of its
 * phrases is in the expression.  Returns 2 if a phrase was new, 1 if all
 * were there already, 0 if none fitted, -ENOMEM. */
static int any_render(struct builder *b, const struct cand *c, double idf)
{
    const char *key = b->cmap.pool.p + c->key;
    int order[QUERY_MAX_ALTS], any = 0, fresh = 0, lead = -1, rc;
    int n_alts = c->term < 0 ? 1 : term_order(b->syn, c->term, order);

    for (int a = 0; a < n_alts; a++) {
        int tl = c->klen;
        const char *tk = c->term < 0 ? key : term_key(b, order[a], &tl);
        b->piece.len = 0;
        /* A synonym weighs less, and takes the IDF of the word the text
         * used when that phrase is in the expression: a rare spelling of
         * a common word does not outscore the word itself. */
        b->pw[0] = (struct phrase_w){a ? c->weight * QUERY_SYN_WEIGHT : c->weight,
                                     a && lead >= 0 ? b->nphrase - lead : 0};
        b->npw = 1;
        if ((rc = render_phrase(&b->piece, tk, tl)) != 0 || (rc = expr_append(b, " OR ")) < 0)
            return rc;
        if (a == 0 && rc == 2)
            lead = b->nphrase - 1;
        any |= rc;
        fresh |= rc == 2;
    }
    if (!any)
        return 0;
    return (rc = terms_add(b, key, c->klen, idf)) < 0 ? rc : fresh ? 2 : 1;
}

/*
 * Adds the extra terms of the options (o->extra: words inferred from the
 * text, e.g. by the problem-phrase lexicon) after the text's own terms,
 * each with its weight: a whole dictionary term brings its synonyms.
 * Terms already in the query, found in no document or in more than
 * max_df_ratio of them are skipped; at most QUERY_EXTRA_MAX are added,
 * within a postings budget of their own (max_postings / 2).
 */
static int any_extra(struct builder *b)
{
    const struct query_opts *o = b->o;
    struct units u = {0};
    long sum = 0;
    int added = 0, rc = 0, usedf = o->df != NULL && o->ndocs > 0;

    for (int i = 0; rc >= 0 && i < o->nextra && added < QUERY_EXTRA_MAX; i++) {
        const char *t = o->extra[i].text;
        char key[KEY_MAX];
        int term = -1, klen, slot, ld;
        if (t == NULL || o->extra[i].weight <= 0 ||
            (rc = units_collect(&u, t, strlen(t), SYN_MAX_UNITS + 1)) < 0)
            continue;
        if (u.n == 0 || u.n > SYN_MAX_UNITS)
            continue;
        ld = dict_len(b->syn, &u, 0, &term);
        if (ld != u.n)
            term = -1;
        if (term >= 0) {
            const char *tk = term_key(b, term, &klen);
            memcpy(key, tk, (size_t)klen);
        } else {
            klen = key_build(key, &u, 0, u.n);
        }
        uint32_t h = hash_fnv1a(HASH_FNV_INIT, key, (size_t)klen);
        if (map_find(&b->cmap, key, klen, h) >= 0) /* the text has it already */
            continue;
        long df = usedf ? term_df(b, term, key, klen) : -1;
        if (usedf && (df == 0 || (o->max_df_ratio > 0 &&
                                  (double)df > o->max_df_ratio * (double)o->ndocs)))
            continue;
        if (o->max_postings > 0 && added > 0 && sum + (df > 0 ? df : 0) > o->max_postings / 2)
            continue;
        if ((rc = map_put(&b->cmap, key, klen, h, b->ncands, &slot)) < 0 ||
            (rc = array_grow(&b->cands, &b->ccap, b->ncands + 1, sizeof *b->cands)) != 0)
            break;
        b->cands[b->ncands] = (struct cand){b->cmap.slots[slot].key, klen, term, 0, INT_MAX,
                                            df, 0, o->extra[i].weight};
        if ((rc = any_render(b, &b->cands[b->ncands++], idf_of(o, df))) == 2) {
            sum += df > 0 ? df : 0;
            added++;
        }
    }
    free(u.v);
    free(u.text.p);
    return rc < 0 ? rc : 0;
}

static int query_any(struct builder *b, int max_terms)
{
    const struct query_opts *o = b->o;
    struct cand **v = NULL;
    int n = 0, rc, usedf = o->df != NULL && o->ndocs > 0;

    if ((rc = any_collect(b, 0)) == 0 && b->ncands == 0)
        rc = any_collect(b, 1);
    if (rc != 0 || b->ncands == 0)
        return rc;
    if ((v = malloc((size_t)b->ncands * sizeof *v)) == NULL)
        return -ENOMEM;
    if ((rc = cand_sort_by_tf(b, v)) != 0)
        goto cleanup;
    n = b->ncands;
    if (usedf) {
        /* Score the QUERY_ANY_DF_MAX most frequent candidates by tf x idf;
         * drop those that match nothing or too much, keeping at least the
         * most frequent one. */
        int m = 0;
        n = n < QUERY_ANY_DF_MAX ? n : QUERY_ANY_DF_MAX;
        for (int i = 0; i < n; i++) {
            struct cand *c = v[i];
            c->df = term_df(b, c->term, b->cmap.pool.p + c->key, c->klen);
            double df = c->df < 0 ? 1 : c->df > o->ndocs ? (double)o->ndocs : (double)c->df;
            if (c->df == 0 || (o->max_df_ratio > 0 && df > o->max_df_ratio * (double)o->ndocs))
                continue;
            c->score = c->tf * log(1.0 + ((double)o->ndocs - df + 0.5) / (df + 0.5));
            v[m++] = c;
        }
        if (m == 0) { /* v[0] is still the most frequent candidate */
            v[0]->score = v[0]->tf;
            m = 1;
        }
        n = m;
        qsort(v, (size_t)n, sizeof *v, cand_by_score);
        if (o->max_postings > 0) {
            /* Best first, skip a term whose documents would take the sum
             * past the budget: FTS5 ranks every row an OR matches, so the
             * sum bounds the work, and a term that common adds little. */
            long sum = 0;
            m = 0;
            for (int i = 0; i < n && m < max_terms; i++) {
                long df = v[i]->df > 0 ? v[i]->df : 0;
                if (m > 0 && sum + df > o->max_postings)
                    continue;
                sum += df;
                v[m++] = v[i];
            }
            n = m;
        }
    }
    n = n < max_terms ? n : max_terms;
    for (int i = 0; i < n; i++)
        if ((rc = any_render(b, v[i], idf_of(o, v[i]->df))) < 0)
            goto cleanup;
    b->nown = b->nidf;
    if (o->nextra > 0)
        rc = any_extra(b);
    rc = 0;

cleanup:
    free(v);
    return rc;
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

