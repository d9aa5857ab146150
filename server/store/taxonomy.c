/*
 * taxonomy.c - loads and checks schemas/taxonomy.json (see taxonomy.h).
 */
#include "taxonomy.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAX_MAX 63 /* codes per vocabulary: they must fit a bitmask */

struct vocab {
    int n;
    const char *code[TAX_MAX];
    const char *name[TAX_MAX];
    int group[TAX_MAX];
};

static json_t *doc;
static struct vocab vocabs[TAX_NVOCAB];

static const char *const KEYS[TAX_NVOCAB] = {
    "industries", "scenarios", "kinds", "regions", "enterprise_sizes", "deliveries"};
static const char *const NAMES[TAX_NVOCAB] = {
    "industry", "scenario", "kind", "region", "enterprise size", "delivery mode"};

const char *tax_vocab_name(enum tax_vocab v)
{
    return NAMES[v];
}

int tax_load(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/taxonomy.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s, line %d: %s", path, jerr.line, jerr.text);
        return -1;
    }
    json_t *groups = json_object_get(root, "scenario_groups");
    for (int v = 0; v < TAX_NVOCAB; v++) {
        json_t *arr = json_object_get(root, KEYS[v]);
        struct vocab *vc = &vocabs[v];
        vc->n = 0;
        if (!json_is_array(arr) || json_array_size(arr) == 0 ||
            json_array_size(arr) > TAX_MAX) {
            snprintf(err, errlen, "%s: \"%s\" must be a non-empty array of at most %d entries",
                     path, KEYS[v], TAX_MAX);
            goto fail;
        }
        size_t i;
        json_t *e;
        json_array_foreach(arr, i, e) {
            const char *code, *name;
            if (json_is_string(e)) { /* regions are plain names */
                code = name = json_string_value(e);
            } else {
                code = json_string_value(json_object_get(e, "code"));
                name = json_string_value(json_object_get(e, "name"));
            }
            if (!code || !name) {
                snprintf(err, errlen, "%s: %s[%zu] needs string \"code\" and \"name\"",
                         path, KEYS[v], i);
                goto fail;
            }
            vc->code[i] = code;
            vc->name[i] = name;
            vc->group[i] = -1;
            if (v == TAX_SCENARIO) {
                const char *g = json_string_value(json_object_get(e, "group"));
                size_t gi;
                json_t *ge;
                json_array_foreach(groups, gi, ge) {
                    const char *gc = json_string_value(json_object_get(ge, "code"));
                    if (g && gc && strcmp(g, gc) == 0)
                        vc->group[i] = (int)gi;
                }
                if (vc->group[i] < 0) {
                    snprintf(err, errlen, "%s: scenarios[%zu] (%s) has no known group",
                             path, i, code);
                    goto fail;
                }
            }
            vc->n++;
        }
    }
    if (tax_index(TAX_INDUSTRY, TAX_GENERAL) < 0 || tax_index(TAX_REGION, TAX_NATIONWIDE) < 0) {
        snprintf(err, errlen, "%s: industries must include \"general\" and regions \"全国\"", path);
        goto fail;
    }
    doc = root;
    return 0;
fail:
    json_decref(root);
    memset(vocabs, 0, sizeof vocabs);
    return -1;
}

void tax_free(void)
{
    json_decref(doc);
    doc = NULL;
    memset(vocabs, 0, sizeof vocabs);
}

int tax_index(enum tax_vocab v, const char *code)
{
    if (!code)
        return -1;
    const struct vocab *vc = &vocabs[v];
    for (int i = 0; i < vc->n; i++)
        if (strcmp(vc->code[i], code) == 0)
            return i;
    return -1;
}

int tax_count(enum tax_vocab v)
{
    return vocabs[v].n;
}

const char *tax_code(enum tax_vocab v, int i)
{
    return i >= 0 && i < vocabs[v].n ? vocabs[v].code[i] : NULL;
}

const char *tax_name(enum tax_vocab v, int i)
{
    return i >= 0 && i < vocabs[v].n ? vocabs[v].name[i] : NULL;
}

int tax_scenario_group(int scenario)
{
    return scenario >= 0 && scenario < vocabs[TAX_SCENARIO].n
               ? vocabs[TAX_SCENARIO].group[scenario]
               : -1;
}

json_t *tax_document(void)
{
    return doc;
}

int64_t tax_mask(enum tax_vocab v, const json_t *codes)
{
    int64_t m = 0;
    size_t i;
    json_t *e;
    json_array_foreach(codes, i, e) {
        int k = tax_index(v, json_string_value(e));
        if (k < 0)
            return -1;
        m |= (int64_t)1 << k;
    }
    return m;
}

json_t *tax_codes(enum tax_vocab v, int64_t mask)
{
    json_t *arr = json_array();
    for (int i = 0; i < vocabs[v].n; i++)
        if (mask & ((int64_t)1 << i))
            json_array_append_new(arr, json_string(vocabs[v].code[i]));
    return arr;
}
