/*
 * synonyms.c - the synonym dictionary (query.h: syn_load, syn_free):
 * schemas/synonyms.json as groups of phrases stored under canonical keys
 * in a map with every proper prefix marked, so longest-match segmentation
 * stops as soon as no term can continue.
 */
#include "qtext.h"

#include "hash.h"

#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- synonym dictionary -------------------------------------------------- */



void syn_free(struct syn *s)
{
    if (s == NULL)
        return;
    map_free(&s->map);
    free(s->terms);
    free(s->alts);
    free(s);
}

/* Units covered by the longest dictionary term starting at unit i (0 if
 * none); stores the term in *term. */
int dict_len(const struct syn *s, const struct units *u, int i, int *term)
{
    char key[KEY_MAX];
    int klen = 0, best = 0;
    uint32_t h = HASH_FNV_INIT;

    *term = -1;
    if (s == NULL)
        return 0;
    for (int k = 0; i + k < u->n && k < SYN_MAX_UNITS; k++) {
        int before = klen;
        klen = key_add(key, klen, u, i + k, k == 0);
        h = hash_fnv1a(h, key + before, (size_t)(klen - before));
        int slot = map_find(&s->map, key, klen, h);
        if (slot < 0)
            break;
        if (s->map.slots[slot].val != SYN_PREFIX) {
            best = k + 1;
            *term = s->map.slots[slot].val;
        }
    }
    return best;
}

/* Adds the term made of all units in u (and its prefixes); stores its
 * index in *term.  Returns 0 or -ENOMEM. */
static int syn_intern(struct syn *s, const struct units *u, int *term)
{
    char key[KEY_MAX];
    int klen = 0, slot, rc;
    uint32_t h = HASH_FNV_INIT;

    for (int k = 0; k < u->n; k++) {
        int before = klen;
        klen = key_add(key, klen, u, k, k == 0);
        h = hash_fnv1a(h, key + before, (size_t)(klen - before));
        rc = map_put(&s->map, key, klen, h, SYN_PREFIX, &slot);
        if (rc < 0)
            return rc;
    }
    if (s->map.slots[slot].val != SYN_PREFIX) {
        *term = s->map.slots[slot].val;
        return 0;
    }
    if (array_grow(&s->terms, &s->tcap, s->nterms + 1, sizeof *s->terms) != 0)
        return -ENOMEM;
    s->terms[s->nterms] = (struct syn_term){s->map.slots[slot].key, klen, 0, 0};
    s->map.slots[slot].val = s->nterms;
    *term = s->nterms++;
    return 0;
}

__attribute__((format(printf, 3, 4))) static void
syn_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* tok_fn: appends "\1token" to a buf (see syn_covers). */
static int tokstr_on_token(void *ctx, int run, const char *tok, int len, int start,
                           int end)
{
    struct buf *b = ctx;
    return buf_add(b, "\1", 1) || buf_add(b, tok, (size_t)len) ? -ENOMEM : 0;
}

/*
 * 1 if the phrase of term a matches every document the phrase of term b
 * matches, so that b adds nothing to an OR group with a: a's tokens are a
 * contiguous run of b's (排程 in 高级计划与排程, mes in mes系统).  ts holds
 * each term's tokens as "\1tok\1tok\1" at offsets off[].  A single Han
 * character is searched as a prefix and never covers anything.
 */
static int syn_covers(const struct syn *s, const char *ts, const int *off, int a, int b)
{
    const char *ta = ts + off[a], *tb = ts + off[b];
    size_t la = strlen(ta), lb = strlen(tb);

    if (a == b || key_is_char(s->map.pool.p + s->terms[a].key, s->terms[a].klen))
        return 0;
    if (la > lb || (la == lb && a > b))
        return 0;
    return strstr(tb, ta) != NULL;
}

/*
 * Fills s->alts: for each term the union of the groups it is in, in group
 * order, each term once, leaving out every phrase that another phrase of
 * the union already covers (see syn_covers): 排产, 排程, aps rather than
 * also 车间排产, 高级计划与排程, ...  gm[goff[g]..goff[g+1]) are group g's
 * terms.
 */
static int syn_build_alts(struct syn *s, const int *gm, const int *goff, int ngroups)
{
    int *tg_off = calloc((size_t)s->nterms + 1, sizeof *tg_off);
    int *tg = malloc(((size_t)goff[ngroups] + 1) * sizeof *tg);
    int *fill = calloc((size_t)s->nterms + 1, sizeof *fill);
    int *stamp = malloc(((size_t)s->nterms + 1) * sizeof *stamp);
    int *toff = malloc(((size_t)s->nterms + 1) * sizeof *toff);
    int *list = NULL, nlist, lcap = 0, rc = -ENOMEM;
    struct buf ts = {0};

    if (!tg_off || !tg || !fill || !stamp || !toff)
        goto cleanup;
    for (int t = 0; t < s->nterms; t++) {
        toff[t] = (int)ts.len;
        if (tok_run(s->map.pool.p + s->terms[t].key, s->terms[t].klen, tokstr_on_token,
                    &ts) != 0 ||
            buf_add(&ts, "\1", 2) != 0 || ts.len > INT_MAX / 2) /* "\1" + NUL */
            goto cleanup;
    }
    for (int i = 0; i < goff[ngroups]; i++)
        tg_off[gm[i] + 1]++;
    for (int t = 0; t < s->nterms; t++) {
        tg_off[t + 1] += tg_off[t];
        stamp[t] = -1;
    }
    for (int g = 0; g < ngroups; g++)
        for (int i = goff[g]; i < goff[g + 1]; i++)
            tg[tg_off[gm[i]] + fill[gm[i]]++] = g;
    for (int t = 0; t < s->nterms; t++) {
        nlist = 0;
        for (int j = tg_off[t]; j < tg_off[t + 1]; j++) {
            int g = tg[j];
            for (int i = goff[g]; i < goff[g + 1]; i++) {
                if (stamp[gm[i]] == t)
                    continue;
                stamp[gm[i]] = t;
                if (array_grow(&list, &lcap, nlist + 1, sizeof *list) != 0)
                    goto cleanup;
                list[nlist++] = gm[i];
            }
        }
        s->terms[t].alt0 = s->nalts;
        for (int i = 0; i < nlist; i++) {
            int covered = 0;
            for (int j = 0; j < nlist && !covered; j++)
                covered = syn_covers(s, ts.p, toff, list[j], list[i]);
            if (covered)
                continue;
            if (array_grow(&s->alts, &s->acap, s->nalts + 1, sizeof *s->alts) != 0)
                goto cleanup;
            s->alts[s->nalts++] = list[i];
        }
        s->terms[t].nalts = s->nalts - s->terms[t].alt0;
    }
    rc = 0;

cleanup:
    free(tg_off);
    free(tg);
    free(fill);
    free(stamp);
    free(toff);
    free(list);
    free(ts.p);
    return rc;
}

int syn_load(const char *path, struct syn **out, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = NULL, *groups, *version;
    struct syn *s = NULL;
    struct units u = {0};
    int *gm = NULL, *goff = NULL, ngm = 0, gmcap = 0, rc = -1;
    size_t ngroups = 0;

    *out = NULL;
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        syn_err(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        goto cleanup;
    }
    version = json_object_get(root, "version");
    groups = json_object_get(root, "groups");
    if (!json_is_object(root) || !json_is_integer(version) ||
        json_integer_value(version) != 1) {
        syn_err(err, errlen, "%s: expected an object with \"version\": 1", path);
        goto cleanup;
    }
    if (!json_is_array(groups)) {
        syn_err(err, errlen, "%s: \"groups\" must be an array of arrays", path);
        goto cleanup;
    }
    ngroups = json_array_size(groups);
    s = calloc(1, sizeof *s);
    goff = malloc((ngroups + 1) * sizeof *goff);
    if (s == NULL || goff == NULL || ngroups > INT_MAX / 2)
        goto oom;
    for (size_t g = 0; g < ngroups; g++) {
        json_t *group = json_array_get(groups, g);
        goff[g] = ngm;
        if (!json_is_array(group) || json_array_size(group) < 2) {
            syn_err(err, errlen, "%s: groups[%zu] must be an array of at least 2 strings",
                    path, g);
            goto cleanup;
        }
        for (size_t m = 0; m < json_array_size(group); m++) {
            json_t *v = json_array_get(group, m);
            int term, dup = 0;
            if (!json_is_string(v)) {
                syn_err(err, errlen, "%s: groups[%zu][%zu] is not a string", path, g, m);
                goto cleanup;
            }
            if (units_collect(&u, json_string_value(v), json_string_length(v),
                              SYN_MAX_UNITS + 1) != 0)
                goto oom;
            if (u.n == 0) {
                syn_err(err, errlen,
                        "%s: groups[%zu][%zu] \"%.64s\" has no letters, digits or Han "
                        "characters", path, g, m, json_string_value(v));
                goto cleanup;
            }
            if (u.n > SYN_MAX_UNITS) {
                syn_err(err, errlen,
                        "%s: groups[%zu][%zu] \"%.64s\" is longer than %d words or Han "
                        "characters", path, g, m, json_string_value(v), SYN_MAX_UNITS);
                goto cleanup;
            }
            if (syn_intern(s, &u, &term) != 0)
                goto oom;
            for (int i = goff[g]; i < ngm; i++)
                dup |= gm[i] == term;
            if (dup)
                continue;
            if (array_grow(&gm, &gmcap, ngm + 1, sizeof *gm) != 0)
                goto oom;
            gm[ngm++] = term;
        }
    }
    goff[ngroups] = ngm;
    if (syn_build_alts(s, gm, goff, (int)ngroups) != 0)
        goto oom;
    *out = s;
    s = NULL;
    rc = 0;
    goto cleanup;

oom:
    syn_err(err, errlen, "%s: out of memory", path);
cleanup:
    json_decref(root);
    syn_free(s);
    free(u.v);
    free(u.text.p);
    free(gm);
    free(goff);
    return rc;
}

