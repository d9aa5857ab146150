/*
 * httpd_parse.c - a request head, parsed strictly (RFC 9112), for httpd.c.
 *
 * The request line is METHOD SP TARGET SP HTTP/1.x with a token for the
 * method and a path beginning with / for the target; header names are
 * tokens, values hold no control character but tab, no line is folded,
 * and nowhere is there a NUL or a CR that does not end a line.  The fields
 * the body's framing depends on are checked here, where they are read:
 * Content-Length is digits and, if repeated, the same; Transfer-Encoding
 * is chunked or the request is refused; both together are refused; an
 * HTTP/1.1 request has exactly one Host and any request at most one
 * Authorization.
 */
#include "httpd_parse.h"

#include "route.h"
#include "util.h"

#include <event2/http.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_HEADERS 100 /* header fields in one request */

static int is_tchar(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static int method_code(const char *s, int *head_only)
{
    static const struct {
        const char *name;
        int m;
    } M[] = {{"GET", M_GET},   {"HEAD", M_GET},     {"POST", M_POST},
             {"PUT", M_PUT},   {"PATCH", M_PATCH},  {"DELETE", M_DELETE}};
    *head_only = strcmp(s, "HEAD") == 0;
    for (size_t i = 0; i < sizeof M / sizeof M[0]; i++)
        if (strcmp(s, M[i].name) == 0)
            return M[i].m;
    return 0;
}

/* 1 when v is a list of tokens one of which equals tok (case-insensitive):
 * "Connection: keep-alive, Upgrade". */
int has_token(const char *v, const char *tok)
{
    size_t tl = strlen(tok);
    while (v && *v) {
        v += strspn(v, " \t,");
        size_t n = strcspn(v, ",");
        size_t e = n;
        while (e && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e == tl && strncasecmp(v, tok, tl) == 0)
            return 1;
        v += n;
    }
    return 0;
}

/* Parses a Content-Length value: digits only, no overflow.  0 or -1. */
static int parse_length(const char *v, int64_t *out)
{
    int64_t n = 0;
    if (!*v)
        return -1;
    for (; *v; v++) {
        if (*v < '0' || *v > '9' || n > (INT64_MAX - 9) / 10)
            return -1;
        n = n * 10 + (*v - '0');
    }
    *out = n;
    return 0;
}

/*
 * Parses the head text[0..len) (the request line and the header lines,
 * each ending in CRLF, without the final empty line) into m.  Returns 0,
 * or an HTTP status with *why set.
 */
int parse_head(struct hmsg *m, char *text, size_t len, const char **why)
{
    /* No NUL, and CR only as part of CRLF. */
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == 0 || (ch == '\r' && (i + 1 >= len || text[i + 1] != '\n')) ||
            (ch == '\n' && (i == 0 || text[i - 1] != '\r'))) {
            *why = "the request head holds a NUL byte or a bare CR or LF";
            return 400;
        }
    }
    char *save = NULL;
    char *line = strtok_r(text, "\r\n", &save);
    /* request-line = method SP request-target SP HTTP-version */
    char *sp1 = line ? strchr(line, ' ') : NULL;
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || strchr(sp2 + 1, ' ') || sp1 == line || sp2 == sp1 + 1) {
        *why = "the request line must be METHOD TARGET HTTP/1.1";
        return 400;
    }
    *sp1 = *sp2 = '\0';
    for (char *p = line; *p; p++)
        if (!is_tchar((unsigned char)*p)) {
            *why = "the method is not a token";
            return 400;
        }
    snprintf(m->method_name, sizeof m->method_name, "%s", line);
    m->method = method_code(line, &m->head_only);
    if (strcmp(sp2 + 1, "HTTP/1.1") == 0)
        m->minor = 1;
    else if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
        m->minor = 0;
    else {
        *why = "only HTTP/1.0 and HTTP/1.1 are served";
        return 400;
    }
    const char *target = sp1 + 1;
    for (const char *p = target; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p == 0x7f) {
            *why = "the request target holds a control character or a space";
            return 400;
        }
    if (target[0] != '/') {
        *why = "the request target must be a path beginning with /";
        return 400;
    }
    m->target = xstrdup(target);
    int nhdr = 0, nhost = 0, nauth = 0, te = 0;
    const char *cl = NULL;
    while ((line = strtok_r(NULL, "\r\n", &save))) {
        if (++nhdr > MAX_HEADERS) {
            *why = "too many header fields";
            return 431;
        }
        char *colon = strchr(line, ':');
        if (line[0] == ' ' || line[0] == '\t') {
            *why = "folded header lines are not accepted";
            return 400;
        }
        if (!colon || colon == line) {
            *why = "a header line has no name and colon";
            return 400;
        }
        *colon = '\0';
        for (char *p = line; *p; p++)
            if (!is_tchar((unsigned char)*p)) {
                *why = "a header name is not a token";
                return 400;
            }
        char *v = colon + 1;
        v += strspn(v, " \t");
        size_t vl = strlen(v);
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
            v[--vl] = '\0';
        for (char *p = v; *p; p++)
            if ((unsigned char)*p < ' ' && *p != '\t') {
                *why = "a header value holds a control character";
                return 400;
            }
        if (strcasecmp(line, "Host") == 0)
            nhost++;
        else if (strcasecmp(line, "Authorization") == 0)
            nauth++;
        else if (strcasecmp(line, "Transfer-Encoding") == 0) {
            te++;
            if (strcasecmp(v, "chunked") != 0) {
                *why = "the only transfer coding taken is chunked";
                return 400;
            }
        } else if (strcasecmp(line, "Content-Length") == 0) {
            int64_t n;
            if (parse_length(v, &n) < 0) {
                *why = "Content-Length must be a number of bytes";
                return 400;
            }
            if (cl && strcmp(cl, v) != 0) {
                *why = "the request gives its length twice (Content-Length values that differ)";
                return 400;
            }
            cl = v;
            m->content_length = n;
        }
        evhttp_add_header(&m->in, line, v);
    }
    if (te > 1 || (te && cl)) {
        *why = "the request gives its length twice (Content-Length and Transfer-Encoding)";
        return 400;
    }
    if (te && m->minor == 0) {
        *why = "HTTP/1.0 has no chunked transfer coding";
        return 400;
    }
    if (nhost > 1 || (m->minor == 1 && nhost == 0)) {
        *why = nhost ? "the request names its Host twice" : "an HTTP/1.1 request needs a Host header";
        return 400;
    }
    if (nauth > 1) {
        *why = "the request has two Authorization headers";
        return 400;
    }
    m->chunked = te;
    m->has_body = te || m->content_length > 0;
    return 0;
}

