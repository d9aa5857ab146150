/*
 * errpage.c - evhttp's HTML error pages rewritten as JSON (see
 * errpage.h).
 *
 * evhttp_send_error() writes the status line and headers into the
 * output buffer, then the page in one evbuffer_add_buffer(): so the
 * addition that ends with the page's last line carries the whole page,
 * and the response begins at the last "HTTP/1." that starts a line
 * before it (the page and its headers contain none).  Responses queued
 * before it on a keep-alive connection stay as they were.
 */
#include "errpage.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>

static const char TAIL[] = "</BODY></HTML>\n";
#define TAIL_LEN (sizeof TAIL - 1)
#define WINDOW 4096 /* status line, headers and page fit in it */

static _Thread_local int rewriting;

static void rewrite(struct evbuffer *buf, size_t start, int status)
{
    const char *code = "bad_param";
    const char *msg = "the request line or headers are malformed or too long";
    const char *reason = "Bad Request";
    if (status == 413) {
        code = "too_large";
        msg = "the request is too large";
        reason = "Payload Too Large";
    } else if (status == 501 || status == 405) {
        status = 405;
        code = "method_not_allowed";
        msg = "this method is not supported";
        reason = "Method Not Allowed";
    } else if (status != 400) {
        reason = "Error";
    }
    char body[256], head[512];
    int bl = snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n",
                      code, msg);
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\n"
                      "Cache-Control: no-store\r\nConnection: close\r\nContent-Length: %d\r\n\r\n",
                      status, reason, bl);
    struct evbuffer *keep = evbuffer_new();
    if (!keep)
        return;
    size_t len = evbuffer_get_length(buf);
    /* The start may be frozen (see on_output): thawed for the exchange
     * and frozen again, so whoever froze it finds it as it left it. */
    char c;
    int was_frozen = evbuffer_copyout(buf, &c, 1) < 0;
    if (was_frozen)
        evbuffer_unfreeze(buf, 1);
    if (evbuffer_remove_buffer(buf, keep, start) == (int)start &&
        evbuffer_drain(buf, len - start) == 0) {
        evbuffer_add_buffer(buf, keep);
        evbuffer_add(buf, head, (size_t)hl);
        evbuffer_add(buf, body, (size_t)bl);
    } else {
        evbuffer_prepend_buffer(buf, keep); /* leave it as evhttp wrote it */
    }
    if (was_frozen)
        evbuffer_freeze(buf, 1);
    evbuffer_free(keep);
}

static void on_output(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    (void)arg;
    /* The page is 80-200 bytes, added at once; most additions are not. */
    if (rewriting || info->n_added < 60 || info->n_added > 256)
        return;
    size_t len = evbuffer_get_length(buf);
    if (len < info->n_added || len < TAIL_LEN)
        return;
    char win[WINDOW + 1];
    size_t w = len < WINDOW ? len : WINDOW;
    /* evbuffer_copyout_from() refuses a buffer whose start is frozen
     * (as a socket bufferevent's output is while evhttp fills it between
     * two requests); evbuffer_peek() reads it anyway. */
    struct evbuffer_ptr p;
    if (evbuffer_ptr_set(buf, &p, len - w, EVBUFFER_PTR_SET) < 0)
        return;
    struct evbuffer_iovec v[16];
    int nv = evbuffer_peek(buf, (ev_ssize_t)w, &p, v, 16);
    if (nv < 0 || nv > 16)
        return;
    size_t got = 0;
    for (int i = 0; i < nv && got < w; i++) {
        size_t take = v[i].iov_len < w - got ? v[i].iov_len : w - got;
        memcpy(win + got, v[i].iov_base, take);
        got += take;
    }
    if (got != w)
        return;
    win[w] = '\0';
    if (memcmp(win + w - TAIL_LEN, TAIL, TAIL_LEN) != 0)
        return;
    const char *page = win + w - info->n_added;
    if (strncmp(page, "<HTML><HEAD>", 12) != 0)
        return;
    /* The last "HTTP/1." that starts a line, before the page. */
    size_t at = (size_t)-1;
    for (size_t i = (size_t)(page - win); i-- > 0;)
        if (!strncmp(win + i, "HTTP/1.", 7) && (i > 0 ? win[i - 1] == '\n' : w == len)) {
            at = i;
            break;
        }
    int status;
    if (at == (size_t)-1 || sscanf(win + at + 9, "%3d", &status) != 1)
        return;
    rewriting = 1;
    rewrite(buf, len - w + at, status);
    rewriting = 0;
}

void errpage_watch(struct evbuffer *out)
{
    evbuffer_add_cb(out, on_output, NULL);
}
