/*
 * validate.h - JSON validation driven by field tables.
 *
 * A record type is described by a static array of struct vfield ending
 * with a {NULL} row.  validate() walks the table: required fields,
 * types, lengths in characters (not bytes), numeric ranges, taxonomy
 * codes, nested objects and arrays of objects.  A field not in the table
 * is rejected by name.  On failure it fills struct verr with a JSON path
 * ("industries[2]", "price.min") and a message, which the caller turns
 * into one 422 invalid_field.  Null values count as absent and are
 * removed from the object, so stored documents never hold nulls.
 *
 * Strings may not hold control characters other than tab, newline and
 * carriage return.
 *
 * Rules that relate two fields (price.min <= price.max) are checked by
 * the record's module after validate() succeeds.
 */
#ifndef SHUCU_VALIDATE_H
#define SHUCU_VALIDATE_H

#include <jansson.h>

enum vtype {
    V_STRING,       /* min..max characters */
    V_INT,          /* integer in min..max */
    V_NUMBER,       /* finite number in min..max */
    V_BOOL,
    V_DATE,         /* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" */
    V_DAY,          /* exactly "YYYY-MM-DD", a real calendar day */
    V_CODE,         /* a code of taxonomy vocabulary `vocab` */
    V_STRING_ARRAY, /* min..max items of 1..item_max characters */
    V_CODE_ARRAY,   /* min..max distinct codes of `vocab` */
    V_OBJECT,       /* validated against `sub` */
    V_OBJECT_ARRAY, /* min..max objects validated against `sub` */
    V_ANY_OBJECT,   /* any JSON object, kept as given */
    V_ID,           /* a record id string (ASCII, <= 64 chars) */
};

struct vfield {
    const char *name;
    enum vtype type;
    int required;
    double min, max;
    int vocab;
    const struct vfield *sub;
    int item_max;
};

/* A validation failure: the field's JSON path and the message in
 * English (msg) and in Chinese (msg_zh, zh.h; "" when no translation is
 * known, and the reply then falls back to the generic Chinese sentence). */
struct verr {
    char field[160];
    char msg[256];
    char msg_zh[256];
};

/* 0 when obj satisfies spec; -1 with e filled otherwise.  Removes null
 * members of obj (and of nested objects) as a side effect. */
int validate(json_t *obj, const struct vfield *spec, struct verr *e);

/* Fills e; returns -1 for convenience in `return verr_set(...)`.  The
 * Chinese message comes from zh.h's catalogue, by fmt. */
int verr_set(struct verr *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with the Chinese template given (zh.h: {1}, {1:f}, ...). */
int verr_setz(struct verr *e, const char *field, const char *zh_tpl, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));



/* RFC 7396 JSON merge patch: returns a new reference to the result of
 * applying patch to target (target is not modified). */
json_t *json_merge_patch(const json_t *target, const json_t *patch);

/* The deepest nesting a free-form object (V_ANY_OBJECT, e.g. a resource's
 * attrs) may have; deeper is 422 naming the field.  Well below SQLite's
 * JSON depth limit (2,000), which a stored document must stay under. */
#define VALIDATE_MAX_DEPTH 64

/* The row that ends a field table. */
#define VFIELD_END {NULL, 0, 0, 0, 0, 0, NULL, 0}

#endif
