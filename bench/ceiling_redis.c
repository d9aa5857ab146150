/*
 * ceiling_redis.c - the cached-answer ceiling: a bare libevent evhttp
 * server (one thread) that, for every request, GETs one key from Redis
 * over an asynchronous hiredis connection on the same event loop (as
 * shucud's cache does) and answers its value as JSON.  This is the least
 * a server that serves cached answers from Redis has to do per request:
 * one HTTP exchange and one Redis round trip.
 *
 *   ceiling_redis PORT REDIS_HOST REDIS_PORT KEY
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static redisAsyncContext *ac;
static const char *key;
static int stopping;

static void on_get(redisAsyncContext *c, void *reply, void *priv)
{
    struct evhttp_request *req = priv;
    redisReply *r = reply;
    if (!req)
        return;
    if (!r || r->type != REDIS_REPLY_STRING) {
        evhttp_send_error(req, 503, "cache miss");
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/json; charset=utf-8");
    evbuffer_add(evhttp_request_get_output_buffer(req), r->str, r->len);
    evhttp_send_reply(req, 200, "OK", NULL);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    if (!ac || redisAsyncCommand(ac, on_get, req, "GET %s", key) != REDIS_OK)
        evhttp_send_error(req, 503, "redis unavailable");
}

static void on_disconnect(const redisAsyncContext *c, int status)
{
    if (!stopping)
        fprintf(stderr, "ceiling_redis: redis disconnected\n");
    ac = NULL;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    stopping = 1;
    event_base_loopexit(arg, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: ceiling_redis PORT REDIS_HOST REDIS_PORT KEY\n");
        return 2;
    }
    key = argv[4];
    signal(SIGPIPE, SIG_IGN);
    struct event_base *base = event_base_new();
    ac = redisAsyncConnect(argv[2], atoi(argv[3]));
    if (!ac || ac->err) {
        fprintf(stderr, "ceiling_redis: cannot connect to redis %s:%s\n", argv[2], argv[3]);
        return 1;
    }
    redisLibeventAttach(ac, base);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    struct evhttp *http = evhttp_new(base);
    if (!http || evhttp_bind_socket(http, "127.0.0.1", (unsigned short)atoi(argv[1])) < 0) {
        fprintf(stderr, "ceiling_redis: cannot listen on 127.0.0.1:%s\n", argv[1]);
        return 1;
    }
    evhttp_set_gencb(http, on_request, NULL);
    struct event *term = evsignal_new(base, SIGTERM, on_signal, base);
    struct event *intr = evsignal_new(base, SIGINT, on_signal, base);
    event_add(term, NULL);
    event_add(intr, NULL);
    event_base_dispatch(base);
    if (ac)
        redisAsyncDisconnect(ac);
    event_free(term);
    event_free(intr);
    evhttp_free(http);
    event_base_free(base);
    return 0;
}
