/*
 * query_any.c - QUERY_ANY, the query of a long text (a need): candidate
 * terms are dictionary words, Han bigrams of the rest and Latin words,
 * scored tf x idf; the best are expanded with their synonyms and OR-ed,
 * within a postings budget, then the extra terms of the options (what the
 * problem-phrase lexicon infers) at their own weight.  See query.h; the
 * builder's shared parts are in qtext.h and query.c.
 */
#include "qtext.h"

#include "hash.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


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
 * each with its weight, as a phrase of its own (no synonyms: the lexicon
 * names the trade's words already, and synonyms would multiply the rows
 * BM25 must rank).  Terms already in the query, found in no document or in
 * more than max_df_ratio of them are skipped; at most QUERY_EXTRA_MAX are
 * added, within a postings budget of their own, max_postings /
 * QUERY_EXTRA_BUDGET_DIV (their rows cost a match as much as the text's).
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
        int term = -1, klen, slot;
        if (t == NULL || o->extra[i].weight <= 0 ||
            (rc = units_collect(&u, t, strlen(t), SYN_MAX_UNITS + 1)) < 0)
            continue;
        if (u.n == 0 || u.n > SYN_MAX_UNITS)
            continue;
        klen = key_build(key, &u, 0, u.n);
        uint32_t h = hash_fnv1a(HASH_FNV_INIT, key, (size_t)klen);
        if (map_find(&b->cmap, key, klen, h) >= 0) /* the text has it already */
            continue;
        long df = usedf ? term_df(b, term, key, klen) : -1;
        if (usedf && (df == 0 || (o->max_df_ratio > 0 &&
                                  (double)df > o->max_df_ratio * (double)o->ndocs)))
            continue;
        if (o->max_postings > 0 &&
            sum + (df > 0 ? df : 0) > o->max_postings / QUERY_EXTRA_BUDGET_DIV)
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

int query_any(struct builder *b, int max_terms)
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
