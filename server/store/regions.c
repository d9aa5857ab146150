/*
 * regions.c - loads and checks schemas/regions.json (see regions.h).
 *
 * The document stays loaded (it is what GET /v1/regions serves); the tree
 * of struct region points into its strings.  Checked at load: six-digit
 * codes, a city's code starting with its province's two digits and a
 * district's with its city's first four, or in a municipality (one city
 * named as the province) the province's two digits.  The converter script
 * checks more (docs/data-sources.md); this is what the server relies on.
 */
#include "regions.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *doc;
static struct region *provinces;
static int nprovinces;

static int six_digits(const char *s)
{
    if (!s || strlen(s) != 6)
        return 0;
    for (int i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Fills r from the JSON object o; 0, or -1 with err set. */
static int region_fill(struct region *r, const json_t *o, const char *path, const char *at,
                       char *err, size_t errlen)
{
    r->code = json_string_value(json_object_get(o, "code"));
    r->name = json_string_value(json_object_get(o, "name"));
    if (!six_digits(r->code) || !r->name || !*r->name) {
        snprintf(err, errlen, "%s: %s: needs a six-digit \"code\" and a \"name\"", path, at);
        return -1;
    }
    return 0;
}

static void tree_free(void)
{
    for (int p = 0; p < nprovinces; p++) {
        for (int c = 0; c < provinces[p].n; c++)
            free(provinces[p].child[c].child);
        free(provinces[p].child);
    }
    free(provinces);
    provinces = NULL;
    nprovinces = 0;
}

int regions_load(const char *dir, char *err, size_t errlen)
{
    char *path = xasprintf("%s/regions.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    int rc = -1;
    char at[96];
    regions_free();
    if (!root) {
        snprintf(err, errlen, "%s, line %d: %s", path, je.line, je.text);
        goto out;
    }
    json_t *ps = json_object_get(root, "provinces");
    if (!json_is_array(ps) || !json_array_size(ps)) {
        snprintf(err, errlen, "%s: \"provinces\" must be a non-empty array", path);
        goto out;
    }
    provinces = xcalloc(json_array_size(ps), sizeof *provinces);
    size_t i, j, k;
    json_t *p, *c, *d;
    json_array_foreach(ps, i, p) {
        struct region *pr = &provinces[nprovinces++];
        snprintf(at, sizeof at, "provinces[%zu]", i);
        if (region_fill(pr, p, path, at, err, errlen) < 0)
            goto out;
        json_t *cs = json_object_get(p, "cities");
        pr->child = xcalloc(json_array_size(cs) + 1, sizeof *pr->child);
        json_array_foreach(cs, j, c) {
            struct region *ci = &pr->child[pr->n++];
            snprintf(at, sizeof at, "provinces[%zu].cities[%zu]", i, j);
            if (region_fill(ci, c, path, at, err, errlen) < 0)
                goto out;
            if (strncmp(ci->code, pr->code, 2) != 0) {
                snprintf(err, errlen, "%s: %s: city %s is not in province %s", path, at,
                         ci->code, pr->code);
                goto out;
            }
            json_t *ds = json_object_get(c, "districts");
            ci->child = xcalloc(json_array_size(ds) + 1, sizeof *ci->child);
            int municipality = strcmp(ci->name, pr->name) == 0;
            json_array_foreach(ds, k, d) {
                struct region *di = &ci->child[ci->n++];
                snprintf(at, sizeof at, "provinces[%zu].cities[%zu].districts[%zu]", i, j, k);
                if (region_fill(di, d, path, at, err, errlen) < 0)
                    goto out;
                if (strncmp(di->code, ci->code, municipality ? 2 : 4) != 0) {
                    snprintf(err, errlen, "%s: %s: district %s is not in city %s", path, at,
                             di->code, ci->code);
                    goto out;
                }
            }
        }
    }
    doc = root;
    root = NULL;
    rc = 0;
out:
    if (rc < 0)
        tree_free();
    json_decref(root);
    free(path);
    return rc;
}

void regions_free(void)
{
    tree_free();
    json_decref(doc);
    doc = NULL;
}

static const struct region *find(const struct region *list, int n, const char *s)
{
    if (!s || !*s)
        return NULL;
    int by_code = six_digits(s);
    for (int i = 0; i < n; i++)
        if (strcmp(by_code ? list[i].code : list[i].name, s) == 0)
            return &list[i];
    return NULL;
}

const struct region *regions_province(const char *s)
{
    return find(provinces, nprovinces, s);
}

const struct region *regions_child(const struct region *parent, const char *s)
{
    return parent ? find(parent->child, parent->n, s) : NULL;
}

const struct region *regions_district_by_code(const char *code, const struct region **city,
                                              const struct region **province)
{
    if (!six_digits(code))
        return NULL;
    for (int p = 0; p < nprovinces; p++) {
        if (strncmp(provinces[p].code, code, 2) != 0)
            continue;
        for (int c = 0; c < provinces[p].n; c++) {
            const struct region *ci = &provinces[p].child[c];
            const struct region *hit = ci->n ? find(ci->child, ci->n, code)
                                             : strcmp(ci->code, code) == 0 ? ci : NULL;
            if (hit) {
                if (city)
                    *city = ci;
                if (province)
                    *province = &provinces[p];
                return hit;
            }
        }
    }
    return NULL;
}

const struct region *regions_find(int depth, const char *s, int *ambiguous)
{
    const struct region *hit = NULL;
    int n = 0;
    *ambiguous = 0;
    if (depth == 0)
        return regions_province(s);
    for (int p = 0; p < nprovinces; p++) {
        const struct region *pr = &provinces[p];
        for (int c = 0; c < pr->n; c++) {
            const struct region *found = depth == 1 ? (find(&pr->child[c], 1, s))
                                                    : find(pr->child[c].child, pr->child[c].n, s);
            if (found) {
                hit = found;
                n++;
            }
        }
    }
    if (n > 1) {
        *ambiguous = 1;
        return NULL;
    }
    return hit;
}

json_t *regions_document(void)
{
    return doc;
}
