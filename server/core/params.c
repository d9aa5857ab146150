/*
 * params.c - the query string: plain values, bounded integers, taxonomy
 * filters, flags, and the If-Match header (see req.h).  Each helper that
 * can refuse a value answers 400 bad_param itself, naming the parameter.
 */
#include "req.h"

#include "httpd.h"

#include "cursor.h"
#include "taxonomy.h"
#include "util.h"

#include <event2/http.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *req_query(struct req *r, const char *name)
{
    return evhttp_find_header(&r->query, name);
}

int req_long_param(struct req *r, const char *name, long def, long min,
                   long max, long *out)
{
    const char *v = req_query(r, name);
    if (!v || !*v) {
        *out = def;
        return 0;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || end == v || n < min || n > max) {
        reply_error(r, ERR_BAD_PARAM, name, "%s must be an integer from %ld to %ld", name,
                    min, max);
        return -1;
    }
    *out = n;
    return 0;
}

int req_mask_param(struct req *r, const char *name, int vocab, int64_t *out)
{
    int64_t m = 0;
    struct evkeyval *kv;
    TAILQ_FOREACH(kv, &r->query, next) {
        if (strcmp(kv->key, name) != 0)
            continue;
        /* Accept both repeated parameters and comma-separated lists. */
        char *copy = xstrdup(kv->value), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int i = tax_index((enum tax_vocab)vocab, t);
            if (i < 0) {
                reply_error(r, ERR_BAD_PARAM, name, "unknown %s code \"%s\"",
                            tax_vocab_name((enum tax_vocab)vocab), t);
                free(copy);
                return -1;
            }
            m |= (int64_t)1 << i;
        }
        free(copy);
    }
    *out = m;
    return 0;
}

int req_flag(struct req *r, const char *name)
{
    const char *v = req_query(r, name);
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

int req_if_match(struct req *r, int64_t *version)
{
    *version = 0;
    const char *v = evhttp_find_header(&r->m->in, "If-Match");
    if (!v)
        return 0;
    while (*v == ' ')
        v++;
    if (strncmp(v, "W/", 2) == 0)
        v += 2;
    int quoted = *v == '"';
    if (quoted)
        v++;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (end == v || n < 1 || (quoted && *end++ != '"')) {
        reply_error(r, ERR_BAD_PARAM, "If-Match", "If-Match must be a version such as \"3\"");
        return -1;
    }
    while (*end == ' ')
        end++;
    if (*end) {
        reply_error(r, ERR_BAD_PARAM, "If-Match", "If-Match must be a single version such as \"3\"");
        return -1;
    }
    *version = n;
    return 0;
}

int req_cursor_param(struct req *r, int64_t *after)
{
    const char *c = req_query(r, "cursor");
    *after = INT64_MAX;
    if (!c || !*c)
        return 0;
    if (cursor_parse(c, after) < 0) {
        reply_error(r, ERR_BAD_PARAM, "cursor", "cursor is not one this server returned");
        return -1;
    }
    return 0;
}

json_t *req_next_cursor(int more, int64_t last)
{
    if (!more)
        return json_null();
    char buf[CURSOR_MAX];
    cursor_format(buf, last);
    return json_string(buf);
}

const char *req_header(struct req *r, const char *name)
{
    return r->m ? evhttp_find_header(&r->m->in, name) : NULL;
}

const char *req_peer(struct req *r)
{
    return r->m && r->m->peer && *r->m->peer ? r->m->peer : "?";
}
