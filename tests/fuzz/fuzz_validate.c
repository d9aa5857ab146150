/*
 * fuzz_validate.c - libFuzzer target for the validation of request bodies
 * (server/validate.c, the record modules' *_validate, util_json_path_at).
 *
 * The first input byte picks the body's route; the rest is the body,
 * parsed the way router.c parses it (json_loadb, duplicates rejected):
 *   0 POST /v1/resources          resource_validate
 *   1 PATCH /v1/resources/{}      merge patch onto a stored resource
 *   2 POST /v1/needs, /v1/match   need_validate
 *   3 PATCH /v1/needs/{}          merge patch onto a stored need
 *   4 POST /v1/campaigns          campaign_validate
 * Besides the sanitizers (and LeakSanitizer), it aborts when
 *   - a body Jansson refuses for a number too large yields a field path
 *     that is not valid UTF-8 (router.c answers 422 with that path);
 *   - a refusal has an empty message, or a message or field path that is
 *     not valid UTF-8 (reply_error would then drop the field or replace
 *     the message with "invalid input");
 *   - an accepted document holds a null outside "attrs", does not
 *     serialise the way it is stored (JSON_COMPACT), does not load back
 *     to an equal document, or the reloaded document fails validation
 *     (a stored document must pass again when it is patched later).
 */
#include "campaign.h"
#include "need.h"
#include "resource.h"
#include "taxonomy.h"
#include "util.h"
#include "validate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { F_RESOURCE, F_RESOURCE_PATCH, F_NEED, F_NEED_PATCH, F_CAMPAIGN, F_NKINDS };

/* Documents as stored, which the patch modes merge onto. */
static const char STORED_RESOURCE[] =
    "{\"kind\":\"product\",\"title\":\"视觉质检系统\",\"summary\":\"基于深度学习的表面缺陷检测\","
    "\"industries\":[\"electronics\"],\"scenarios\":[\"quality\"],\"regions\":[\"全国\"],"
    "\"tags\":[\"AI质检\",\"机器视觉\"],\"price\":{\"min\":50000,\"max\":300000,\"unit\":\"套\"},"
    "\"deploy_days\":30,\"levels\":{\"from\":1,\"to\":3},"
    "\"cases\":[{\"enterprise\":\"某电子厂\",\"result\":\"漏检率降低80%\"}],"
    "\"attrs\":{\"gpu\":true}}";
static const char STORED_NEED[] =
    "{\"title\":\"注塑车间排产优化\",\"description\":\"需要APS排产，减少换模时间\","
    "\"industry\":\"light_industry\",\"scenarios\":[\"planning\"],\"budget\":{\"max\":200000},"
    "\"current_level\":1,\"target_level\":2,\"deadline\":\"2031-06-30\","
    "\"contact\":{\"name\":\"王工\",\"email\":\"wang@example.com\"}}";

static json_t *stored_resource, *stored_need;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_validate: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static int valid_utf8(const char *s)
{
    return util_utf8_valid(s, strlen(s));
}

static json_t *load_stored(const char *text, int (*check)(json_t *, struct verr *))
{
    struct verr e;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    if (!doc)
        die("fixture does not parse", text);
    if (check(doc, &e) < 0)
        die("fixture does not validate", e.msg);
    return doc;
}

static void init(void)
{
    char err[512];
    util_init();
    if (tax_load("schemas", err, sizeof err) < 0)
        die("run from the repository root (schemas/taxonomy.json)", err);
    /* The fixtures name codes of the taxonomy; check they still exist. */
    stored_resource = load_stored(STORED_RESOURCE, resource_validate);
    stored_need = load_stored(STORED_NEED, need_validate);
}

/* 1 when v holds a null anywhere, not looking inside top-level "attrs". */
static int has_null(const json_t *v, int top)
{
    const char *key;
    json_t *m;
    size_t i;
    if (json_is_null(v))
        return 1;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, m)
            if (!(top && strcmp(key, "attrs") == 0) && has_null(m, 0))
                return 1;
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, m)
            if (has_null(m, 0))
                return 1;
    }
    return 0;
}

/* Runs the validator of kind on doc; 0 or -1 with e filled. */
static int run(int kind, json_t *doc, struct verr *e)
{
    time_t deadline;
    switch (kind) {
    case F_RESOURCE:
    case F_RESOURCE_PATCH:
        return resource_validate(doc, e);
    case F_NEED:
    case F_NEED_PATCH:
        return need_validate(doc, e);
    default:
        /* A fixed "now" keeps runs reproducible. */
        return campaign_validate(doc, (time_t)1800000000, &deadline, e);
    }
}

static void check_refusal(const struct verr *e)
{
    if (e->msg[0] == '\0')
        die("refusal without a message", e->field);
    if (!valid_utf8(e->msg))
        die("refusal message is not valid UTF-8", e->field);
    if (!valid_utf8(e->field))
        die("refusal field path is not valid UTF-8", e->msg);
}

static void check_accepted(int kind, json_t *doc)
{
    struct verr e;
    if (has_null(doc, 1))
        die("accepted document holds a null", NULL);
    char *text = json_dumps(doc, JSON_COMPACT); /* as resource.c / need.c store it */
    if (!text)
        die("accepted document does not serialise", NULL);
    json_t *back = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    if (!back || !json_equal(back, doc))
        die("stored text does not load back to the same document", text);
    if (run(kind, back, &e) < 0)
        die("stored document fails validation", e.msg);
    json_decref(back);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!stored_resource)
        init();
    if (size == 0)
        return 0;
    int kind = data[0] % F_NKINDS;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;

    json_error_t jerr;
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        /* as router.c: a number too large is a field error, with a path */
        if (json_error_code(&jerr) == json_error_numeric_overflow) {
            char field[256];
            util_json_path_at(body, len, (size_t)(jerr.position > 0 ? jerr.position : 0), field,
                              sizeof field);
            if (strlen(field) >= sizeof field || !valid_utf8(field))
                die("number-overflow field path is not valid UTF-8", field);
        }
        return 0;
    }
    if (!json_is_object(doc)) { /* router.c answers 400 before any handler */
        json_decref(doc);
        return 0;
    }
    if (kind == F_RESOURCE_PATCH || kind == F_NEED_PATCH) {
        json_t *merged =
            json_merge_patch(kind == F_RESOURCE_PATCH ? stored_resource : stored_need, doc);
        json_decref(doc);
        doc = merged;
    }
    struct verr e;
    memset(&e, 0, sizeof e);
    if (run(kind, doc, &e) < 0)
        check_refusal(&e);
    else
        check_accepted(kind, doc);
    json_decref(doc);
    return 0;
}
