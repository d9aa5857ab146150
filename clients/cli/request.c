/*
 * request.c - from parsed arguments to one HTTP exchange and its output.
 *
 * Every verb is data (main.c's VERBS table): a method, a path template
 * whose {0}, {1} take the positional arguments (percent-encoded), and
 * option tables that say where each option goes - the JSON body at a
 * dotted path ("price.min"), the query string, or the client itself.
 * request_run() is therefore the only handler; the few verb-specific
 * behaviours are flags: VF_PAGED (--all follows next_cursor and joins the
 * pages), VF_POS_QUERY (search's words become `q`), VF_POS_IDS (a 案例集's
 * cases become `ids`), VB_NDJSON (the file is the body) and --out (a
 * binary answer such as a PDF is written to a file, issue 19).
 *
 * Output: a person at a terminal gets fmt_view(); a pipe gets the answer's
 * JSON exactly as the server sent it (compact), and --json on a terminal
 * pretty-prints it.  Exit status: 0 on 2xx; 1 on anything else (4xx/5xx),
 * with the server's message on stderr; 2 for arguments the client itself
 * rejects; 3 when the server cannot be reached.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Print "shucu VERB: what arg" and return CLI_EXIT_USAGE. */
static int usage_error(const struct verb *v, const char *what, const char *arg)
{
    fprintf(stderr, "shucu %s: %s%s\n(see: shucu %s --help)\n", v->name, what, arg, v->name);
    return CLI_EXIT_USAGE;
}

/* Check an FT_INT / FT_NUM value; 0 if it parses completely. */
static int parse_number(const struct field *f, const char *s, double *out)
{
    char *end;
    errno = 0;
    if (f->type == FT_INT) {
        long long v = strtoll(s, &end, 10);
        *out = (double)v;
    } else {
        *out = strtod(s, &end);
    }
    return (*s && !*end && errno == 0) ? 0 : -1;
}

/* The path with {N} replaced by positional N, percent-encoded. */
static void build_path(struct sbuf *b, const char *tmpl, const struct args *a)
{
    for (const char *p = tmpl; *p; p++) {
        if (*p == '{' && p[1] >= '0' && p[1] <= '9' && p[2] == '}') {
            int i = p[1] - '0';
            if (i < a->npos)
                sbuf_escape(b, a->pos[i]);
            p += 2;
        } else {
            sbuf_add(b, p, 1);
        }
    }
}

/* Append the query string (starting with '?' if non-empty) for a. */
static int build_query(struct sbuf *b, const struct args *a)
{
    const struct verb *v = a->verb;
    char sep = '?';
    if ((v->flags & VF_POS_IDS) && a->npos) {
        sbuf_puts(b, "?ids=");
        for (int i = 0; i < a->npos; i++) {
            if (i)
                sbuf_puts(b, ",");
            sbuf_escape(b, a->pos[i]);
        }
        sep = '&';
    }
    if ((v->flags & VF_POS_QUERY) && a->npos) {
        struct sbuf q = {0};
        for (int i = 0; i < a->npos; i++) {
            if (i)
                sbuf_puts(&q, " ");
            sbuf_puts(&q, a->pos[i]);
        }
        sbuf_puts(b, "?q=");
        sbuf_escape(b, q.s);
        sbuf_free(&q);
        sep = '&';
    }
    for (int i = 0; i < a->nopts; i++) {
        const struct field *f = a->opts[i].field;
        double d;
        if (f->at != FA_QUERY)
            continue;
        if ((f->type == FT_INT || f->type == FT_NUM) && parse_number(f, a->opts[i].value, &d) < 0)
            return usage_error(v, "not a number: ", a->opts[i].value);
        sbuf_printf(b, "%c%s=", sep, f->key);
        sbuf_escape(b, f->type == FT_FLAG ? "1" : a->opts[i].value);
        sep = '&';
    }
    return 0;
}

/* The object at dotted path `key` under root, made if missing; *last gets
 * the final segment (pointing into key). */
static json_t *body_parent(json_t *root, const char *key, char *seg, size_t segsz, const char **last)
{
    json_t *o = root;
    for (;;) {
        const char *dot = strchr(key, '.');
        if (!dot) {
            *last = key;
            return o;
        }
        size_t n = (size_t)(dot - key);
        if (n >= segsz)
            n = segsz - 1;
        memcpy(seg, key, n);
        seg[n] = '\0';
        json_t *child = json_object_get(o, seg);
        if (!json_is_object(child)) {
            child = json_object();
            json_object_set_new(o, seg, child);
        }
        o = child;
        key = dot + 1;
    }
}

/*
 * The JSON body: --file's object (if given), then each FA_BODY option on
 * top.  A list option given on the command line replaces the file's list.
 * Returns 0 with *out owned by the caller, or an exit status.
 */
static int build_body(const struct args *a, json_t **out)
{
    const struct verb *v = a->verb;
    const char *file = args_get(a, "file");
    json_t *root = NULL;
    char seg[64];
    int rc = 0;
    *out = NULL;
    if (file) {
        json_error_t je;
        char *text = NULL;
        size_t len;
        int e = util_read_file(file, &text, &len);
        if (e < 0) {
            fprintf(stderr, "shucu: cannot read %s: %s\n", file, strerror(-e));
            return CLI_EXIT_USAGE;
        }
        root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        free(text);
        if (!json_is_object(root)) {
            fprintf(stderr, "shucu: %s:%d: %s\n", file, je.line,
                    root ? "the file must hold one JSON object" : je.text);
            rc = CLI_EXIT_USAGE;
            goto cleanup;
        }
    } else {
        root = json_object();
    }
    /* Lists named on the command line start empty. */
    for (int i = 0; i < a->nopts; i++) {
        const struct field *f = a->opts[i].field;
        const char *last = NULL;
        if (f->at == FA_BODY && f->type == FT_LIST) {
            json_t *parent = body_parent(root, f->key, seg, sizeof seg, &last);
            json_object_set_new(parent, last, json_array());
        }
    }
    for (int i = 0; i < a->nopts; i++) {
        const struct field *f = a->opts[i].field;
        const char *val = a->opts[i].value, *last = NULL;
        double d;
        if (f->at != FA_BODY)
            continue;
        json_t *parent = body_parent(root, f->key, seg, sizeof seg, &last);
        switch (f->type) {
        case FT_LIST:
            json_array_append_new(json_object_get(parent, last), json_string(val));
            break;
        case FT_INT:
        case FT_NUM:
            if (parse_number(f, val, &d) < 0) {
                rc = usage_error(v, "not a number: ", val);
                goto cleanup;
            }
            json_object_set_new(parent, last, f->type == FT_INT ? json_integer((json_int_t)d) : json_real(d));
            break;
        case FT_FLAG:
            json_object_set_new(parent, last, json_true());
            break;
        case FT_STR:
            json_object_set_new(parent, last, json_string(val));
            break;
        case FT_KV: {
            const char *eq = strchr(val, '=');
            if (!eq || eq == val || parse_number(&(struct field){.type = FT_INT}, eq + 1, &d) < 0) {
                rc = usage_error(v, "want NAME=N, not ", val);
                goto cleanup;
            }
            json_t *obj = json_object_get(parent, last);
            if (!json_is_object(obj)) {
                obj = json_object();
                json_object_set_new(parent, last, obj);
            }
            char *name = xmalloc((size_t)(eq - val) + 1);
            memcpy(name, val, (size_t)(eq - val));
            name[eq - val] = '\0';
            json_object_set_new(obj, name, json_integer((json_int_t)d));
            free(name);
            break;
        }
        }
    }
    *out = root;
    root = NULL; /* ownership passes to the caller */
cleanup:
    json_decref(root);
    return rc;
}

/* Send one request; maps transport failures and 4xx/5xx to an exit status
 * (message printed), 0 for a 2xx with *doc holding the parsed answer (may be
 * NULL for a non-JSON body) and r the raw one. */
static int exchange(const struct cli_conf *conf, const char *method, const char *target,
                    const char *ctype, const char *body, size_t len, struct http_resp *r, json_t **doc)
{
    char err[256];
    *doc = NULL;
    int rc = http_request(conf, method, target, ctype, body, len, r, err, sizeof err);
    if (rc == HTTP_EUNREACHABLE) {
        fprintf(stderr, "shucu: cannot reach %s: %s (is shucud running? set --url or SHUCU_URL)\n",
                conf->url, err);
        return CLI_EXIT_UNREACHABLE;
    }
    if (rc < 0) {
        fprintf(stderr, "shucu: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    if (r->status >= 300 || r->status < 200) {
        fmt_error(stderr, r);
        return CLI_EXIT_FAIL;
    }
    *doc = json_loadb(r->body, r->len, 0, NULL);
    return CLI_EXIT_OK;
}

/* Write the answer: raw bytes (pipe), pretty JSON (--json on a terminal)
 * or a view.  raw may be NULL when doc was assembled by the client. */
static void output(const struct cli_conf *conf, const struct args *a, json_t *doc, const char *raw, size_t len)
{
    if (conf->tty && !conf->json && doc) {
        struct view_opts o = {conf->termw, args_get(a, "explain") != NULL};
        fmt_view(stdout, a->verb->view, doc, &o);
        return;
    }
    if (conf->tty || !raw) {
        size_t flags = JSON_REAL_PRECISION(15) | (conf->tty ? JSON_INDENT(2) : JSON_COMPACT);
        char *s = doc ? json_dumps(doc, flags) : NULL;
        if (s) {
            puts(s);
            free(s);
            return;
        }
    }
    if (raw) {
        fwrite(raw, 1, len, stdout);
        if (!len || raw[len - 1] != '\n')
            putchar('\n');
    }
}

/* GET every page of a list, joining the items into one {"items", "next_cursor": null}. */
static int run_paged(const struct cli_conf *conf, const struct args *a, const char *target)
{
    int rc = CLI_EXIT_OK;
    json_t *all = json_array(), *doc = NULL;
    char *cursor = NULL;
    struct sbuf t = {0};
    for (;;) {
        struct http_resp r = {0};
        t.len = 0;
        sbuf_puts(&t, target);
        if (cursor) {
            sbuf_puts(&t, strchr(target, '?') ? "&cursor=" : "?cursor=");
            sbuf_escape(&t, cursor);
        }
        rc = exchange(conf, "GET", t.s, NULL, NULL, 0, &r, &doc);
        http_resp_free(&r);
        if (rc != CLI_EXIT_OK)
            goto cleanup;
        json_array_extend(all, json_object_get(doc, "items"));
        json_t *next = json_object_get(doc, "next_cursor");
        free(cursor);
        cursor = json_is_string(next) && json_string_length(next) ? xstrdup(json_string_value(next)) : NULL;
        json_decref(doc);
        doc = NULL;
        if (!cursor)
            break;
    }
    doc = json_pack("{s:O, s:n}", "items", all, "next_cursor");
    output(conf, a, doc, NULL, 0);
cleanup:
    free(cursor);
    json_decref(doc);
    json_decref(all);
    sbuf_free(&t);
    return rc;
}

int request_run(const struct cli_conf *conf, const struct args *a)
{
    const struct verb *v = a->verb;
    struct sbuf target = {0};
    struct http_resp r = {0};
    json_t *body = NULL, *doc = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc;

    build_path(&target, v->path, a);
    if ((rc = build_query(&target, a)) != 0)
        goto cleanup;
    if (v->flags & VF_PAGED && args_get(a, "all")) {
        if (args_get(a, "cursor")) {
            rc = usage_error(v, "--all and --cursor do not go together", "");
            goto cleanup;
        }
        rc = run_paged(conf, a, target.s);
        goto cleanup;
    }
    if (v->body == VB_JSON) {
        if ((rc = build_body(a, &body)) != 0)
            goto cleanup;
        text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(17));
        len = text ? strlen(text) : 0;
    } else if (v->body == VB_NDJSON) {
        int e = util_read_file(a->pos[0], &text, &len);
        if (e < 0) {
            fprintf(stderr, "shucu: cannot read %s: %s\n", a->pos[0], strerror(-e));
            rc = CLI_EXIT_USAGE;
            goto cleanup;
        }
    }
    rc = exchange(conf, v->method, target.s, v->ctype, text, len, &r, &doc);
    const char *outfile = args_get(a, "out");
    if (rc == CLI_EXIT_OK && outfile && *outfile) {
        /* a file the server made (a 案例集 PDF): its bytes, as sent */
        FILE *f = strcmp(outfile, "-") == 0 ? stdout : fopen(outfile, "wb");
        if (!f || fwrite(r.body, 1, r.len, f) != r.len || (f != stdout && fclose(f) != 0)) {
            fprintf(stderr, "shucu: cannot write %s: %s\n", outfile, strerror(errno));
            rc = CLI_EXIT_FAIL;
        } else if (f != stdout) {
            fprintf(stderr, "shucu: wrote %zu bytes to %s\n", r.len, outfile);
        }
    } else if (rc == CLI_EXIT_OK)
        output(conf, a, doc, r.body, r.len);
    /* a bulk import that saved some lines and refused others */
    if (rc == CLI_EXIT_OK && v->body == VB_NDJSON &&
        json_integer_value(json_object_get(doc, "failed")) > 0)
        rc = CLI_EXIT_PARTIAL;
cleanup:
    free(text);
    json_decref(body);
    json_decref(doc);
    http_resp_free(&r);
    sbuf_free(&target);
    return rc;
}

/* Report a 4xx/5xx answer on stderr: the server's message, its field and
 * code (cli.h). */
void fmt_error(FILE *err, const struct http_resp *r)
{
    json_t *doc = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
    json_t *e = json_object_get(doc, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *field = json_string_value(json_object_get(e, "field"));
    if (msg) {
        fprintf(err, "shucu: %s", msg);
        if (field)
            fprintf(err, " (field: %s)", field);
        fprintf(err, " [%ld %s]", r->status, code ? code : "error");
    } else {
        int n = r->len > 200 ? 200 : (int)r->len;
        fprintf(err, "shucu: HTTP %ld%s%.*s", r->status, n ? ": " : "", n, r->body ? r->body : "");
    }
    if (*r->retry_after)
        fprintf(err, "; retry after %s s", r->retry_after);
    fputc('\n', err);
    json_decref(doc);
}
