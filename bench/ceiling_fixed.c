/*
 * ceiling_fixed.c - the HTTP ceiling: a bare libevent evhttp server (one
 * thread, like `shucud --workers 1`) that answers every request with the
 * same JSON body, read once from a file.  Nothing a real server does per
 * request (routing, parsing, a database, a cache) happens here, so no
 * evhttp server on this machine answers faster.
 *
 *   ceiling_fixed PORT BODY.json
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static char *body;
static size_t body_len;

static void on_request(struct evhttp_request *req, void *arg)
{
    struct evbuffer *out = evhttp_request_get_output_buffer(req);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/json; charset=utf-8");
    evbuffer_add(out, body, body_len);
    evhttp_send_reply(req, 200, "OK", NULL);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    event_base_loopexit(arg, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ceiling_fixed PORT BODY.json\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f || fseek(f, 0, SEEK_END) < 0) {
        perror(argv[2]);
        return 1;
    }
    body_len = (size_t)ftell(f);
    rewind(f);
    body = malloc(body_len + 1);
    if (!body || fread(body, 1, body_len, f) != body_len) {
        perror(argv[2]);
        return 1;
    }
    fclose(f);
    signal(SIGPIPE, SIG_IGN);
    struct event_base *base = event_base_new();
    struct evhttp *http = evhttp_new(base);
    if (!http || evhttp_bind_socket(http, "127.0.0.1", (unsigned short)atoi(argv[1])) < 0) {
        fprintf(stderr, "ceiling_fixed: cannot listen on 127.0.0.1:%s\n", argv[1]);
        return 1;
    }
    evhttp_set_gencb(http, on_request, NULL);
    struct event *term = evsignal_new(base, SIGTERM, on_signal, base);
    struct event *intr = evsignal_new(base, SIGINT, on_signal, base);
    event_add(term, NULL);
    event_add(intr, NULL);
    event_base_dispatch(base);
    event_free(term);
    event_free(intr);
    evhttp_free(http);
    event_base_free(base);
    free(body);
    return 0;
}
