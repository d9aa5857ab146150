/*
 * util.c - allocation, ids, times and UTF-8 helpers.
 *
 * Randomness comes from libsodium (randombytes_buf), which reads the
 * kernel's CSPRNG; ids and keys are therefore unguessable.  Times are
 * always UTC and second-precision, formatted the same way everywhere so
 * that string comparison orders them.
 */
#include "util.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(size_t n)
{
    fprintf(stderr, "shucud: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

size_t util_fmt_ll(char *out, long long v)
{
    char tmp[20];
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    size_t n = 0, k = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        out[k++] = '-';
    while (n)
        out[k++] = tmp[--n];
    return k;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom(0);
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void util_init(void)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "shucud: libsodium failed to initialise\n");
        exit(1);
    }
    json_set_alloc_funcs(xmalloc, free);
}

static const char B32[] = "0123456789abcdefghjkmnpqrstvwxyz";

void util_random_base32(char *out, size_t nchars)
{
    unsigned char buf[64];
    while (nchars > 0) {
        size_t n = nchars < sizeof buf ? nchars : sizeof buf;
        randombytes_buf(buf, n);
        for (size_t i = 0; i < n; i++)
            *out++ = B32[buf[i] & 31];
        nchars -= n;
    }
    *out = '\0';
}

/* Writes "<prefix>_" into out and returns where the 20 characters go. */
static char *id_start(char *out, size_t outlen, const char *prefix)
{
    size_t pl = strlen(prefix);
    if (outlen < pl + 22)
        abort();
    memcpy(out, prefix, pl);
    out[pl] = '_';
    return out + pl + 1;
}

void util_new_id(char *out, size_t outlen, const char *prefix)
{
    util_random_base32(id_start(out, outlen, prefix), 20);
}

void util_new_ordered_id(char *out, size_t outlen, const char *prefix)
{
    char *at = id_start(out, outlen, prefix);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    for (int i = 8; i >= 0; i--, ms >>= 5)
        at[i] = B32[ms & 31];
    util_random_base32(at + 9, 11);
}

void util_time_rfc3339(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void util_now_rfc3339(char out[32])
{
    util_time_rfc3339(time(NULL), out);
}

/* Reads exactly n digits; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int util_parse_time(const char *s, time_t *out)
{
    /* YYYY-MM-DD, optionally followed by THH:MM:SS[.fff]Z */
    size_t len = strlen(s);
    if (len < 10 || s[4] != '-' || s[7] != '-')
        return -1;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = 0, mi = 0, se = 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
        return -1;
    if (len > 10) {
        const char *p = s + 10;
        if (len < 20 || p[0] != 'T' || p[3] != ':' || p[6] != ':')
            return -1;
        h = digits(p + 1, 2);
        mi = digits(p + 4, 2);
        se = digits(p + 7, 2);
        if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
            return -1;
        p += 9;
        if (*p == '.')
            while (*++p >= '0' && *p <= '9')
                ;
        if (p[0] != 'Z' || p[1])
            return -1;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    time_t t = timegm(&tm); /* normalises tm in place */
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
        return -1; /* 2027-02-31 rolled over into March */
    *out = t;
    return 0;
}

double util_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

size_t util_utf8_len(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

int util_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        size_t n;
        uint32_t cp;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - p) < n)
            return 0;
        for (size_t i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
            (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n;
    }
    return 1;
}

size_t util_utf8_cut(const char *s, size_t len)
{
    size_t i = len, k = 0;
    while (i > 0 && k < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
        i--;
        k++;
    }
    if (i == 0)
        return len;
    unsigned char c = (unsigned char)s[i - 1];
    size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    return len - (i - 1) < need ? i - 1 : len;
}

#define PATH_DEPTH 64
#define PATH_KEY 64

void util_json_path_at(const char *text, size_t len, size_t pos, char *out, size_t outlen)
{
    struct frame {
        int array;
        long index;
        char key[PATH_KEY];
    } st[PATH_DEPTH];
    int depth = 0, over = 0; /* frames beyond PATH_DEPTH are counted, not kept */
    int want_key = 0;
    if (pos > len)
        pos = len;
    for (size_t i = 0; i < pos; i++) {
        char c = text[i];
        if (c == '"') {
            size_t a = ++i;
            while (i < pos && text[i] != '"')
                i += text[i] == '\\' ? 2 : 1;
            if (want_key && depth > 0 && !over && !st[depth - 1].array) {
                size_t n = i - a < PATH_KEY - 1 ? i - a : PATH_KEY - 1;
                n = util_utf8_cut(text + a, n); /* a long key: whole characters */
                memcpy(st[depth - 1].key, text + a, n);
                st[depth - 1].key[n] = '\0';
            }
        } else if (c == '{' || c == '[') {
            if (depth < PATH_DEPTH && !over)
                st[depth++] = (struct frame){.array = c == '['};
            else
                over++;
            want_key = c == '{';
        } else if (c == '}' || c == ']') {
            if (over)
                over--;
            else if (depth > 0)
                depth--;
            want_key = 0;
        } else if (c == ':') {
            want_key = 0;
        } else if (c == ',' && depth > 0 && !over) {
            if (st[depth - 1].array)
                st[depth - 1].index++;
            else
                want_key = 1;
        }
    }
    size_t n = 0;
    out[0] = '\0';
    for (int d = 0; d < depth && n + 1 < outlen; d++) {
        int w = st[d].array ? snprintf(out + n, outlen - n, "[%ld]", st[d].index)
                            : snprintf(out + n, outlen - n, "%s%s", n ? "." : "", st[d].key);
        if (w < 0 || (size_t)w >= outlen - n) {
            out[n] = '\0'; /* whole segments only, never half a character */
            break;
        }
        n += (size_t)w;
    }
}

void util_redact_url(const char *url, char *out, size_t outlen)
{
    const char *scheme = url ? strstr(url, "://") : NULL;
    const char *host = scheme ? scheme + 3 : NULL;
    const char *at = host ? strchr(host, '@') : NULL;
    const char *slash = host ? strchr(host, '/') : NULL;
    if (!at || (slash && slash < at)) {
        snprintf(out, outlen, "%s", url ? url : "");
        return;
    }
    const char *colon = memchr(host, ':', (size_t)(at - host));
    size_t keep = colon ? (size_t)(colon + 1 - url) : (size_t)(host - url);
    snprintf(out, outlen, "%.*s***%s", (int)keep, url, at);
}
