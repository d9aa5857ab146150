/*
 * httpd_parse.h - parsing a request head (httpd_parse.c), for httpd.c only.
 */
#ifndef SHUCU_HTTPD_PARSE_H
#define SHUCU_HTTPD_PARSE_H

#include "httpd.h"

#include <stddef.h>

/* 1 when v (may be NULL) is a comma-separated list of tokens one of which
 * equals tok, ignoring case ("Connection: keep-alive, Upgrade"). */
int has_token(const char *v, const char *tok);

/*
 * Parses the head text[0..len) (the request line and header lines, each
 * ending in CRLF, without the empty line; text is modified) into m: method,
 * target, version, headers, content_length, chunked, has_body.  Returns 0,
 * or the HTTP status to refuse it with (400, 431) and *why.
 */
int parse_head(struct hmsg *m, char *text, size_t len, const char **why);

#endif
