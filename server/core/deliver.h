/*
 * deliver.h - the webhook sender: one background thread per process that
 * posts due webhook deliveries (written by notify_add, api/notify.h) and
 * records every attempt.
 *
 * Workers never send webhooks: a slow or dead receiver cannot hold a
 * request.  The thread has its own SQLite connection and polls for due
 * deliveries (an indexed read, every DELIVER_POLL_MS); several processes
 * on one database may all run it, since a delivery is leased (lease_ms) in
 * a write transaction before it is sent, so no two send the same one.
 *
 * Each POST carries the notification as JSON ("json"), or as a text
 * message for a WeChat Work ("wecom") or DingTalk ("dingtalk") group bot,
 * and these headers:
 *   X-Shucu-Event: <kind>            X-Shucu-Delivery: <delivery id>
 *   X-Shucu-Timestamp: <unix seconds>
 *   X-Shucu-Signature: sha256=<hex HMAC-SHA256(secret, timestamp "." body)>
 * A 2xx is delivered.  Anything else (a status, a timeout after 10 s, a
 * refused connection) is retried after backoff, backoff * 4, * 16, ...
 * (--webhook-backoff-ms, default 10 s) up to DELIVER_ATTEMPTS attempts,
 * then the delivery is failed.  Redirects are not followed.  Unless
 * --webhook-private 1, an address that resolves to loopback, a private or
 * link-local network is refused before connecting (a webhook must not be
 * a way into the server's own network).
 */
#ifndef SHUCU_DELIVER_H
#define SHUCU_DELIVER_H

#include "config.h"

#define DELIVER_ATTEMPTS 6
#define DELIVER_POLL_MS 250
#define DELIVER_TIMEOUT_MS 10000

/* Starts the thread (curl initialised, its own database connection).
 * 0, or -1 after logging why. */
int deliver_start(const struct config *cfg);
/* Stops it: an attempt in flight is abandoned (and retried later), the
 * thread joined.  Safe to call when it never started. */
void deliver_stop(void);

/* The signature header's value for body sent at timestamp ts with secret:
 * "sha256=" and 64 hex digits, into out (at least 72 bytes). */
void deliver_sign(const char *secret, long long ts, const char *body, size_t len, char *out);

#endif
