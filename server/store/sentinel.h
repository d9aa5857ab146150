/*
 * sentinel.h - where the Redis master is, asked of Redis Sentinel.
 *
 * With `--redis sentinel://[:password@]host:port[,host:port…]/mastername`
 * the cache (cache.c) does not connect to a fixed address: it asks the
 * sentinels, one after another, `SENTINEL get-master-addr-by-name`, and
 * connects there.  hiredis 0.14 knows nothing of Sentinel, so this is the
 * small part of it shucu needs.  After a failover the old master answers
 * as a replica (ROLE) or refuses writes (READONLY); the cache then asks
 * again.  Everything runs on the worker's event loop; nothing blocks.
 */
#ifndef SHUCU_SENTINEL_H
#define SHUCU_SENTINEL_H

#include <event2/event.h>

struct sentinel;

/* The sentinels and master name of spec ("h:p[,h:p…]/name"), or NULL when
 * spec is malformed. */
struct sentinel *sentinel_new(struct event_base *base, const char *spec);
void sentinel_free(struct sentinel *s);

/* 0 when spec is one sentinel_new() takes, else -1. */
int sentinel_spec_valid(const char *spec);

/* Asks the sentinels where the master is, each with a 500 ms deadline, and
 * calls done(arg, host, port) once: host is NULL when none answered.  A
 * resolve already under way is not started again (done is called once,
 * for the first caller's arg). */
typedef void (*sentinel_done_fn)(void *arg, const char *host, int port);
void sentinel_resolve(struct sentinel *s, sentinel_done_fn done, void *arg);

#endif
