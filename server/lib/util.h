/*
 * util.h - small helpers every module uses: allocation that aborts on
 * out-of-memory, random ids, RFC 3339 times, UTF-8 length, base32.
 *
 * Allocation policy: every heap allocation in shucu goes through xmalloc,
 * xcalloc, xrealloc or xstrdup, which print a message and abort() when
 * the system is out of memory.  Callers therefore never check for NULL
 * from these.  (Jansson's own allocations are routed here too, see
 * util_init.)
 */
#ifndef SHUCU_UTIL_H
#define SHUCU_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

void util_init(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes v in decimal (no terminator) and returns the length, at most 20;
 * for the hot paths where printf's cost showed in profiles. */
size_t util_fmt_ll(char *out, long long v);

/* Writes "<prefix>_" followed by 20 random base32 characters (100 bits)
 * into out, which must hold at least strlen(prefix) + 22 bytes. */
void util_new_id(char *out, size_t outlen, const char *prefix);

/* As util_new_id, but the first 9 of the 20 characters are the time in
 * milliseconds (base32 in the same order as the characters sort) and the
 * other 11 are random (55 bits): ids made later sort later, so a bulk
 * load appends to the id index instead of writing all over it (at 1M
 * resources the random ids touched a different index page per row). */
void util_new_ordered_id(char *out, size_t outlen, const char *prefix);

/* Lower-case Crockford-style base32 of n random bytes' worth of chars. */
void util_random_base32(char *out, size_t nchars);

/* Current time as an RFC 3339 UTC string ("2026-11-25T04:29:00Z"). */
void util_now_rfc3339(char out[32]);
void util_time_rfc3339(time_t t, char out[32]);
/* Parses "YYYY-MM-DD" or an RFC 3339 UTC time; 0 on success. */
int util_parse_time(const char *s, time_t *out);

/* Monotonic clock in seconds. */
double util_monotonic(void);

/* Number of code points in valid UTF-8 text of len bytes. */
size_t util_utf8_len(const char *s, size_t len);
/* 1 if s[0..len) is valid UTF-8 (no overlongs, surrogates or NUL). */
int util_utf8_valid(const char *s, size_t len);
/* The length of s[0..len) without a UTF-8 sequence cut off at its end:
 * where text was truncated to len bytes, s[0..result) is whole
 * characters.  Bytes before the last sequence are not looked at. */
size_t util_utf8_cut(const char *s, size_t len);

/*
 * The JSON path ("price.min", "cases[0].foo", "" at the top) of the value
 * being read at byte pos of text[0..len), which must be well-formed JSON
 * up to pos (e.g. where Jansson stopped at a number too large to hold).
 * Writes it into out (always terminated, cut to outlen).
 */
void util_json_path_at(const char *text, size_t len, size_t pos, char *out, size_t outlen);

/* url with the password of its userinfo replaced by *** (redis://:***@h:6379,
 * redis://user:***@h), for logs and messages; other URLs as they are. */
void util_redact_url(const char *url, char *out, size_t outlen);

#endif
