/*
 * fuzz_assess.c - libFuzzer target for issue 18's request bodies: an
 * assessment (assessment_body_check: the field table, then the
 * instrument's answers, evidence and scenes checks) and an enterprise file
 * (enterprise_file_validate: USCC, GB/T 2260 places, the field table).
 *
 * The first input byte picks the body; the rest is parsed the way
 * router.c parses it.  Besides the sanitizers it aborts when a refusal
 * has an empty message or a message or field that is not valid UTF-8, or
 * when an accepted assessment scores outside 0..total, at a level the
 * instrument has not, or not the same twice (scoring must be a pure
 * function), or an accepted file does not validate again as stored.
 */
#include "assessment.h"
#include "enterprise.h"
#include "instrument.h"
#include "regions.h"
#include "taxonomy.h"
#include "util.h"
#include "validate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    fprintf(stderr, "fuzz_assess: %s\n", what);
    abort();
}

static void check_refusal(const struct verr *e)
{
    if (!e->msg[0] || !util_utf8_valid(e->msg, strlen(e->msg)) ||
        !util_utf8_valid(e->field, strlen(e->field)))
        die("a refusal without a readable message or field");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int loaded;
    char err[512];
    if (!loaded) {
        util_init();
        if (tax_load("schemas", err, sizeof err) < 0 || regions_load("schemas", err, sizeof err) < 0 ||
            instruments_load("schemas", err, sizeof err) < 0)
            die(err);
        loaded = 1;
    }
    if (size < 1)
        return 0;
    json_t *doc = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return 0;
    }
    struct verr e;
    if (data[0] & 1) {
        struct file_cols c;
        if (enterprise_file_validate(doc, &c, &e) < 0)
            check_refusal(&e);
        else if (enterprise_file_validate(doc, &c, &e) < 0)
            die("a validated file does not validate again");
    } else {
        const struct instrument *in = NULL;
        json_object_set_new(doc, "instrument", json_string("sme-2024"));
        if (assessment_body_check(doc, 1, &in, &e) < 0) {
            check_refusal(&e);
        } else {
            struct instr_score a, b;
            instrument_score(in, json_object_get(doc, "answers"), json_object_get(doc, "scenes"), &a);
            instrument_score(in, json_object_get(doc, "answers"), json_object_get(doc, "scenes"), &b);
            if (a.total < 0 || a.total > in->total + 1e-9 || a.level < 0 || a.level > in->nr)
                die("a score or level out of range");
            if (a.total != b.total || a.level != b.level)
                die("scoring is not a pure function");
        }
    }
    json_decref(doc);
    return 0;
}
