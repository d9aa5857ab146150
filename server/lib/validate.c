/*
 * validate.c - the field-table walker (see validate.h).
 */
#include "validate.h"

#include "taxonomy.h"
#include "util.h"
#include "zh.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Both are cut to whole characters when they do not fit: reply_error()
 * drops a field, and replaces a message, that is not valid UTF-8. */
static int verr_fill(struct verr *e, const char *field, const char *zh_tpl, const char *fmt,
                     va_list ap)
{
    snprintf(e->field, sizeof e->field, "%s", field);
    e->field[util_utf8_cut(e->field, strlen(e->field))] = '\0';
    va_list ap2;
    va_copy(ap2, ap);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    e->msg[util_utf8_cut(e->msg, strlen(e->msg))] = '\0';
    if (!zh_tpl)
        zh_tpl = zh_template(fmt);
    if (!zh_tpl || zh_format(e->msg_zh, sizeof e->msg_zh, fmt, zh_tpl, ap2) < 0)
        e->msg_zh[0] = '\0';
    va_end(ap2);
    return -1;
}

int verr_set(struct verr *e, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr_fill(e, field, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int verr_setz(struct verr *e, const char *field, const char *zh_tpl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr_fill(e, field, zh_tpl, fmt, ap);
    va_end(ap);
    return -1;
}

/* Appends the n bytes at s to the path of length *at in path[len],
 * keeping room for the terminator; 0 when it all fitted. */
static int path_put(char *path, size_t len, size_t *at, const char *s, size_t n)
{
    size_t room = len - 1 - *at, k = n < room ? n : room;
    memcpy(path + *at, s, k);
    *at += k;
    return k < n;
}

/* Ends the path at at; a path that did not fit is cut to whole
 * characters. */
static void path_end(char *path, size_t at, int cut)
{
    path[at] = '\0';
    if (cut)
        path[util_utf8_cut(path, at)] = '\0';
}

/* Writes base.key (or key at the top) into path, cut to whole characters
 * when a long key does not fit.  Built with memcpy: every field of every
 * imported line gets a path, and snprintf here was half of validation. */
static void join_path(char *path, size_t len, const char *base, const char *key)
{
    size_t at = 0;
    int cut = path_put(path, len, &at, base, strlen(base));
    if (*base)
        cut |= path_put(path, len, &at, ".", 1);
    cut |= path_put(path, len, &at, key, strlen(key));
    path_end(path, at, cut);
}

/* Writes path[i] into sub. */
static void item_path(char *sub, size_t len, const char *path, size_t i)
{
    char num[24];
    size_t at = 0, n = util_fmt_ll(num, (long long)i);
    int cut = path_put(sub, len, &at, path, strlen(path));
    cut |= path_put(sub, len, &at, "[", 1);
    cut |= path_put(sub, len, &at, num, n);
    cut |= path_put(sub, len, &at, "]", 1);
    path_end(sub, at, cut);
}

static const char *type_word(enum vtype t)
{
    switch (t) {
    case V_STRING: case V_DATE: case V_DAY: case V_CODE: case V_ID: return "a string";
    case V_INT: return "an integer";
    case V_NUMBER: return "a number";
    case V_BOOL: return "true or false";
    case V_STRING_ARRAY: case V_CODE_ARRAY: case V_OBJECT_ARRAY: return "an array";
    case V_OBJECT: case V_ANY_OBJECT: return "an object";
    }
    return "a value";
}

/* The nesting depth of v (a scalar is 0, {} or [] is 1), counted no
 * further than cap: free-form objects (attrs) are stored as given, and
 * SQLite's JSON functions, which the triggers run over a stored document,
 * refuse a depth near 2,000 that Jansson (2,048) lets through. */
static int json_depth(json_t *v, int cap)
{
    if (cap <= 0 || !(json_is_object(v) || json_is_array(v)))
        return 0;
    int deepest = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            int d = json_depth(x, cap - 1);
            if (d > deepest)
                deepest = d;
        }
    } else {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            int d = json_depth(x, cap - 1);
            if (d > deepest)
                deepest = d;
        }
    }
    return deepest + 1;
}

static int has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return 1;
    }
    return 0;
}

static int check_string(const json_t *v, const char *path, double min, double max,
                        struct verr *e)
{
    if (!json_is_string(v))
        return verr_set(e, path, "%s must be a string", path);
    if (has_control(json_string_value(v), json_string_length(v)))
        return verr_set(e, path, "%s must not contain control characters", path);
    size_t n = util_utf8_len(json_string_value(v), json_string_length(v));
    if ((double)n < min || (double)n > max) {
        if (min > 0 && n == 0)
            return verr_set(e, path, "%s must not be empty", path);
        if ((double)n > max)
            return verr_setz(e, path, "{1:f}最多 {3} 个字，现为 {4} 个字",
                             "%s must be %g to %g characters, not %zu", path, min, max, n);
        return verr_set(e, path, "%s must be %g to %g characters, not %zu", path, min, max, n);
    }
    return 0;
}

static int check_code(const json_t *v, const char *path, int vocab, struct verr *e)
{
    if (!json_is_string(v))
        return verr_set(e, path, "%s must be a string", path);
    const char *code = json_string_value(v);
    if (tax_index((enum tax_vocab)vocab, code) < 0) {
        /* at most 60 bytes of it, in whole characters */
        size_t shown = util_utf8_cut(code, strnlen(code, 60));
        return verr_set(e, path, "%s: \"%.*s\" is not a known %s code (see GET /v1/taxonomy)",
                        path, (int)shown, code, tax_vocab_name((enum tax_vocab)vocab));
    }
    return 0;
}

static int validate_at(json_t *obj, const struct vfield *spec, const char *base,
                       struct verr *e);

static int check_field(json_t *v, const struct vfield *f, const char *path,
                       struct verr *e)
{
    char sub[200];
    size_t i;
    json_t *item;
    switch (f->type) {
    case V_STRING:
        return check_string(v, path, f->min, f->max, e);
    case V_ID:
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 64)
            return verr_set(e, path, "%s must be an id string", path);
        return 0;
    case V_INT: {
        if (!json_is_integer(v))
            return verr_set(e, path, "%s must be an integer", path);
        json_int_t n = json_integer_value(v);
        if (n < 0 && f->min == 0)
            return verr_setz(e, path, "{1:f}不能为负数", "%s must be from %g to %g", path,
                             f->min, f->max);
        if ((double)n < f->min || (double)n > f->max)
            return verr_set(e, path, "%s must be from %g to %g", path, f->min, f->max);
        return 0;
    }
    case V_NUMBER: {
        if (!json_is_number(v))
            return verr_set(e, path, "%s must be a number", path);
        double d = json_number_value(v);
        if (isfinite(d) && d < 0 && f->min == 0)
            return verr_setz(e, path, "{1:f}不能为负数", "%s must be from %g to %g", path,
                             f->min, f->max);
        if (isfinite(d) && d > f->max)
            return verr_setz(e, path, "{1:f}不能超过 {3}", "%s must be from %g to %g", path,
                             f->min, f->max);
        if (!isfinite(d) || d < f->min || d > f->max)
            return verr_set(e, path, "%s must be from %g to %g", path, f->min, f->max);
        return 0;
    }
    case V_BOOL:
        if (!json_is_boolean(v))
            return verr_set(e, path, "%s must be true or false", path);
        return 0;
    case V_DATE:
    case V_DAY: {
        time_t t;
        const char *d = json_string_value(v);
        if (!d || util_parse_time(d, &t) < 0 || (f->type == V_DAY && strlen(d) != 10))
            return verr_set(e, path, "%s must be a date such as \"2027-03-31\"%s", path,
                            f->type == V_DATE ? " or a time such as \"2027-03-31T18:00:00Z\"" : "");
        return 0;
    }
    case V_CODE:
        return check_code(v, path, f->vocab, e);
    case V_STRING_ARRAY:
    case V_CODE_ARRAY:
    case V_OBJECT_ARRAY:
        if (!json_is_array(v))
            return verr_set(e, path, "%s must be an array", path);
        if ((double)json_array_size(v) < f->min)
            return verr_setz(e, path, f->type == V_STRING_ARRAY ? "{1:f}至少 {2} 项"
                                                                : "请至少选择一项{1:f}",
                             "%s needs at least %g item%s", path, f->min,
                             f->min == 1 ? "" : "s");
        if ((double)json_array_size(v) > f->max)
            return verr_set(e, path, "%s has %zu items; at most %g are allowed", path,
                            json_array_size(v), f->max);
        json_array_foreach(v, i, item) {
            item_path(sub, sizeof sub, path, i);
            int rc = f->type == V_STRING_ARRAY ? check_string(item, sub, 1, f->item_max, e)
                   : f->type == V_CODE_ARRAY   ? check_code(item, sub, f->vocab, e)
                   : !json_is_object(item)     ? verr_set(e, sub, "%s must be an object", sub)
                                               : validate_at(item, f->sub, sub, e);
            if (rc < 0)
                return rc;
            if (f->type == V_CODE_ARRAY)
                for (size_t j = 0; j < i; j++)
                    if (json_equal(json_array_get(v, j), item))
                        return verr_set(e, sub, "%s repeats \"%s\"", sub, json_string_value(item));
        }
        return 0;
    case V_OBJECT:
        if (!json_is_object(v))
            return verr_set(e, path, "%s must be an object", path);
        return validate_at(v, f->sub, path, e);
    case V_ANY_OBJECT:
        if (!json_is_object(v))
            return verr_set(e, path, "%s must be an object", path);
        if (json_depth(v, VALIDATE_MAX_DEPTH + 1) > VALIDATE_MAX_DEPTH)
            return verr_set(e, path, "%s nests more than %d levels deep", path,
                            VALIDATE_MAX_DEPTH);
        return 0;
    }
    return verr_set(e, path, "%s must be %s", path, type_word(f->type));
}

static int validate_at(json_t *obj, const struct vfield *spec, const char *base,
                       struct verr *e)
{
    char path[200];
    const char *key;
    json_t *v;
    void *tmp;
    /* Nulls are absent; unknown members are named. */
    json_object_foreach_safe(obj, tmp, key, v) {
        if (json_is_null(v)) {
            json_object_del(obj, key);
            continue;
        }
        const struct vfield *f = spec;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name) {
            join_path(path, sizeof path, base, key);
            return verr_set(e, path, "unknown field \"%s\"", path);
        }
    }
    for (const struct vfield *f = spec; f->name; f++) {
        join_path(path, sizeof path, base, f->name);
        v = json_object_get(obj, f->name);
        if (!v) {
            if (f->required)
                return verr_set(e, path, "%s is required", path);
            continue;
        }
        if (check_field(v, f, path, e) < 0)
            return -1;
    }
    return 0;
}

int validate(json_t *obj, const struct vfield *spec, struct verr *e)
{
    if (!json_is_object(obj))
        return verr_set(e, "", "the body must be a JSON object");
    return validate_at(obj, spec, "", e);
}

json_t *json_merge_patch(const json_t *target, const json_t *patch)
{
    if (!json_is_object(patch))
        return json_deep_copy(patch);
    json_t *out = json_is_object(target) ? json_deep_copy(target) : json_object();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)patch, key, v) {
        if (json_is_null(v))
            json_object_del(out, key);
        else
            json_object_set_new(out, key, json_merge_patch(json_object_get(out, key), v));
    }
    return out;
}
