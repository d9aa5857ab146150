/*
 * errpage.h - evhttp's own error pages, rewritten as the contract's JSON.
 *
 * libevent 2.1 answers some requests itself, before any callback of ours
 * runs: a request line or headers over the size limit or malformed (400),
 * a body over the limit (413), a method it does not know (501).  It
 * writes an HTML page ("<HTML><HEAD><TITLE>400 Bad Request</TITLE>…") and
 * offers no hook to change it: evhttp_set_errorcb arrived in 2.2, and
 * Debian 12 has 2.1.  So the server watches each connection's output
 * buffer (conn.c makes the bufferevents): when a chunk ending with that
 * page's fixed last line is added, the response it ends is replaced, in
 * the buffer, before a byte of it reaches the socket, by
 *     {"error": {"code": "bad_param" | "too_large" | "method_not_allowed",
 *                "message": "…"}}
 * with the same status (501 becomes 405), Content-Type application/json
 * and Connection: close.  The message is English: nothing of the request
 * (not even Accept-Language) is known at that point.
 *
 * Cost on the normal path: one callback per addition to an output buffer
 * that returns after comparing its size with the page's.
 */
#ifndef SHUCU_ERRPAGE_H
#define SHUCU_ERRPAGE_H

struct evbuffer;

/* Watches a connection's output buffer (see above). */
void errpage_watch(struct evbuffer *out);

#endif
