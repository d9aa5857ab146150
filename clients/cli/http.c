/*
 * http.c - one HTTP exchange with shucud through libcurl.
 *
 * A request uses its own easy handle: the client makes one or a few
 * requests per run, so connection reuse is not worth shared state.  The
 * only global state is libcurl's own (curl_global_init, called once from
 * main).
 *
 * An answer of any status is a success here: the caller decides what a 4xx
 * means.  Only failing to get an answer at all (refused, DNS, timeout) is
 * an error, reported as a short lower-case reason for the caller to wrap
 * in "cannot reach URL: …".  Every request has a CLI_TIMEOUT_S limit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "cli.h"

int http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : HTTP_EINIT;
}

void http_global_cleanup(void)
{
    curl_global_cleanup();
}

static size_t http_on_body(char *data, size_t size, size_t n, void *ud)
{
    sbuf_add(ud, data, size * n);
    return size * n;
}

/* Keeps Retry-After (for 429/503); the other headers are not needed. */
static size_t http_on_header(char *data, size_t size, size_t n, void *ud)
{
    static const char NAME[] = "retry-after:";
    size_t len = size * n;
    char *dst = ud;
    if (len > sizeof NAME - 1 && strncasecmp(data, NAME, sizeof NAME - 1) == 0) {
        const char *v = data + sizeof NAME - 1;
        size_t vl = len - (sizeof NAME - 1);
        while (vl && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
            vl--;
        if (vl >= 32)
            vl = 31;
        memcpy(dst, v, vl);
        dst[vl] = '\0';
    }
    return len;
}

/* A plain reason for a transport failure, e.g. "connection refused". */
static void http_reason(CURL *h, CURLcode cc, const char *ebuf, char *err, size_t errlen)
{
    long oserr = 0;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
    if (cc == CURLE_OPERATION_TIMEDOUT)
        snprintf(err, errlen, "no answer within %ld s", CLI_TIMEOUT_S);
    else if (cc == CURLE_COULDNT_CONNECT && oserr == ECONNREFUSED)
        snprintf(err, errlen, "connection refused");
    else if (cc == CURLE_COULDNT_RESOLVE_HOST)
        snprintf(err, errlen, "unknown host");
    else if (oserr)
        snprintf(err, errlen, "%s", strerror((int)oserr));
    else
        snprintf(err, errlen, "%s", *ebuf ? ebuf : curl_easy_strerror(cc));
}

int http_request(const struct cli_conf *conf, const char *method, const char *target,
                 const char *ctype, const char *body, size_t body_len,
                 struct http_resp *out, char *err, size_t errlen)
{
    int rc = HTTP_OK;
    struct sbuf url = {0}, resp = {0}, auth = {0}, ct = {0};
    struct curl_slist *hdrs = NULL;
    char ebuf[CURL_ERROR_SIZE] = "";
    CURL *h = curl_easy_init();
    memset(out, 0, sizeof *out);
    if (!h) {
        snprintf(err, errlen, "cannot initialise libcurl");
        rc = HTTP_EINIT;
        goto cleanup;
    }
    size_t ul = strlen(conf->url);
    while (ul && conf->url[ul - 1] == '/')
        ul--;
    sbuf_add(&url, conf->url, ul);
    sbuf_puts(&url, target);

    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    if (conf->key && *conf->key) {
        sbuf_printf(&auth, "Authorization: Bearer %s", conf->key);
        hdrs = curl_slist_append(hdrs, auth.s);
    }
    if (body) {
        sbuf_printf(&ct, "Content-Type: %s", ctype ? ctype : "application/json");
        hdrs = curl_slist_append(hdrs, ct.s);
        hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
    }
    sbuf_add(&resp, "", 0);

    curl_easy_setopt(h, CURLOPT_URL, url.s);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "shucu-cli/0.1");
    curl_easy_setopt(h, CURLOPT_TIMEOUT, CLI_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CLI_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, out->retry_after);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }

    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        http_reason(h, cc, ebuf, err, errlen);
        rc = HTTP_EUNREACHABLE;
        goto cleanup;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = resp.s;
    out->len = resp.len;
    resp.s = NULL; /* ownership passes to *out */
cleanup:
    if (h)
        curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    sbuf_free(&url);
    sbuf_free(&resp);
    sbuf_free(&auth);
    sbuf_free(&ct);
    return rc;
}

void http_resp_free(struct http_resp *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}
